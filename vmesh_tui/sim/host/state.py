"""One host's mutable network state and the pyVmomi policy helpers the twin's methods share.

Policies are kept as pyVmomi objects exactly as set: a vSwitch holds a complete HostNetworkPolicy, a
portgroup only what its spec set (its overrides), as on real ESXi.
"""

from __future__ import annotations

import copy
import hashlib
import ipaddress
import re
from dataclasses import dataclass, field

from pyVmomi import vim
from pyVmomi.VmomiSupport import DataObject

from vmesh_tui.sim.lab.spec import SERVICES

DEFAULT_NETSTACK = "defaultTcpipStack"
NETSTACKS = ("defaultTcpipStack", "vmotion", "vSphereProvisioning")
NIC_TYPES = SERVICES  # the VMkernel services a vmk can be selected for, as the lab names them
_POLICY_LEAVES = (vim.host.NetworkPolicy.NicOrderPolicy,)


@dataclass
class PnicState:
    device: str
    mac: str
    driver: str
    speed_mb: int  # the fastest speed the NIC can do; negotiated when its link is up
    max_mtu: int
    forced: tuple[int, bool] | None = None  # (speedMb, full duplex) set by UpdatePhysicalNicLinkSpeed


@dataclass
class VSwitchState:
    name: str
    mtu: int
    num_ports: int
    nics: list[str]  # the bridge's nicDevice list; empty = no bridge
    policy: vim.host.NetworkPolicy  # complete
    cdp: str = "listen"  # LinkDiscoveryProtocolConfig.operation
    beacon_interval: int = 1


@dataclass
class PortgroupState:
    name: str
    vswitch: str
    vlan: int
    policy: vim.host.NetworkPolicy  # only the fields the spec set
    override_ignored: bool = False  # after a reboot, until an update changes the failover order

    @property
    def nic_order(self) -> vim.host.NetworkPolicy.NicOrderPolicy | None:
        return nic_order_of(self.policy)


@dataclass
class ProxyState:
    """The host's side of a distributed switch (a HostProxySwitch): vCenter manages it, not the host."""

    name: str
    nics: list[str]
    mtu: int = 1500

    @property
    def uuid(self) -> str:
        """A stable dvsUuid in vCenter's form ("50 0b 7f ... 3e-9c ...")."""
        digest = hashlib.sha256(self.name.encode()).hexdigest()
        pairs = ["50", *(digest[i : i + 2] for i in range(0, 30, 2))]
        return " ".join(pairs[:8]) + "-" + " ".join(pairs[8:])


@dataclass
class VnicState:
    device: str
    portgroup: str  # "" for a vmk on a distributed switch
    ip: str | None  # None with DHCP (the twin serves no DHCP)
    mask: str | None
    mtu: int
    mac: str
    netstack: str = DEFAULT_NETSTACK
    dhcp: bool = False
    dvswitch: str = ""  # the distributed switch of a vmk on a distributed portgroup
    dvportgroup: str = ""  # that distributed portgroup's key

    @property
    def number(self) -> int:
        return int(self.device[3:])

    @property
    def interface(self) -> ipaddress.IPv4Interface | None:
        if self.ip is None or self.mask is None:
            return None
        return ipaddress.IPv4Interface(f"{self.ip}/{self.mask}")


@dataclass
class NetState:
    """Everything a host's HostNetworkSystem and HostVirtualNicManager describe."""

    pnics: dict[str, PnicState] = field(default_factory=dict)
    vswitches: dict[str, VSwitchState] = field(default_factory=dict)
    portgroups: dict[str, PortgroupState] = field(default_factory=dict)
    vnics: dict[str, VnicState] = field(default_factory=dict)
    selected: dict[str, list[str]] = field(default_factory=dict)  # nicType -> vmk devices
    proxies: dict[str, ProxyState] = field(default_factory=dict)  # distributed switches, by name

    def snapshot(self) -> NetState:
        return copy.deepcopy(self)

    def uplink_owner(self, nic: str) -> VSwitchState | None:
        return next((v for v in self.vswitches.values() if nic in v.nics), None)

    def nic_user(self, nic: str) -> str | None:
        """What uses a NIC as an uplink: "vSwitch NAME", "distributed switch NAME", or None."""
        owner = self.uplink_owner(nic)
        if owner is not None:
            return f"vSwitch {owner.name}"
        proxy = next((p for p in self.proxies.values() if nic in p.nics), None)
        return f"distributed switch {proxy.name}" if proxy is not None else None

    def vnic_on(self, portgroup: str) -> VnicState | None:
        return next((v for v in self.vnics.values() if v.portgroup == portgroup), None)

    def vnics_sorted(self) -> list[VnicState]:
        return sorted(self.vnics.values(), key=lambda v: v.number)

    def next_vmk(self) -> str:
        used = {v.number for v in self.vnics.values()}
        return f"vmk{next(n for n in range(len(used) + 1) if n not in used)}"

    def effective_order(self, pg: PortgroupState, for_egress: bool) -> tuple[list[str], list[str]]:
        """(active, standby) NICs a portgroup uses; after a reboot egress ignores multi-uplink overrides."""
        vswitch = self.vswitches[pg.vswitch]
        order = pg.nic_order
        ignored = for_egress and pg.override_ignored and len(vswitch.nics) > 1
        if order is None or ignored:
            order = nic_order_of(vswitch.policy)
        if order is None:
            return list(vswitch.nics), []
        active = [n for n in order.activeNic or [] if n in vswitch.nics]
        standby = [n for n in order.standbyNic or [] if n in vswitch.nics]
        return active, standby


def nic_order_of(policy: vim.host.NetworkPolicy | None) -> vim.host.NetworkPolicy.NicOrderPolicy | None:
    """The failover order a policy sets, or None when it sets none."""
    teaming = policy.nicTeaming if policy is not None else None
    return teaming.nicOrder if teaming is not None else None


def failover_order(
    order: vim.host.NetworkPolicy.NicOrderPolicy | None,
) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """(active, standby) of a nicOrder, for comparing two orders; None when there is no override."""
    if order is None:
        return None
    return tuple(order.activeNic or ()), tuple(order.standbyNic or ())


def default_vswitch_policy(nics: list[str], standby: list[str] | None = None) -> vim.host.NetworkPolicy:
    """The policy ESXi gives a new standard vSwitch."""
    policy = vim.host.NetworkPolicy
    return policy(
        security=policy.SecurityPolicy(allowPromiscuous=False, macChanges=False, forgedTransmits=False),
        nicTeaming=policy.NicTeamingPolicy(
            policy="loadbalance_srcid",
            reversePolicy=True,
            notifySwitches=True,
            rollingOrder=False,
            failureCriteria=policy.NicFailureCriteria(
                checkSpeed="minimum",
                speed=10,
                checkDuplex=False,
                fullDuplex=False,
                checkErrorPercent=False,
                percentage=0,
                checkBeacon=False,
            ),
            nicOrder=policy.NicOrderPolicy(activeNic=list(nics), standbyNic=list(standby or [])),
        ),
        offloadPolicy=vim.host.NetOffloadCapabilities(
            csumOffload=True, tcpSegmentation=True, zeroCopyXmit=True
        ),
        shapingPolicy=policy.TrafficShapingPolicy(enabled=False),
    )


def overlay(
    base: vim.host.NetworkPolicy | None, top: vim.host.NetworkPolicy | None, *, copy_base: bool = True
) -> vim.host.NetworkPolicy:
    """A fresh policy: ``base`` with every field that ``top`` sets replacing it (nicOrder as a whole).

    ``copy_base=False`` fills ``base`` itself, for a base made just for this call (deepcopy of pyVmomi
    objects is the largest cost of a small call)."""
    result = base if base is not None and not copy_base else copy.deepcopy(base)
    if result is None:
        result = vim.host.NetworkPolicy()
    if top is not None:
        _overlay_into(result, top)
    return result


def _overlay_into(target: DataObject, top: DataObject) -> None:
    for prop in top._GetPropertyList():
        if prop.name in ("dynamicType", "dynamicProperty"):
            continue
        value = getattr(top, prop.name)
        if value is None or (isinstance(value, list) and not value):
            continue
        current = getattr(target, prop.name)
        nested = isinstance(value, DataObject) and not isinstance(value, _POLICY_LEAVES)
        if nested and current is not None and type(current) is type(value):
            _overlay_into(current, value)
        else:
            setattr(target, prop.name, copy.deepcopy(value))


def derived_mac(seed: str, prefix: str = "00:50:56") -> str:
    digest = hashlib.sha256(seed.encode()).digest()
    return f"{prefix}:" + ":".join(f"{b:02x}" for b in (0x60 | (digest[0] & 0x1F), digest[1], digest[2]))


def parse_ipv4(text: str | None) -> ipaddress.IPv4Address | None:
    try:
        return ipaddress.IPv4Address(text or "")
    except ValueError:
        return None


def is_netmask(text: str | None) -> bool:
    address = parse_ipv4(text)
    if address is None:
        return False
    bits = f"{int(address):032b}"
    return re.fullmatch(r"1+0*", bits) is not None and bits != "1" * 32
