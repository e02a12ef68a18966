"""PropertyCollector reads as pyVmomi clients and Ansible send them, and the hidden Fetch."""

from __future__ import annotations

import pytest
from pyVmomi import vim, vmodl

PC = vmodl.query.PropertyCollector


def _host_view_spec(view: vim.view.ContainerView, paths: list[str]) -> PC.FilterSpec:
    traverse = PC.TraversalSpec(name="traverseEntities", type=vim.view.ContainerView, path="view", skip=False)
    return PC.FilterSpec(
        objectSet=[PC.ObjectSpec(obj=view, skip=True, selectSet=[traverse])],
        propSet=[PC.PropertySpec(type=vim.HostSystem, pathSet=paths)],
    )


def _inventory_walk_spec(root: vim.Folder) -> PC.FilterSpec:
    """The classic folder -> datacenter -> hostFolder -> compute resource -> host traversal."""
    folder_children = PC.TraversalSpec(
        name="folderTraversal", type=vim.Folder, path="childEntity", skip=False,
        selectSet=[PC.SelectionSpec(name="folderTraversal"), PC.SelectionSpec(name="dcToHostFolder"),
                   PC.SelectionSpec(name="crToHost")],
    )  # fmt: skip
    dc_to_folder = PC.TraversalSpec(
        name="dcToHostFolder", type=vim.Datacenter, path="hostFolder", skip=False,
        selectSet=[PC.SelectionSpec(name="folderTraversal")],
    )  # fmt: skip
    cr_to_host = PC.TraversalSpec(name="crToHost", type=vim.ComputeResource, path="host", skip=False)
    return PC.FilterSpec(
        objectSet=[
            PC.ObjectSpec(obj=root, skip=False, selectSet=[folder_children, dc_to_folder, cr_to_host])
        ],
        propSet=[PC.PropertySpec(type=vim.ManagedEntity, pathSet=["name"])],
    )


def test_one_retrieve_reads_discovery_paths_through_a_container_view(small_lab, connect) -> None:
    si = connect(small_lab.host("esx-b.test"))
    content = si.RetrieveContent()
    view = content.viewManager.CreateContainerView(content.rootFolder, [vim.HostSystem], True)
    paths = ["name", "config.network", "runtime.bootTime", "runtime.connectionState",
             "configManager.networkSystem", "configManager.virtualNicManager", "summary", "config.product",
             "hardware"]  # fmt: skip
    result = content.propertyCollector.RetrievePropertiesEx(
        [_host_view_spec(view, paths)], PC.RetrieveOptions()
    )
    assert len(result.objects) == 1 and result.token is None
    props = {p.name: p.val for p in result.objects[0].propSet}
    assert result.objects[0].obj._moId == "ha-host"
    assert props["name"] == "esx-b.test"
    assert props["runtime.connectionState"] == "connected"
    assert props["config.product"].apiType == "HostAgent"
    assert props["configManager.networkSystem"]._moId == "networkSystem"
    assert props["summary"].config.name == "esx-b.test"
    assert [v.device for v in props["config.network"].vnic] == ["vmk0"]
    assert {p.device for p in props["config.network"].pnic} == {"vmnic0", "vmnic1", "vmnic2"}
    assert props["runtime.bootTime"] == small_lab.endpoint("esx-b.test").sim.boot_time
    view.DestroyView()
    with pytest.raises(vmodl.fault.ManagedObjectNotFound):
        content.propertyCollector.RetrievePropertiesEx(
            [_host_view_spec(view, ["name"])], PC.RetrieveOptions()
        )


def test_folder_datacenter_compute_resource_traversal_finds_every_entity(small_lab, connect) -> None:
    si = connect(small_lab.hosts[0])
    content = si.RetrieveContent()
    found = content.propertyCollector.RetrieveProperties([_inventory_walk_spec(content.rootFolder)])
    names = {type(o.obj).__name__: o.propSet[0].val for o in found}
    assert names == {
        "vim.Folder": names["vim.Folder"],
        "vim.Datacenter": "ha-datacenter",
        "vim.ComputeResource": "esx-a.test",
        "vim.HostSystem": "esx-a.test",
    }
    assert len(found) == 5  # root folder, datacenter, host folder, compute resource, host


def test_paging_with_max_objects_and_continue(small_lab, connect) -> None:
    si = connect(small_lab.hosts[0])
    content = si.RetrieveContent()
    collector = content.propertyCollector
    first = collector.RetrievePropertiesEx(
        [_inventory_walk_spec(content.rootFolder)], PC.RetrieveOptions(maxObjects=2)
    )
    assert len(first.objects) == 2 and first.token
    second = collector.ContinueRetrievePropertiesEx(first.token)
    third = collector.ContinueRetrievePropertiesEx(second.token)
    assert len(second.objects) == 2 and len(third.objects) == 1 and third.token is None
    seen = [o.obj._moId for o in first.objects + second.objects + third.objects]
    assert len(set(seen)) == 5
    with pytest.raises(vmodl.fault.InvalidArgument):
        collector.ContinueRetrievePropertiesEx(first.token)


def _first_page(si) -> str:
    content = si.RetrieveContent()
    result = content.propertyCollector.RetrievePropertiesEx(
        [_inventory_walk_spec(content.rootFolder)], PC.RetrieveOptions(maxObjects=1)
    )
    assert result.token
    return result.token


def test_paging_tokens_end_with_their_session(small_lab, connect) -> None:
    host, endpoint = small_lab.host("esx-a.test"), small_lab.endpoint("esx-a.test")
    collector = endpoint.collector
    first, other = connect(host), connect(host)
    token = _first_page(first)
    with pytest.raises(vmodl.fault.InvalidArgument):  # a token is its session's own
        other.content.propertyCollector.ContinueRetrievePropertiesEx(token)
    _first_page(other)
    assert collector.pending_pages == 2
    first.content.sessionManager.Logout()
    assert collector.pending_pages == 1, "the logged-out session's unread pages are dropped"
    with pytest.raises(vmodl.fault.InvalidArgument):
        connect(host).content.propertyCollector.ContinueRetrievePropertiesEx(token)
    small_lab.reboot("esx-a.test")
    assert collector.pending_pages == 0, "a reboot ends every session and drops every page"


def test_all_properties_and_invalid_paths(small_lab, connect) -> None:
    si = connect(small_lab.hosts[0])
    content = si.RetrieveContent()
    network_system = PC.ObjectSpec(obj=vim.host.NetworkSystem("networkSystem", si._stub))
    everything = PC.FilterSpec(
        objectSet=[network_system], propSet=[PC.PropertySpec(type=vim.host.NetworkSystem, all=True)]
    )
    names = {p.name for p in content.propertyCollector.RetrieveProperties([everything])[0].propSet}
    assert {"networkInfo", "networkConfig", "capabilities"} <= names
    wrong = PC.FilterSpec(
        objectSet=[network_system],
        propSet=[PC.PropertySpec(type=vim.host.NetworkSystem, pathSet=["networkInfo.nope"])],
    )
    with pytest.raises(vmodl.query.InvalidProperty):
        content.propertyCollector.RetrievePropertiesEx([wrong], PC.RetrieveOptions())


def test_attribute_reads_use_fetch(small_lab, connect) -> None:
    si = connect(small_lab.host("esx-a.test"))
    before = small_lab.stats()["hosts"]["esx-a.test"].get("Fetch", 0)
    host = si.content.rootFolder.childEntity[0].hostFolder.childEntity[0].host[0]
    network_system = host.configManager.networkSystem
    assert host.runtime.inMaintenanceMode is False
    assert host.config.product.version == "8.0.3"
    assert network_system.networkInfo.vswitch[0].name == "vSwitch0"
    assert network_system.networkConfig.vswitch[0].name == "vSwitch0"
    assert network_system.capabilities is not None
    manager = host.configManager.virtualNicManager
    assert "vmotion" in [c.nicType for c in manager.info.netConfig]
    after = small_lab.stats()["hosts"]["esx-a.test"]["Fetch"]
    assert after - before >= 10
