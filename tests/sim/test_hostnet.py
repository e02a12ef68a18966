"""SimHost's vSwitch and portgroup methods: their effect on state and the faults real ESXi raises."""

from __future__ import annotations

import threading

import pytest
from pyVmomi import vim, vmodl

from vmesh_tui.sim.fabric.fabric import Fabric, build_fabric
from vmesh_tui.sim.host.simhost import SimHost
from vmesh_tui.sim.lab.load import demo_lab

Spec = vim.host.VirtualSwitch.Specification
Policy = vim.host.NetworkPolicy


def bridge(*nics: str, cdp: str | None = None) -> vim.host.VirtualSwitch.BondBridge:
    ldp = vim.host.LinkDiscoveryProtocolConfig(protocol="cdp", operation=cdp) if cdp else None
    return vim.host.VirtualSwitch.BondBridge(nicDevice=list(nics), linkDiscoveryProtocolConfig=ldp)


def override(active: list[str], standby: list[str] | None = None) -> vim.host.NetworkPolicy:
    order = Policy.NicOrderPolicy(activeNic=active, standbyNic=standby or [])
    return Policy(nicTeaming=Policy.NicTeamingPolicy(policy="failover_explicit", nicOrder=order))


def pg_spec(name: str, vswitch: str, policy: vim.host.NetworkPolicy | None = None, vlan: int = 0):
    return vim.host.PortGroup.Specification(
        name=name, vlanId=vlan, vswitchName=vswitch, policy=policy or Policy()
    )


@pytest.fixture
def fabric() -> Fabric:
    return build_fabric(demo_lab())


@pytest.fixture
def host(fabric: Fabric) -> SimHost:
    return fabric.hosts["esx-a.lab.local"]


def vswitch(host: SimHost, name: str) -> vim.host.VirtualSwitch:
    return next(v for v in host.network_info().vswitch if v.name == name)


def portgroup(host: SimHost, name: str) -> vim.host.PortGroup:
    return next(p for p in host.network_info().portgroup if p.spec.name == name)


def test_add_vswitch_stores_mtu_bridge_cdp_and_teaming(host: SimHost) -> None:
    host.AddVirtualSwitch("vmesh-1", Spec(numPorts=128, mtu=9000, bridge=bridge("vmnic1", cdp="both")))
    vs = vswitch(host, "vmesh-1")
    assert (vs.key, vs.mtu, vs.spec.mtu, vs.numPorts) == (
        "key-vim.host.VirtualSwitch-vmesh-1",
        9000,
        9000,
        128,
    )
    assert vs.pnic == ["key-vim.host.PhysicalNic-vmnic1"]
    assert vs.spec.bridge.nicDevice == ["vmnic1"]
    assert vs.spec.bridge.linkDiscoveryProtocolConfig.operation == "both"
    assert vs.spec.policy.nicTeaming.nicOrder.activeNic == ["vmnic1"]
    assert vs.spec.policy.nicTeaming.policy == "loadbalance_srcid"


def test_add_vswitch_without_spec_has_no_uplinks(host: SimHost) -> None:
    host.AddVirtualSwitch("bare")
    vs = vswitch(host, "bare")
    assert vs.spec.bridge is None and vs.pnic == [] and vs.mtu == 1500


@pytest.mark.parametrize(
    ("name", "spec", "fault", "text"),
    [
        ("vSwitch0", None, vim.fault.AlreadyExists, "vSwitch0"),
        ("x", Spec(numPorts=128, bridge=bridge("vmnic0")), vim.fault.ResourceInUse, "vmnic0"),
        ("x", Spec(numPorts=128, bridge=bridge("vmnic9")), vim.fault.NotFound, "vmnic9"),
        ("x", Spec(numPorts=128, mtu=9001), vmodl.fault.InvalidArgument, "spec.mtu"),
        ("x", Spec(numPorts=128, mtu=100), vmodl.fault.InvalidArgument, "spec.mtu"),
        ("x" * 33, None, vmodl.fault.InvalidArgument, "vswitchName"),
        (
            "x",
            Spec(numPorts=128, bridge=bridge("vmnic1", cdp="loud")),
            vmodl.fault.InvalidArgument,
            "operation",
        ),
    ],
)
def test_add_vswitch_faults(host: SimHost, name: str, spec: Spec | None, fault: type, text: str) -> None:
    with pytest.raises(fault) as caught:
        host.AddVirtualSwitch(name, spec)
    assert text in caught.value.msg
    assert [v.name for v in host.network_info().vswitch] == ["vSwitch0", "vSwitch1"], "nothing changed"


def test_update_vswitch_with_unset_bridge_removes_every_uplink(host: SimHost) -> None:
    host.UpdateVirtualSwitch("vSwitch1", Spec(numPorts=128, mtu=1500))
    vs = vswitch(host, "vSwitch1")
    assert vs.pnic == [] and vs.spec.bridge is None
    assert vs.spec.policy.nicTeaming.nicOrder.activeNic == []


def test_update_vswitch_read_modify_write_keeps_uplinks(host: SimHost) -> None:
    spec = vswitch(host, "vSwitch1").spec
    spec.mtu = 9000
    spec.bridge.nicDevice.append("vmnic1")
    host.UpdateVirtualSwitch("vSwitch1", spec)
    vs = vswitch(host, "vSwitch1")
    assert vs.mtu == 9000 and vs.spec.bridge.nicDevice == ["vmnic3", "vmnic7", "vmnic1"]
    assert vs.spec.policy.nicTeaming.nicOrder.activeNic == ["vmnic3", "vmnic7"], "a NIC left out is unused"
    spec = vs.spec
    spec.policy = None
    host.UpdateVirtualSwitch("vSwitch1", spec)
    assert vswitch(host, "vSwitch1").spec.policy.nicTeaming.nicOrder.activeNic == [
        "vmnic3",
        "vmnic7",
        "vmnic1",
    ]


def test_update_vswitch_nic_order_must_name_uplinks(host: SimHost) -> None:
    spec = vswitch(host, "vSwitch1").spec
    spec.policy.nicTeaming.nicOrder.activeNic = ["vmnic3", "vmnic5"]
    with pytest.raises(vmodl.fault.InvalidArgument, match="vmnic5 is not one of the uplinks"):
        host.UpdateVirtualSwitch("vSwitch1", spec)
    with pytest.raises(vim.fault.NotFound):
        host.UpdateVirtualSwitch("nope", Spec(numPorts=128))


def test_removing_an_uplink_prunes_portgroup_overrides(host: SimHost) -> None:
    host.AddPortGroup(pg_spec("pinned", "vSwitch1", override(["vmnic7"], ["vmnic3"])))
    spec = vswitch(host, "vSwitch1").spec
    spec.bridge.nicDevice = ["vmnic3"]
    spec.policy.nicTeaming.nicOrder.activeNic = ["vmnic3"]
    host.UpdateVirtualSwitch("vSwitch1", spec)
    order = portgroup(host, "pinned").spec.policy.nicTeaming.nicOrder
    assert (order.activeNic, order.standbyNic) == ([], ["vmnic3"])


def test_remove_vswitch_refuses_while_a_vmk_uses_it(host: SimHost) -> None:
    with pytest.raises(vim.fault.ResourceInUse, match="vmk0"):
        host.RemoveVirtualSwitch("vSwitch0")
    host.RemoveVirtualSwitch("vSwitch1")
    info = host.network_info()
    assert [v.name for v in info.vswitch] == ["vSwitch0"]
    assert "VM Network" not in [p.spec.name for p in info.portgroup], "its portgroups go with it"
    with pytest.raises(vim.fault.NotFound):
        host.RemoveVirtualSwitch("vSwitch1")


def test_portgroup_spec_keeps_only_what_was_set_and_computed_policy_merges(host: SimHost) -> None:
    host.AddVirtualSwitch("vmesh-s", Spec(numPorts=128, mtu=9000, bridge=bridge("vmnic1", "vmnic2")))
    host.AddPortGroup(pg_spec("vmesh-1", "vmesh-s", override(["vmnic1"]), vlan=5))
    pg = portgroup(host, "vmesh-1")
    assert (pg.key, pg.vswitch, pg.spec.vlanId) == (
        "key-vim.host.PortGroup-vmesh-1",
        vswitch(host, "vmesh-s").key,
        5,
    )
    security = pg.spec.policy.security  # present and empty where nothing is overridden, as real hosts send it
    assert security is not None and security.allowPromiscuous is security.macChanges is None
    assert pg.spec.policy.nicTeaming.reversePolicy is None
    assert pg.spec.policy.nicTeaming.nicOrder.activeNic == ["vmnic1"]
    assert pg.computedPolicy.nicTeaming.policy == "failover_explicit"
    assert pg.computedPolicy.nicTeaming.nicOrder.activeNic == ["vmnic1"]
    assert pg.computedPolicy.nicTeaming.nicOrder.standbyNic == []
    assert pg.computedPolicy.security.allowPromiscuous is False, "inherited from the vSwitch"
    assert "key-vim.host.PortGroup-vmesh-1" in vswitch(host, "vmesh-s").portgroup


@pytest.mark.parametrize(
    ("spec", "fault"),
    [
        (pg_spec("VM Network", "vSwitch1"), vim.fault.AlreadyExists),
        (pg_spec("new", "vSwitch9"), vim.fault.NotFound),
        (pg_spec("new", "vSwitch1", override(["vmnic1"])), vmodl.fault.InvalidArgument),
        (pg_spec("new", "vSwitch1", vlan=4096), vmodl.fault.InvalidArgument),
    ],
)
def test_add_portgroup_faults(host: SimHost, spec: vim.host.PortGroup.Specification, fault: type) -> None:
    with pytest.raises(fault):
        host.AddPortGroup(spec)
    assert "new" not in [p.spec.name for p in host.network_info().portgroup]


def test_update_portgroup_replaces_the_whole_spec(host: SimHost) -> None:
    host.AddPortGroup(pg_spec("pinned", "vSwitch1", override(["vmnic3"], ["vmnic7"])))
    host.UpdatePortGroup("pinned", pg_spec("pinned", "vSwitch1", vlan=7))
    pg = portgroup(host, "pinned")
    assert pg.spec.vlanId == 7 and pg.spec.policy.nicTeaming.nicOrder is None, "an unset policy drops it"
    assert pg.computedPolicy.nicTeaming.nicOrder.activeNic == ["vmnic3", "vmnic7"]


def test_update_portgroup_rename_moves_its_vmk_and_checks_names(host: SimHost) -> None:
    with pytest.raises(vim.fault.AlreadyExists):
        host.UpdatePortGroup("Management Network", pg_spec("VM Network", "vSwitch0"))
    with pytest.raises(vmodl.fault.InvalidArgument, match="vswitchName"):
        host.UpdatePortGroup("Management Network", pg_spec("Management Network", "vSwitch1"))
    with pytest.raises(vim.fault.NotFound):
        host.UpdatePortGroup("nope", pg_spec("nope", "vSwitch0"))
    host.UpdatePortGroup("Management Network", pg_spec("Mgmt", "vSwitch0"))
    assert host.network_info().vnic[0].portgroup == "Mgmt"


def test_remove_portgroup_refuses_while_a_vmk_is_on_it(host: SimHost) -> None:
    with pytest.raises(vim.fault.ResourceInUse, match="vmk0"):
        host.RemovePortGroup("Management Network")
    host.RemovePortGroup("VM Network")
    assert [p.spec.name for p in host.network_info().portgroup] == ["Management Network"]
    with pytest.raises(vim.fault.NotFound):
        host.RemovePortGroup("VM Network")


def test_state_is_per_host_and_reads_are_fresh_copies(fabric: Fabric, host: SimHost) -> None:
    host.AddVirtualSwitch("only-on-a")
    other = fabric.hosts["esx-b.lab.local"]
    assert "only-on-a" not in [v.name for v in other.network_info().vswitch]
    info = host.network_info()
    info.vswitch[0].spec.policy.nicTeaming.nicOrder.activeNic.clear()
    info.vswitch[0].spec.bridge.nicDevice.clear()
    assert vswitch(host, "vSwitch0").spec.bridge.nicDevice == ["vmnic0", "vmnic4"]


def test_concurrent_calls_all_take_effect(host: SimHost) -> None:
    def add(n: int) -> None:
        host.AddPortGroup(pg_spec(f"pg-{n}", "vSwitch1"))

    threads = [threading.Thread(target=add, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    names = {p.spec.name for p in host.network_info().portgroup}
    assert {f"pg-{n}" for n in range(16)} <= names
