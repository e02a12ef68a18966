"""HostNetworkSystem.UpdateNetworkConfig in "modify" mode: several edits in one atomic call.

It is what Ansible's community.vmware modules (and vSphere clients) send for portgroup and vmk changes.
The edits run in dependency order; on any fault the host's state is restored and the fault re-raised.
"""

from __future__ import annotations

import copy
from typing import TypeVar

from pyVmomi import vim

from vmesh_tui.sim.host import netfaults
from vmesh_tui.sim.host.netsystem import locked
from vmesh_tui.sim.host.vnicsystem import VnicMethods

OPERATIONS = ("add", "edit", "remove")
T = TypeVar("T")


class NetworkConfigMethods(VnicMethods):
    """UpdateNetworkConfig on top of the single-object methods."""

    @locked
    def UpdateNetworkConfig(
        self, config: vim.host.NetworkConfig, changeMode: str
    ) -> vim.host.NetworkConfig.Result:
        if changeMode == "replace":
            raise netfaults.not_supported("UpdateNetworkConfig in replace mode; send changes with modify")
        if changeMode != "modify":
            raise netfaults.invalid_argument("changeMode", "use modify or replace")
        snapshot = self.state.snapshot()
        try:
            return self._apply_network_config(config)
        except Exception:
            self.state = snapshot
            self.cdp_changed()
            raise

    def _apply_network_config(self, config: vim.host.NetworkConfig) -> vim.host.NetworkConfig.Result:
        vswitches = list(config.vswitch or [])
        portgroups = list(config.portgroup or [])
        vnics = list(config.vnic or [])
        for item in vswitches + portgroups + vnics:
            if (item.changeOperation or "edit") not in OPERATIONS:
                raise netfaults.invalid_argument("changeOperation", f"use one of {', '.join(OPERATIONS)}")
        if config.proxySwitch or config.consoleVnic:
            raise netfaults.not_supported("distributed switches and service console NICs")
        for vnic in vnics:
            if vnic.changeOperation == "remove":
                self.RemoveVirtualNic(_required(vnic.device, "vnic device"))
        for pg in portgroups:
            if pg.changeOperation == "remove":
                self.RemovePortGroup(_pg_spec(pg).name)
        for vs in vswitches:
            if vs.changeOperation == "remove":
                self.RemoveVirtualSwitch(vs.name)
        for vs in vswitches:
            if vs.changeOperation == "add":
                self.AddVirtualSwitch(vs.name, vs.spec)
            elif vs.changeOperation in (None, "edit"):
                self.UpdateVirtualSwitch(vs.name, _required(vs.spec, f"vswitch {vs.name} spec"))
        for pg in portgroups:
            spec = _pg_spec(pg)
            if pg.changeOperation == "add":
                self.AddPortGroup(spec)
            elif pg.changeOperation in (None, "edit"):
                self.UpdatePortGroup(spec.name, spec)
        for pnic in config.pnic or []:
            speed = pnic.spec.linkSpeed if pnic.spec is not None else None
            self.UpdatePhysicalNicLinkSpeed(pnic.device, speed)
        created = []
        for vnic in vnics:
            spec = copy.deepcopy(_required(vnic.spec, f"vnic {vnic.device or vnic.portgroup} spec"))
            if vnic.changeOperation == "add":
                created.append(self.AddVirtualNic(vnic.portgroup, spec))
            elif vnic.changeOperation in (None, "edit"):
                if vnic.portgroup and not spec.portgroup:
                    spec.portgroup = vnic.portgroup
                self.UpdateVirtualNic(_required(vnic.device, "vnic device"), spec)
        return vim.host.NetworkConfig.Result(vnicDevice=created)


def _pg_spec(pg: vim.host.PortGroup.Config) -> vim.host.PortGroup.Specification:
    return _required(pg.spec, "portgroup spec")


def _required(value: T | None, what: str) -> T:
    if value is None:
        raise netfaults.invalid_argument(what, "it is required for this change")
    return value
