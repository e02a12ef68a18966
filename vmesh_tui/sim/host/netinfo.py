"""Fresh pyVmomi views of a host's network state: NetworkInfo, NetConfig and NetCapabilities."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping

from pyVmomi import vim

from vmesh_tui.sim.host import netroutes
from vmesh_tui.sim.host.state import NetState, PnicState, ProxyState, VnicState, overlay

LinkOf = Callable[[str], "tuple[int, bool] | None"]


def pnic_key(device: str) -> str:
    return f"key-vim.host.PhysicalNic-{device}"


def vswitch_key(name: str) -> str:
    return f"key-vim.host.VirtualSwitch-{name}"


def portgroup_key(name: str) -> str:
    return f"key-vim.host.PortGroup-{name}"


def vnic_key(device: str) -> str:
    return f"key-vim.host.VirtualNic-{device}"


def _speed(value: tuple[int, bool] | None) -> vim.host.PhysicalNic.LinkSpeedDuplex | None:
    if value is None:
        return None
    return vim.host.PhysicalNic.LinkSpeedDuplex(speedMb=value[0], duplex=value[1])


def build_pnic(
    pnic: PnicState, link: tuple[int, bool] | None, valid: list[tuple[int, bool]]
) -> vim.host.PhysicalNic:
    number = int(pnic.device[5:])
    return vim.host.PhysicalNic(
        key=pnic_key(pnic.device),
        device=pnic.device,
        pci=f"0000:{1 + number // 4:02x}:00.{number % 4}",
        driver=pnic.driver or None,
        linkSpeed=_speed(link),
        validLinkSpecification=[_speed(v) for v in valid],
        spec=vim.host.PhysicalNic.Specification(
            ip=vim.host.IpConfig(dhcp=False), linkSpeed=_speed(pnic.forced)
        ),
        wakeOnLanSupported=False,
        mac=pnic.mac,
        autoNegotiateSupported=True,
        vmDirectPathGen2Supported=False,
        resourcePoolSchedulerAllowed=True,
    )


def build_vnic(
    vnic: VnicState, key_prefix: str = "", proxies: Mapping[str, ProxyState] | None = None
) -> vim.host.VirtualNic:
    """A vmk as networkInfo lists it, or (with a nicType `key_prefix`) as a VirtualNicManager candidate,
    which real hosts send without its port. One on a distributed portgroup has portgroup "" and a
    distributedVirtualPort instead."""
    ip = vim.host.IpConfig(dhcp=vnic.dhcp, ipAddress=vnic.ip, subnetMask=vnic.mask)
    spec = vim.host.VirtualNic.Specification(
        ip=ip,
        mac=vnic.mac,
        portgroup=vnic.portgroup or None,
        mtu=vnic.mtu,
        tsoEnabled=True,
        netStackInstanceKey=vnic.netstack,
    )
    proxy = (proxies or {}).get(vnic.dvswitch) if vnic.dvswitch else None
    if proxy is not None:
        spec.distributedVirtualPort = vim.dvs.PortConnection(
            switchUuid=proxy.uuid, portgroupKey=vnic.dvportgroup, portKey=str(_port_number(vnic) % 1000)
        )
    return vim.host.VirtualNic(
        device=vnic.device,
        key=f"{key_prefix}{vnic_key(vnic.device)}",
        portgroup=vnic.portgroup,  # "" on a distributed portgroup, as real hosts send it
        spec=spec,
        port=None if key_prefix or proxy is not None else f"key-vim.host.PortGroup.Port-{_port_number(vnic)}",
    )


def build_proxy(proxy: ProxyState) -> vim.host.HostProxySwitch:
    """The host's view of a distributed switch: its uplinks, as keys and as the backing's pnicSpec."""
    backing = vim.dvs.HostMember.PnicBacking(
        pnicSpec=[
            vim.dvs.HostMember.PnicSpec(pnicDevice=nic, uplinkPortKey=str(i))
            for i, nic in enumerate(proxy.nics)
        ]
    )
    return vim.host.HostProxySwitch(
        dvsUuid=proxy.uuid,
        dvsName=proxy.name,
        key=proxy.uuid,
        numPorts=512,
        numPortsAvailable=512 - len(proxy.nics),
        mtu=proxy.mtu,
        pnic=[pnic_key(n) for n in proxy.nics],
        uplinkPort=[vim.KeyValue(key=str(i), value=f"dvUplink{i + 1}") for i in range(len(proxy.nics))],
        spec=vim.host.HostProxySwitch.Specification(backing=backing),
    )


def spec_policy(policy: vim.host.NetworkPolicy) -> vim.host.NetworkPolicy:
    """A portgroup's spec.policy as hosts send it: what it overrides, and empty objects where it
    overrides nothing (security, nicTeaming with failureCriteria, offloadPolicy, shapingPolicy)."""
    sent = copy.deepcopy(policy)
    kinds = vim.host.NetworkPolicy
    sent.security = sent.security or kinds.SecurityPolicy()
    sent.nicTeaming = sent.nicTeaming or kinds.NicTeamingPolicy()
    sent.nicTeaming.failureCriteria = sent.nicTeaming.failureCriteria or kinds.NicFailureCriteria()
    sent.offloadPolicy = sent.offloadPolicy or vim.host.NetOffloadCapabilities()
    sent.shapingPolicy = sent.shapingPolicy or kinds.TrafficShapingPolicy()
    return sent


def _port_number(vnic: VnicState) -> int:
    return 33554432 + vnic.number


def build_network_info(
    state: NetState,
    link_of: LinkOf,
    valid_of: Callable[[PnicState], list[tuple[int, bool]]],
    host_name: str = "",
) -> vim.host.NetworkInfo:
    """A fresh NetworkInfo; nothing in it is shared with the state."""
    vnics = state.vnics_sorted()
    vswitches = []
    for vs in state.vswitches.values():
        pgs = [pg.name for pg in state.portgroups.values() if pg.vswitch == vs.name]
        bridge = None
        if vs.nics:
            bridge = vim.host.VirtualSwitch.BondBridge(
                nicDevice=list(vs.nics),
                beacon=vim.host.VirtualSwitch.BeaconConfig(interval=vs.beacon_interval),
                linkDiscoveryProtocolConfig=vim.host.LinkDiscoveryProtocolConfig(
                    protocol="cdp", operation=vs.cdp
                ),
            )
        used = len(vs.nics) + sum(1 for v in vnics if v.portgroup in pgs)
        vswitches.append(
            vim.host.VirtualSwitch(
                name=vs.name,
                key=vswitch_key(vs.name),
                numPorts=vs.num_ports,
                numPortsAvailable=max(0, vs.num_ports - used),
                mtu=vs.mtu,
                portgroup=[portgroup_key(p) for p in pgs],
                pnic=[pnic_key(n) for n in vs.nics],
                spec=vim.host.VirtualSwitch.Specification(
                    numPorts=vs.num_ports, bridge=bridge, policy=copy.deepcopy(vs.policy), mtu=vs.mtu
                ),
            )
        )
    portgroups = []
    for pg in state.portgroups.values():
        ports = [
            vim.host.PortGroup.Port(
                key=f"key-vim.host.PortGroup.Port-{_port_number(v)}", mac=[v.mac], type="host"
            )
            for v in vnics
            if v.portgroup == pg.name
        ]
        spec = vim.host.PortGroup.Specification(
            name=pg.name, vlanId=pg.vlan, vswitchName=pg.vswitch, policy=spec_policy(pg.policy)
        )
        portgroups.append(
            vim.host.PortGroup(
                key=portgroup_key(pg.name),
                port=ports,
                vswitch=vswitch_key(pg.vswitch),
                computedPolicy=overlay(state.vswitches[pg.vswitch].policy, pg.policy),
                spec=spec,
            )
        )
    pnics = [build_pnic(p, link_of(p.device), valid_of(p)) for p in state.pnics.values()]
    return vim.host.NetworkInfo(
        vswitch=vswitches,
        portgroup=portgroups,
        pnic=pnics,
        vnic=[build_vnic(v, proxies=state.proxies) for v in vnics],
        proxySwitch=[build_proxy(p) for p in state.proxies.values()],
        dnsConfig=netroutes.dns_config(host_name),
        ipRouteConfig=vim.host.IpRouteConfig(),
        routeTableInfo=netroutes.route_table_info(state),
        ipV6Enabled=False,
        atBootIpV6Enabled=False,
        netStackInstance=netroutes.netstack_instances(state, host_name),
    )


def build_net_config(
    state: NetState, nic_type: str, selected: list[str]
) -> vim.host.VirtualNicManager.NetConfig:
    """What HostVirtualNicManager.QueryNetConfig answers for one nicType (keys prefixed by the type)."""
    vnics = state.vnics_sorted()
    if nic_type != "vmotion":
        vnics = [v for v in vnics if v.netstack != "vmotion"]
    prefix = f"{nic_type}."
    return vim.host.VirtualNicManager.NetConfig(
        nicType=nic_type,
        multiSelectAllowed=True,
        candidateVnic=[build_vnic(v, prefix, state.proxies) for v in vnics],
        selectedVnic=[f"{prefix}{vnic_key(d)}" for d in selected],
    )


def build_capabilities() -> vim.host.NetCapabilities:
    """As both of govmomi's real-host captures (6.5, 8.0.2): no maxPortGroupsPerVswitch, no NFC NIOC."""
    return vim.host.NetCapabilities(
        canSetPhysicalNicLinkSpeed=True,
        supportsNicTeaming=True,
        nicTeamingPolicy=["loadbalance_ip", "loadbalance_srcmac", "loadbalance_srcid", "failover_explicit"],
        supportsVlan=True,
        usesServiceConsoleNic=False,
        supportsNetworkHints=True,
        vswitchConfigSupported=True,
        vnicConfigSupported=True,
        ipRouteConfigSupported=True,
        dnsConfigSupported=True,
        dhcpOnVnicSupported=True,
        ipV6Supported=True,
    )
