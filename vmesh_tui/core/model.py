"""Observed host network state: what discovery reads from a host, as frozen values.

Everything here is plain data (no I/O, no pyVmomi). The vSphere adapter builds these from one
PropertyCollector read; the core turns them into cables, links, desired state and plans.
NIC and vmk references elsewhere in the core use the form ``"HOST/vmnicN"`` (see :func:`nic_ref`).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import datetime

if sys.version_info >= (3, 11):
    from enum import StrEnum
else:  # pragma: no cover - the backport on Python 3.9 and 3.10
    from backports.strenum import StrEnum


class CdpMode(StrEnum):
    """Link discovery operation of a standard vSwitch bridge."""

    NONE = "none"
    LISTEN = "listen"
    ADVERTISE = "advertise"
    BOTH = "both"


DEFAULT_NETSTACK = "defaultTcpipStack"
VMOTION_NETSTACK = "vmotion"


@dataclass(frozen=True)
class Neighbor:
    """A link-discovery neighbour heard on a pnic (CDP or LLDP)."""

    protocol: str  # "cdp" | "lldp"
    device_id: str  # the peer's host name (CDP devId / LLDP system name)
    port_id: str  # the peer's port, e.g. "vmnic1"
    address: str | None = None
    mtu: int | None = None


@dataclass(frozen=True)
class Pnic:
    """A physical NIC. ``speed_mb`` is the negotiated speed; None means the link is down."""

    device: str
    mac: str
    driver: str = ""
    speed_mb: int | None = None
    full_duplex: bool = True
    configured_speed_mb: int | None = None  # forced speed; None = auto-negotiate
    configured_full_duplex: bool = True
    neighbor: Neighbor | None = None
    # (speed Mb/s, full duplex) the NIC accepts as a forced speed (PhysicalNic.validLinkSpecification);
    # empty when the host does not say. A capability, not a setting: it takes no part in comparisons.
    valid_speeds: tuple[tuple[int, bool], ...] = field(default=(), compare=False)

    def accepts(self, speed_mb: int, full_duplex: bool = True) -> bool:
        """Whether the NIC can be forced to this speed (True when the host does not say)."""
        return not self.valid_speeds or (speed_mb, full_duplex) in self.valid_speeds

    @property
    def link_up(self) -> bool:
        return self.speed_mb is not None


@dataclass(frozen=True)
class VSwitch:
    """A standard vSwitch. ``uplinks`` is the bridge's NIC list; active/standby is the teaming order."""

    name: str
    mtu: int = 1500
    uplinks: tuple[str, ...] = ()
    active: tuple[str, ...] = ()
    standby: tuple[str, ...] = ()
    cdp: CdpMode = CdpMode.LISTEN
    num_ports: int = 128


@dataclass(frozen=True)
class Portgroup:
    """A standard portgroup. ``active``/``standby`` None means the vSwitch's order is inherited.

    With an explicit override, an uplink of the vSwitch that is in neither list is *unused*.
    """

    name: str
    vswitch: str
    vlan: int = 0
    active: tuple[str, ...] | None = None
    standby: tuple[str, ...] | None = None
    teaming: str | None = None  # e.g. "failover_explicit"; None = inherited

    @property
    def has_override(self) -> bool:
        return self.active is not None


@dataclass(frozen=True)
class Vmk:
    """A VMkernel NIC with a static IPv4 address (DHCP vmks have ip None)."""

    device: str
    portgroup: str
    ip: str | None
    prefix: int | None
    mtu: int = 1500
    services: frozenset[str] = frozenset()  # "management", "vmotion", ...
    netstack: str = DEFAULT_NETSTACK
    mac: str = ""
    distributed: str = ""  # on a distributed portgroup: "SWITCH/PORTGROUP-KEY" (then ``portgroup`` is "")

    @property
    def cidr(self) -> str | None:
        return f"{self.ip}/{self.prefix}" if self.ip and self.prefix is not None else None


@dataclass(frozen=True)
class ProxySwitch:
    """A host's side of a distributed switch (vCenter manages it; the tool never touches it)."""

    name: str
    uplinks: tuple[str, ...] = ()


@dataclass(frozen=True)
class HostState:
    """Everything the tool knows about one ESXi host's networking at one moment."""

    name: str
    version: str = ""
    boot_time: datetime | None = None
    pnics: tuple[Pnic, ...] = ()
    vswitches: tuple[VSwitch, ...] = ()
    portgroups: tuple[Portgroup, ...] = ()
    vmks: tuple[Vmk, ...] = ()
    extra: tuple[tuple[str, str], ...] = field(default=(), compare=False)  # free-form facts for display
    proxy_switches: tuple[ProxySwitch, ...] = ()

    def pnic(self, device: str) -> Pnic | None:
        return next((p for p in self.pnics if p.device == device), None)

    def vswitch(self, name: str) -> VSwitch | None:
        return next((v for v in self.vswitches if v.name == name), None)

    def portgroup(self, name: str) -> Portgroup | None:
        return next((p for p in self.portgroups if p.name == name), None)

    def vmk(self, device: str) -> Vmk | None:
        return next((v for v in self.vmks if v.device == device), None)

    def vmk_on(self, portgroup: str) -> Vmk | None:
        return next((v for v in self.vmks if v.portgroup == portgroup), None)

    def uplink_owner(self, device: str) -> VSwitch | None:
        """The standard vSwitch that has ``device`` as an uplink, if any."""
        return next((v for v in self.vswitches if device in v.uplinks), None)

    def nic_user(self, device: str) -> str | None:
        """What has ``device`` as an uplink: a vSwitch's name, "distributed switch NAME", or None."""
        owner = self.uplink_owner(device)
        if owner is not None:
            return owner.name
        proxy = next((p for p in self.proxy_switches if device in p.uplinks), None)
        return f"distributed switch {proxy.name}" if proxy is not None else None


def nic_ref(host: str, device: str) -> str:
    """The canonical reference to a NIC on a host: ``HOST/vmnicN``."""
    return f"{host}/{device}"


def split_ref(ref: str) -> tuple[str, str]:
    """Split ``HOST/vmnicN`` into (host, device); raises CoreError on a malformed reference."""
    from vmesh_tui.core.errors import CoreError

    host, sep, device = ref.rpartition("/")
    if not sep or not host or not device:
        raise CoreError(
            "bad-nic-ref", f"{ref!r} is not a NIC reference", "write it as HOST/vmnicN, e.g. esx-a/vmnic1"
        )
    return host, device
