"""Reading hosts: one PropertyCollector RetrievePropertiesEx per connection.

A host's network state comes from the objects that take the changes: ``HostNetworkSystem.networkInfo``
and ``HostVirtualNicManager.info`` (the vMotion selection), reached by traversal from each HostSystem
inside the same request. ``HostSystem.config.network`` is not read: through a vCenter (and in vcsim) it
is a cached copy that is refreshed asynchronously, so it can miss a change the host has just made.
Attribute walks on managed objects are hidden round trips in pyVmomi, so none are used here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pyVmomi import vim, vmodl

HOST_PATHS = (
    "name",
    "config.product.version",
    "runtime.bootTime",
    "runtime.connectionState",
    "runtime.inMaintenanceMode",
    "configManager.networkSystem",
    "configManager.virtualNicManager",
)
NETWORK_PATH = "networkInfo"  # on the HostNetworkSystem
SERVICES_PATH = "info.netConfig"  # on the HostVirtualNicManager

PC = vmodl.query.PropertyCollector


@dataclass
class RawHost:
    """What one host's read returned: HostSystem properties by path, the network system's networkInfo,
    the vNIC manager's netConfig, and (added later) the network hints."""

    moref: Any
    props: dict[str, Any]
    network: Any = None
    net_config: Any = None
    hints: list[Any] = field(default_factory=list)

    @property
    def name(self) -> str:
        name = self.props.get("name")
        return str(name) if name else str(getattr(self.moref, "_moId", "?"))


def manager_traversal() -> list[Any]:
    """HostSystem -> its HostNetworkSystem and HostVirtualNicManager."""
    return [
        PC.TraversalSpec(
            name="hostToNetworkSystem", type=vim.HostSystem, path="configManager.networkSystem", skip=False
        ),
        PC.TraversalSpec(
            name="hostToVnicManager", type=vim.HostSystem, path="configManager.virtualNicManager", skip=False
        ),
    ]


def _traversal(to_hosts: bool = True) -> list[Any]:
    """Folder -> Datacenter.hostFolder -> Folder(s) [-> ComputeResource.host -> managers]."""
    to_child = PC.TraversalSpec(name="folderToChild", type=vim.Folder, path="childEntity", skip=False)
    dc_to_hosts = PC.TraversalSpec(name="dcToHostFolder", type=vim.Datacenter, path="hostFolder", skip=False)
    follow_folder = [PC.SelectionSpec(name="folderToChild")]
    to_child.selectSet = [*follow_folder, PC.SelectionSpec(name="dcToHostFolder")]
    dc_to_hosts.selectSet = follow_folder
    if not to_hosts:
        return [to_child, dc_to_hosts]
    cr_to_host = PC.TraversalSpec(
        name="crToHost", type=vim.ComputeResource, path="host", skip=False, selectSet=manager_traversal()
    )
    to_child.selectSet.append(PC.SelectionSpec(name="crToHost"))
    return [to_child, dc_to_hosts, cr_to_host]


def host_property_specs() -> list[Any]:
    return [
        PC.PropertySpec(type=vim.HostSystem, pathSet=list(HOST_PATHS)),
        PC.PropertySpec(type=vim.host.NetworkSystem, pathSet=[NETWORK_PATH]),
        PC.PropertySpec(type=vim.host.VirtualNicManager, pathSet=[SERVICES_PATH]),
    ]


def retrieve(collector: Any, spec: Any) -> list[Any]:
    """RetrievePropertiesEx plus its continuations (one request unless the result is paged)."""
    result = collector.RetrievePropertiesEx([spec], PC.RetrieveOptions())
    objects = list(result.objects) if result else []
    while result is not None and result.token:
        result = collector.ContinueRetrievePropertiesEx(result.token)
        objects += list(result.objects) if result else []
    return objects


def read_properties(collector: Any, obj: Any, kind: Any, paths: list[str]) -> dict[str, Any]:
    """``paths`` of the one managed object ``obj`` of type ``kind``, by path (one request)."""
    spec = PC.FilterSpec(
        objectSet=[PC.ObjectSpec(obj=obj, skip=False)], propSet=[PC.PropertySpec(type=kind, pathSet=paths)]
    )
    return {p.name: p.val for found in retrieve(collector, spec) for p in (found.propSet or [])}


def _moid(ref: Any) -> str | None:
    moid = getattr(ref, "_moId", None)
    return str(moid) if moid else None


def as_raw_hosts(objects: list[Any]) -> list[RawHost]:
    """Group one read's object contents: each host with its own managers' values (matched by the
    configManager references the host itself returned)."""
    values: dict[str, dict[str, Any]] = {}
    hosts: list[tuple[Any, dict[str, Any]]] = []
    for obj in objects:
        props = {p.name: p.val for p in (obj.propSet or [])}
        if isinstance(obj.obj, vim.HostSystem):
            hosts.append((obj.obj, props))
        elif _moid(obj.obj):
            values[str(_moid(obj.obj))] = props
    raws = []
    for moref, props in hosts:
        network = values.get(_moid(props.get("configManager.networkSystem")) or "", {})
        manager = values.get(_moid(props.get("configManager.virtualNicManager")) or "", {})
        raws.append(RawHost(moref, props, network.get(NETWORK_PATH), manager.get(SERVICES_PATH)))
    return raws


def read_hosts_from_root(content: Any) -> list[RawHost]:
    """Every HostSystem below the root folder, with its network state: one request (ESXi hosts)."""
    spec = PC.FilterSpec(
        objectSet=[PC.ObjectSpec(obj=content.rootFolder, skip=True, selectSet=_traversal())],
        propSet=host_property_specs(),
    )
    return as_raw_hosts(retrieve(content.propertyCollector, spec))


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
    """The given hosts with their network state (one request)."""
    if not hosts:
        return []
    spec = PC.FilterSpec(
        objectSet=[PC.ObjectSpec(obj=host, skip=False, selectSet=manager_traversal()) for host in hosts],
        propSet=host_property_specs(),
    )
    return as_raw_hosts(retrieve(content.propertyCollector, spec))


def read_network_info(content: Any, host: Any) -> Any:
    """networkInfo of one host's HostNetworkSystem, reached from the HostSystem (one request; a host that
    is gone answers ManagedObjectNotFound). None when the host returned nothing."""
    spec = PC.FilterSpec(
        objectSet=[PC.ObjectSpec(obj=host, skip=True, selectSet=manager_traversal()[:1])],
        propSet=[PC.PropertySpec(type=vim.host.NetworkSystem, pathSet=[NETWORK_PATH])],
    )
    for obj in retrieve(content.propertyCollector, spec):
        for prop in obj.propSet or []:
            if prop.name == NETWORK_PATH:
                return prop.val
    return None


def hint_candidates(network: Any) -> list[str]:
    """NICs worth a CDP/LLDP question: link up (only those can hear a neighbour)."""
    return [p.device for p in (getattr(network, "pnic", None) or []) if p.linkSpeed is not None]
