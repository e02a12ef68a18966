"""One host as the adapter holds it: its session, managed objects, a call lock and a small cache.

The cache keeps the raw specs of the last inventory read (so updates can send full specs that keep
what the tool does not model, such as security and shaping policy) and the vmk device per portgroup
(a step names a vmk by its portgroup). It is refreshed only when something is missing.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from vmesh_tui.vsphere import hostread
from vmesh_tui.vsphere.session import Session


@dataclass
class HostHandle:
    name: str
    session: Session
    moref: Any
    network_system: Any
    vnic_manager: Any
    lock: threading.RLock = field(default_factory=threading.RLock)
    vswitch_specs: dict[str, Any] = field(default_factory=dict)
    portgroup_specs: dict[str, Any] = field(default_factory=dict)
    vmk_devices: dict[str, str] = field(default_factory=dict)
    method_executer: Any = None

    def remember_network(self, network: Any) -> None:
        """Cache raw specs and vmk devices from a HostNetworkInfo (HostNetworkSystem.networkInfo)."""
        self.vswitch_specs = {v.name: v.spec for v in (getattr(network, "vswitch", None) or [])}
        self.portgroup_specs = {p.spec.name: p.spec for p in (getattr(network, "portgroup", None) or [])}
        self.vmk_devices = {
            (v.portgroup or v.spec.portgroup): v.device
            for v in (getattr(network, "vnic", None) or [])
            if v.portgroup or v.spec.portgroup
        }

    def refresh_network(self) -> None:
        """Re-read this host's HostNetworkSystem.networkInfo (one request)."""
        content = self.session.content
        network = self.session.read(
            lambda: hostread.read_network_info(content, self.moref),
            f"reading {self.name}",
            {self.moref._moId: self.name},
        )
        if network is not None:
            self.remember_network(network)

    def vmk_device(self, portgroup: str) -> str | None:
        """The vmk on ``portgroup``: from the cache, refreshed once when missing."""
        device = self.vmk_devices.get(portgroup)
        if device is None:
            self.refresh_network()
            device = self.vmk_devices.get(portgroup)
        return device

    def current_vswitch_spec(self, name: str) -> Any | None:
        """The host's spec of vSwitch ``name``: from the cache, refreshed once when missing."""
        spec = self.vswitch_specs.get(name)
        if spec is None:
            self.refresh_network()
            spec = self.vswitch_specs.get(name)
        return spec

    def current_portgroup_spec(self, name: str) -> Any | None:
        """The host's spec of portgroup ``name``: from the cache, refreshed once when missing."""
        spec = self.portgroup_specs.get(name)
        if spec is None:
            self.refresh_network()
            spec = self.portgroup_specs.get(name)
        return spec
