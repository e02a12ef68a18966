"""Discovery's mapping: what vsphere.hostread read (networkInfo, the vMotion selection, network hints)
becomes core.model.HostState. Pure: pyVmomi data objects in, frozen core values out.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any

from pyVmomi import vim

from vmesh_tui.core.model import (
    DEFAULT_NETSTACK,
    VMOTION_NETSTACK,
    CdpMode,
    HostState,
    Neighbor,
    Pnic,
    Portgroup,
    ProxySwitch,
    Vmk,
    VSwitch,
)
from vmesh_tui.vsphere.hostread import RawHost


# -- mapping ------------------------------------------------------------------------------------------
def _cdp_mode(bridge: Any) -> CdpMode:
    config = getattr(bridge, "linkDiscoveryProtocolConfig", None)
    if config is None or (config.protocol or "cdp") != "cdp":
        return CdpMode.NONE
    try:
        return CdpMode(config.operation or "none")
    except ValueError:
        return CdpMode.NONE


def _nic_order(policy: Any) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    teaming = getattr(policy, "nicTeaming", None) if policy is not None else None
    order = getattr(teaming, "nicOrder", None) if teaming is not None else None
    if order is None:
        return None
    return tuple(order.activeNic or ()), tuple(order.standbyNic or ())


def map_vswitch(raw: Any) -> VSwitch:
    spec = raw.spec
    bridge = spec.bridge if isinstance(spec.bridge, vim.host.VirtualSwitch.BondBridge) else None
    order = _nic_order(spec.policy)
    uplinks = tuple(bridge.nicDevice or ()) if bridge is not None else ()
    active, standby = order if order is not None else ((), ())
    return VSwitch(
        name=raw.name,
        mtu=int(raw.mtu or spec.mtu or 1500),
        uplinks=uplinks,
        active=active,
        standby=standby,
        cdp=_cdp_mode(bridge) if bridge is not None else CdpMode.NONE,
        num_ports=int(spec.numPorts or raw.numPorts or 128),
    )


def map_portgroup(raw: Any) -> Portgroup:
    spec = raw.spec
    order = _nic_order(spec.policy)
    teaming = getattr(spec.policy, "nicTeaming", None) if spec.policy is not None else None
    return Portgroup(
        name=spec.name,
        vswitch=spec.vswitchName,
        vlan=int(spec.vlanId or 0),
        active=order[0] if order is not None else None,
        standby=order[1] if order is not None else None,
        teaming=(teaming.policy or None) if teaming is not None else None,
    )


def _prefix(mask: str | None) -> int | None:
    if not mask:
        return None
    try:
        return ipaddress.IPv4Network(f"0.0.0.0/{mask}").prefixlen
    except ValueError:
        return None


def vmk_services(net_configs: Any) -> dict[str, frozenset[str]]:
    """vmk device -> the services (nic types) it is selected for, from HostVirtualNicManager.info."""
    services: dict[str, set[str]] = {}
    for config in net_configs or []:
        by_key = {vnic.key: vnic.device for vnic in (config.candidateVnic or [])}
        for key in config.selectedVnic or []:
            device = by_key.get(key) or key.rsplit("-", 1)[-1]
            services.setdefault(device, set()).add(config.nicType)
    return {device: frozenset(types) for device, types in services.items()}


def map_vmk(raw: Any, services: frozenset[str], switches: Mapping[str, str] | None = None) -> Vmk:
    """A vmk. On the vmotion netstack vMotion comes with the stack (hosts list such vmks as selected
    for vMotion without a tag), so it is not reported as a service: services are what was tagged.
    A vmk on a distributed portgroup has no portgroup name; ``distributed`` says where it is
    (``switches``: distributed switch uuid -> name)."""
    spec = raw.spec
    port = getattr(spec, "distributedVirtualPort", None)
    distributed = ""
    if port is not None:
        switch = (switches or {}).get(port.switchUuid or "") or port.switchUuid or "?"
        distributed = f"{switch}/{port.portgroupKey or '?'}"
    netstack = spec.netStackInstanceKey or DEFAULT_NETSTACK
    if netstack == VMOTION_NETSTACK:
        services = services - {"vmotion"}
    ip = spec.ip
    static = ip is not None and not ip.dhcp and bool(ip.ipAddress)
    return Vmk(
        device=raw.device,
        portgroup=raw.portgroup or spec.portgroup or "",
        ip=ip.ipAddress if static else None,
        prefix=_prefix(ip.subnetMask) if static else None,
        mtu=int(spec.mtu or 1500),
        services=services,
        netstack=netstack,
        mac=spec.mac or "",
        distributed=distributed,
    )


def map_neighbor(hint: Any) -> Neighbor | None:
    cdp = getattr(hint, "connectedSwitchPort", None)
    if cdp is not None and cdp.devId:
        return Neighbor("cdp", cdp.devId, cdp.portId or "", cdp.address or None, cdp.mtu or None)
    lldp = getattr(hint, "lldpInfo", None)
    if lldp is not None:
        params = {p.key: p.value for p in (lldp.parameter or [])}
        name = str(params.get("System Name") or lldp.chassisId or "")
        return Neighbor("lldp", name, lldp.portId or "") if name else None
    return None


def map_pnic(raw: Any, neighbor: Neighbor | None) -> Pnic:
    speed = raw.linkSpeed
    configured = raw.spec.linkSpeed if raw.spec is not None else None
    return Pnic(
        device=raw.device,
        mac=raw.mac or "",
        driver=raw.driver or "",
        speed_mb=int(speed.speedMb) if speed is not None else None,
        full_duplex=bool(speed.duplex) if speed is not None else True,
        configured_speed_mb=int(configured.speedMb) if configured is not None else None,
        configured_full_duplex=bool(configured.duplex) if configured is not None else True,
        neighbor=neighbor,
        valid_speeds=tuple(
            (int(s.speedMb), bool(s.duplex)) for s in (getattr(raw, "validLinkSpecification", None) or [])
        ),
    )


def map_proxy_switch(raw: Any, devices: Mapping[str, str]) -> ProxySwitch:
    """A host's side of a distributed switch: its uplinks from the backing's pnicSpec and from its pnic
    keys (``devices``: pnic key -> device)."""
    backing = raw.spec.backing if raw.spec is not None else None
    uplinks = [p.pnicDevice for p in (getattr(backing, "pnicSpec", None) or []) if p.pnicDevice]
    uplinks += [devices.get(key, key) for key in (raw.pnic or [])]
    return ProxySwitch(str(raw.dvsName or raw.dvsUuid or "?"), tuple(dict.fromkeys(uplinks)))


def host_state(raw: RawHost) -> HostState:
    """Map one host's read (networkInfo, vMotion selection, network hints) onto the core's HostState."""
    props = raw.props
    network = raw.network
    neighbors = {hint.device: map_neighbor(hint) for hint in raw.hints}
    services = vmk_services(raw.net_config)
    pnics = tuple(map_pnic(p, neighbors.get(p.device)) for p in (getattr(network, "pnic", None) or []))
    vswitches = tuple(map_vswitch(v) for v in (getattr(network, "vswitch", None) or []))
    portgroups = tuple(map_portgroup(p) for p in (getattr(network, "portgroup", None) or []))
    proxies = list(getattr(network, "proxySwitch", None) or [])
    devices = {p.key: p.device for p in (getattr(network, "pnic", None) or []) if p.key}
    switches = {p.dvsUuid: p.dvsName for p in proxies if p.dvsUuid and p.dvsName}
    vmks = tuple(
        map_vmk(v, services.get(v.device, frozenset()), switches)
        for v in (getattr(network, "vnic", None) or [])
    )
    extra = (
        ("connection", str(props.get("runtime.connectionState", ""))),
        ("maintenance", "yes" if props.get("runtime.inMaintenanceMode") else "no"),
    )
    return HostState(
        name=raw.name,
        version=str(props.get("config.product.version") or ""),
        boot_time=props.get("runtime.bootTime"),
        pnics=pnics,
        vswitches=vswitches,
        portgroups=portgroups,
        vmks=vmks,
        extra=extra,
        proxy_switches=tuple(map_proxy_switch(p, devices) for p in proxies),
    )
