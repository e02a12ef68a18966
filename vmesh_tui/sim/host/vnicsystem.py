"""VMkernel NIC, physical NIC and HostVirtualNicManager methods under their WSDL names.

A mixin for :class:`vmesh_tui.sim.host.simhost.SimHost`, working on ``self.state`` under ``self.lock``.
"""

from __future__ import annotations

from pyVmomi import vim

from vmesh_tui.sim.host import netfaults
from vmesh_tui.sim.host.netsystem import NetworkSystemMethods, locked
from vmesh_tui.sim.host.state import (
    DEFAULT_NETSTACK,
    NETSTACKS,
    NIC_TYPES,
    VnicState,
    derived_mac,
    is_netmask,
    parse_ipv4,
)

STANDARD_SPEEDS = (10, 100, 1000, 2500, 5000, 10000, 25000, 40000, 50000, 100000)


def valid_link_specs(max_speed_mb: int) -> list[tuple[int, bool]]:
    """(speedMb, full duplex) pairs a NIC accepts for a forced speed: half duplex only up to 100 Mb."""
    specs: list[tuple[int, bool]] = []
    for speed in STANDARD_SPEEDS:
        if speed <= max_speed_mb:
            specs += [(speed, False), (speed, True)] if speed <= 100 else [(speed, True)]
    return specs


class VnicMethods(NetworkSystemMethods):
    """AddVirtualNic ... QueryNetConfig."""

    name: str

    @locked
    def AddVirtualNic(self, portgroup: str, nic: vim.host.VirtualNic.Specification) -> str:
        self._portgroup(portgroup)
        holder = self.state.vnic_on(portgroup)
        if holder is not None:
            raise netfaults.already_exists(portgroup)
        if nic.distributedVirtualPort is not None or nic.opaqueNetwork is not None:
            raise netfaults.not_supported("the twin has only standard vSwitches")
        netstack = nic.netStackInstanceKey or DEFAULT_NETSTACK
        if netstack not in NETSTACKS:
            raise netfaults.invalid_argument("nic.netStackInstanceKey", f"use one of {', '.join(NETSTACKS)}")
        if nic.ip is None:
            raise netfaults.invalid_argument("nic.ip", "an IP configuration is required")
        ip, mask, dhcp = _ip_config(nic.ip)
        device = self.state.next_vmk()
        mac = nic.mac or derived_mac(f"{self.name}/{device}")
        self.state.vnics[device] = VnicState(
            device, portgroup, ip, mask, _mtu(nic.mtu, 1500), mac, netstack, dhcp
        )
        if netstack == "vmotion":
            self.state.selected["vmotion"] = [
                d for d in self.state.selected.get("vmotion", []) if self.state.vnics[d].netstack == "vmotion"
            ]
        return device

    @locked
    def UpdateVirtualNic(self, device: str, nic: vim.host.VirtualNic.Specification) -> None:
        vnic = self._vnic(device)
        if nic.netStackInstanceKey and nic.netStackInstanceKey != vnic.netstack:
            raise netfaults.invalid_argument(
                "nic.netStackInstanceKey", "the netstack is chosen only at creation"
            )
        if nic.portgroup and nic.portgroup != vnic.portgroup:
            self._portgroup(nic.portgroup)
            if self.state.vnic_on(nic.portgroup) is not None:
                raise netfaults.already_exists(nic.portgroup)
        ip = _ip_config(nic.ip) if nic.ip is not None else None
        mtu = _mtu(nic.mtu, vnic.mtu)
        if ip is not None:
            vnic.ip, vnic.mask, vnic.dhcp = ip
        vnic.mtu = mtu
        vnic.mac = nic.mac or vnic.mac
        vnic.portgroup = nic.portgroup or vnic.portgroup

    @locked
    def RemoveVirtualNic(self, device: str) -> None:
        self._vnic(device)
        del self.state.vnics[device]
        for devices in self.state.selected.values():
            if device in devices:
                devices.remove(device)

    @locked
    def UpdatePhysicalNicLinkSpeed(
        self, device: str, linkSpeed: vim.host.PhysicalNic.LinkSpeedDuplex | None = None
    ) -> None:
        pnic = self.state.pnics.get(device)
        if pnic is None:
            raise netfaults.not_found("physical NIC", device)
        if linkSpeed is None:
            pnic.forced = None
            return
        wanted = (linkSpeed.speedMb, bool(linkSpeed.duplex))
        if wanted not in valid_link_specs(pnic.speed_mb):
            duplex = "full" if wanted[1] else "half"
            raise netfaults.invalid_argument(
                "linkSpeed", f"{device} cannot run at {wanted[0]} Mb {duplex} duplex"
            )
        pnic.forced = wanted

    @locked
    def SelectVnicForNicType(self, nicType: str, device: str) -> None:
        self._check_nic_type(nicType)
        if device not in self.state.vnics:
            raise netfaults.invalid_argument("device", f"{device} is not a VMkernel NIC of this host")
        devices = self.state.selected.setdefault(nicType, [])
        if device not in devices:
            devices.append(device)

    @locked
    def DeselectVnicForNicType(self, nicType: str, device: str) -> None:
        self._check_nic_type(nicType)
        if device not in self.state.vnics:
            raise netfaults.invalid_argument("device", f"{device} is not a VMkernel NIC of this host")
        devices = self.state.selected.get(nicType, [])
        if device in devices:
            devices.remove(device)

    def selected_for(self, nic_type: str) -> list[str]:
        """Devices serving ``nic_type``: the tagged ones (plus, for vMotion, every vmotion-netstack vmk)."""
        chosen = [d for d in self.state.selected.get(nic_type, []) if d in self.state.vnics]
        if nic_type == "vmotion":
            chosen += [v.device for v in self.state.vnics_sorted() if v.netstack == "vmotion"]
        return sorted(set(chosen), key=lambda d: int(d[3:]))

    def _check_nic_type(self, nic_type: str) -> None:
        if nic_type not in NIC_TYPES:
            raise netfaults.invalid_argument("nicType", f"use one of {', '.join(NIC_TYPES)}")

    def _vnic(self, device: str) -> VnicState:
        vnic = self.state.vnics.get(device)
        if vnic is None:
            raise netfaults.not_found("VMkernel NIC", device)
        return vnic


def _mtu(value: int | None, default: int) -> int:
    mtu = value if value is not None else default
    if not 1280 <= mtu <= 9000:
        raise netfaults.invalid_argument("nic.mtu", f"MTU {mtu} is not between 1280 and 9000")
    return mtu


def _ip_config(ip: vim.host.IpConfig) -> tuple[str | None, str | None, bool]:
    if ip.dhcp:
        return None, None, True
    address = parse_ipv4(ip.ipAddress)
    if address is None or address.is_unspecified or address.is_multicast or address.is_loopback:
        raise netfaults.invalid_argument("nic.ip.ipAddress", f"{ip.ipAddress!r} is not a usable IPv4 address")
    if not is_netmask(ip.subnetMask):
        raise netfaults.invalid_argument("nic.ip.subnetMask", f"{ip.subnetMask!r} is not an IPv4 netmask")
    mask = parse_ipv4(ip.subnetMask)
    prefix = bin(int(mask or 0)).count("1")
    if prefix < 31:
        host_bits = int(address) & ~int(mask or 0) & 0xFFFFFFFF
        if host_bits in (0, 0xFFFFFFFF >> prefix):
            raise netfaults.invalid_argument(
                "nic.ip.ipAddress", f"{address} is a network or broadcast address"
            )
    return str(address), str(mask), False
