"""Discovery: one PropertyCollector read per connection, mapped onto core.model.HostState.

Attribute walks on managed objects are hidden round trips in pyVmomi, so every property is fetched
with RetrievePropertiesEx (plus at most one QueryNetworkHint per host for CDP/LLDP neighbours).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any

from pyVmomi import vim, vmodl

from vmesh_tui.core.model import (
    DEFAULT_NETSTACK,
    VMOTION_NETSTACK,
    CdpMode,
    HostState,
    Neighbor,
    Pnic,
    Portgroup,
    Vmk,
    VSwitch,
)

HOST_PATHS = (
    "name",
    "config.network",
    "config.product.version",
    "config.virtualNicManagerInfo.netConfig",
    "runtime.bootTime",
    "runtime.connectionState",
    "runtime.inMaintenanceMode",
    "configManager.networkSystem",
    "configManager.virtualNicManager",
)

PC = vmodl.query.PropertyCollector


@dataclass
class RawHost:
    """What one host's read returned: the properties by path and the host's managed object."""

    moref: Any
    props: dict[str, Any]
    hints: list[Any] = field(default_factory=list)

    @property
    def name(self) -> str:
        name = self.props.get("name")
        return str(name) if name else str(getattr(self.moref, "_moId", "?"))


def _traversal(to_hosts: bool = True) -> list[Any]:
    """Folder -> Datacenter.hostFolder -> Folder(s) [-> ComputeResource.host], as select specs."""
    to_child = PC.TraversalSpec(name="folderToChild", type=vim.Folder, path="childEntity", skip=False)
    dc_to_hosts = PC.TraversalSpec(name="dcToHostFolder", type=vim.Datacenter, path="hostFolder", skip=False)
    follow_folder = [PC.SelectionSpec(name="folderToChild")]
    to_child.selectSet = [*follow_folder, PC.SelectionSpec(name="dcToHostFolder")]
    dc_to_hosts.selectSet = follow_folder
    if not to_hosts:
        return [to_child, dc_to_hosts]
    cr_to_host = PC.TraversalSpec(name="crToHost", type=vim.ComputeResource, path="host", skip=False)
    to_child.selectSet.append(PC.SelectionSpec(name="crToHost"))
    return [to_child, dc_to_hosts, cr_to_host]


def retrieve(collector: Any, spec: Any) -> list[Any]:
    """RetrievePropertiesEx plus its continuations (one request unless the result is paged)."""
    result = collector.RetrievePropertiesEx([spec], PC.RetrieveOptions())
    objects = list(result.objects) if result else []
    while result is not None and result.token:
        result = collector.ContinueRetrievePropertiesEx(result.token)
        objects += list(result.objects) if result else []
    return objects


def _as_raw(objects: list[Any]) -> list[RawHost]:
    return [RawHost(obj.obj, {p.name: p.val for p in (obj.propSet or [])}) for obj in objects]


def read_hosts_from_root(content: Any) -> list[RawHost]:
    """Every HostSystem below the root folder with HOST_PATHS: one request (used for ESXi hosts)."""
    spec = PC.FilterSpec(
        objectSet=[PC.ObjectSpec(obj=content.rootFolder, skip=True, selectSet=_traversal())],
        propSet=[PC.PropertySpec(type=vim.HostSystem, pathSet=list(HOST_PATHS))],
    )
    return _as_raw(retrieve(content.propertyCollector, spec))


def list_clusters(content: Any) -> dict[str, list[Any]]:
    """Cluster name -> its hosts' managed objects (one request)."""
    spec = PC.FilterSpec(
        objectSet=[PC.ObjectSpec(obj=content.rootFolder, skip=True, selectSet=_traversal(to_hosts=False))],
        propSet=[PC.PropertySpec(type=vim.ClusterComputeResource, pathSet=["name", "host"])],
    )
    clusters: dict[str, list[Any]] = {}
    for obj in retrieve(content.propertyCollector, spec):
        props = {p.name: p.val for p in (obj.propSet or [])}
        clusters[str(props.get("name", ""))] = list(props.get("host") or [])
    return clusters


def read_hosts(content: Any, hosts: list[Any]) -> list[RawHost]:
    """HOST_PATHS of the given hosts (one request)."""
    if not hosts:
        return []
    spec = PC.FilterSpec(
        objectSet=[PC.ObjectSpec(obj=host, skip=False) for host in hosts],
        propSet=[PC.PropertySpec(type=vim.HostSystem, pathSet=list(HOST_PATHS))],
    )
    return _as_raw(retrieve(content.propertyCollector, spec))


def hint_candidates(network: Any) -> list[str]:
    """NICs worth a CDP/LLDP question: link up (only those can hear a neighbour)."""
    return [p.device for p in (getattr(network, "pnic", None) or []) if p.linkSpeed is not None]


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
    """vmk device -> the services (nic types) it is selected for, from virtualNicManagerInfo.netConfig."""
    services: dict[str, set[str]] = {}
    for config in net_configs or []:
        by_key = {vnic.key: vnic.device for vnic in (config.candidateVnic or [])}
        for key in config.selectedVnic or []:
            device = by_key.get(key) or key.rsplit("-", 1)[-1]
            services.setdefault(device, set()).add(config.nicType)
    return {device: frozenset(types) for device, types in services.items()}


def map_vmk(raw: Any, services: frozenset[str]) -> Vmk:
    """A vmk. On the vmotion netstack vMotion comes with the stack (hosts list such vmks as selected
    for vMotion without a tag), so it is not reported as a service: services are what was tagged."""
    spec = raw.spec
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
    )


def host_state(raw: RawHost) -> HostState:
    """Map one host's properties (and network hints) onto the core's HostState."""
    props = raw.props
    network = props.get("config.network")
    neighbors = {hint.device: map_neighbor(hint) for hint in raw.hints}
    services = vmk_services(props.get("config.virtualNicManagerInfo.netConfig"))
    pnics = tuple(map_pnic(p, neighbors.get(p.device)) for p in (getattr(network, "pnic", None) or []))
    vswitches = tuple(map_vswitch(v) for v in (getattr(network, "vswitch", None) or []))
    portgroups = tuple(map_portgroup(p) for p in (getattr(network, "portgroup", None) or []))
    vmks = tuple(
        map_vmk(v, services.get(v.device, frozenset())) for v in (getattr(network, "vnic", None) or [])
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
    )
