"""Plans: order, idempotence, resuming a half-applied run, drift, netstack changes, applier checks."""

from __future__ import annotations

from dataclasses import replace

import pytest
from core_factories import typical_host, with_lookalike

from vmesh_tui.core.addressing import carve
from vmesh_tui.core.design import DesignOptions, NicSpeed, design
from vmesh_tui.core.errors import CoreError
from vmesh_tui.core.model import Portgroup, VSwitch
from vmesh_tui.core.pairing import Cable, propose_cables
from vmesh_tui.core.plan import Plan, apply_plan, apply_step, make_plan, next_vmk_device
from vmesh_tui.core.steps import Action, Step

HOSTS = {h.name: h for h in (typical_host("esx-a"), typical_host("esx-b", "192.168.10.12/24"))}
LINKS = carve(propose_cables(list(HOSTS.values())).cables, "172.31.250.0/24").links


def _kinds(steps):
    return [f"{s.kind} {s.target}" for s in steps]


def test_fresh_plan_order_and_result():
    plan = make_plan(HOSTS, design(HOSTS, LINKS))
    assert plan.hosts == ("esx-a", "esx-b")
    assert _kinds(plan.for_host("esx-a"))[:5] == [
        "add_vswitch vmesh-1",
        "add_vswitch vmesh-2",
        "add_vswitch vmesh-3",
        "add_vswitch vmesh-4",
        "add_portgroup vmesh-vmotion-1",
    ]
    after = apply_plan(HOSTS, plan)
    assert [v.device for v in after["esx-b"].vmks] == ["vmk0", "vmk1", "vmk2", "vmk3", "vmk4"]
    assert make_plan(after, design(after, LINKS)).is_empty


def test_half_applied_state_gets_the_remaining_steps():
    desired = design(HOSTS, LINKS)
    plan = make_plan(HOSTS, desired)
    half = apply_plan(HOSTS, Plan(plan.steps[:7]))
    rest = make_plan(half, design(half, LINKS))
    assert _kinds(rest.steps) == _kinds(plan.steps[7:])


def test_drift_on_owned_objects_gives_updates_only():
    applied = apply_plan(HOSTS, make_plan(HOSTS, design(HOSTS, LINKS)))
    a = applied["esx-a"]
    drifted = replace(
        a,
        vswitches=tuple(replace(v, mtu=1500) if v.name == "vmesh-3" else v for v in a.vswitches),
        vmks=tuple(replace(v, mtu=1500) if v.portgroup == "vmesh-vmotion-3" else v for v in a.vmks),
    )
    plan = make_plan({**applied, "esx-a": drifted}, design({**applied, "esx-a": drifted}, LINKS))
    assert _kinds(plan.steps) == ["update_vswitch vmesh-3", "update_vmk vmesh-vmotion-3"]
    assert plan.steps[1].after.device == "vmk3"


def test_netstack_change_removes_and_adds_the_vmk():
    applied = apply_plan(HOSTS, make_plan(HOSTS, design(HOSTS, LINKS)))
    plan = make_plan(applied, design(applied, LINKS[:1], DesignOptions(netstack="vmotion")))
    assert _kinds(plan.for_host("esx-a")) == [
        "remove_vmk vmesh-vmotion-1",
        "remove_vmk vmesh-vmotion-2",
        "remove_vmk vmesh-vmotion-3",
        "remove_vmk vmesh-vmotion-4",
        "remove_portgroup vmesh-vmotion-2",
        "remove_portgroup vmesh-vmotion-3",
        "remove_portgroup vmesh-vmotion-4",
        "remove_vswitch vmesh-2",
        "remove_vswitch vmesh-3",
        "remove_vswitch vmesh-4",
        "add_vmk vmesh-vmotion-1",
    ]


def test_recabling_releases_nics_before_reusing_them():
    applied = apply_plan(HOSTS, make_plan(HOSTS, design(HOSTS, LINKS)))
    swapped = [Cable.between("esx-a/vmnic1", "esx-b/vmnic2", "manual", False)]
    swapped.append(Cable.between("esx-a/vmnic2", "esx-b/vmnic1", "manual", False))
    links = carve(swapped, "172.31.250.0/24").links
    desired = design(applied, links)
    plan = make_plan(applied, desired)
    result = apply_plan(applied, plan)
    assert result["esx-b"].vswitch("vmesh-1").uplinks == ("vmnic2",)
    assert make_plan(result, design(result, links)).is_empty


def test_forced_speed_is_the_last_step_and_reverts():
    options = DesignOptions(nic_speeds=(NicSpeed("esx-a/vmnic5", 1000, True),))
    plan = make_plan(HOSTS, design(HOSTS, LINKS, options))
    last = plan.for_host("esx-a")[-1]
    assert (last.kind, last.target, last.after.configured_speed_mb) == ("update_pnic", "vmnic5", 1000)
    assert apply_plan(apply_plan(HOSTS, plan), plan.inverse()) == HOSTS


def test_foreign_portgroup_on_owned_vswitch_blocks_the_plan():
    a = HOSTS["esx-a"]
    a = replace(
        a,
        vswitches=(*a.vswitches, VSwitch("vmesh-7", 9000, ("vmnic1",), ("vmnic1",))),
        portgroups=(*a.portgroups, Portgroup("Backup", "vmesh-7")),
    )
    with pytest.raises(CoreError, match="Move or remove Backup"):
        make_plan({**HOSTS, "esx-a": a}, design({**HOSTS, "esx-a": a}, LINKS))


def test_applier_refuses_what_a_host_would_refuse():
    a = HOSTS["esx-a"]
    with pytest.raises(CoreError, match="already an uplink of vSwitch0"):
        apply_step(a, Step("esx-a", Action.ADD, None, VSwitch("vmesh-1", uplinks=("vmnic0",))))
    with pytest.raises(CoreError, match="portgroups are still on it"):
        apply_step(a, Step("esx-a", Action.REMOVE, a.vswitch("vSwitch1"), None))
    with pytest.raises(CoreError, match="changed since the plan"):
        apply_step(a, Step("esx-a", Action.REMOVE, replace(a.vswitch("vSwitch1"), mtu=9000), None))
    with pytest.raises(CoreError, match="does not exist"):
        apply_step(a, Step("esx-a", Action.ADD, None, Portgroup("x", "nowhere")))


def test_next_vmk_fills_the_lowest_gap():
    a = HOSTS["esx-a"]
    assert next_vmk_device(a) == "vmk1"
    assert next_vmk_device(replace(a, vmks=())) == "vmk0"


def test_three_host_mesh_one_cable_per_pair():
    names = ("esx-a", "esx-b", "esx-c")
    hosts = {n: typical_host(n, f"192.168.10.{11 + i}/24") for i, n in enumerate(names)}
    cables = [
        Cable.between("esx-a/vmnic1", "esx-b/vmnic1", "manual", False),
        Cable.between("esx-a/vmnic2", "esx-c/vmnic1", "manual", False),
        Cable.between("esx-b/vmnic2", "esx-c/vmnic2", "manual", False),
    ]
    links = carve(cables, "10.44.0.0/24", hosts=list(hosts.values())).links
    applied = apply_plan(hosts, make_plan(hosts, design(hosts, links)))
    owned = {
        n: [(v.device, v.portgroup, v.ip) for v in s.vmks if v.portgroup.startswith("vmesh")]
        for n, s in applied.items()
    }
    assert owned == {
        "esx-a": [("vmk1", "vmesh-vmotion-1", "10.44.0.1"), ("vmk2", "vmesh-vmotion-2", "10.44.0.5")],
        "esx-b": [("vmk1", "vmesh-vmotion-1", "10.44.0.2"), ("vmk2", "vmesh-vmotion-3", "10.44.0.9")],
        "esx-c": [("vmk1", "vmesh-vmotion-2", "10.44.0.6"), ("vmk2", "vmesh-vmotion-3", "10.44.0.10")],
    }
    assert applied["esx-c"].vswitch("vmesh-3").uplinks == ("vmnic2",)
    assert apply_plan(applied, make_plan(hosts, design(hosts, links)).inverse()) == hosts


def _touched(plan):
    """Steps of esx-a about the look-alike portgroup or its vmk1."""
    return [
        (s.kind, s.target)
        for s in plan.for_host("esx-a")
        if s.target == "vmesh-vmotion-9" or getattr(s.obj, "device", "") == "vmk1"
    ]


@pytest.mark.parametrize("services", [frozenset({"management"}), frozenset({"vmotion"}), frozenset()])
def test_lookalike_portgroup_on_a_foreign_vswitch_and_its_vmk_are_never_touched(services):
    # Regression: a vmesh-* portgroup on vSwitch0 counted as the tool's, so its vmk (even a management
    # one) was removed first thing. Ownership now needs the owned name *and* an owned vSwitch.
    hosts = {**HOSTS, "esx-a": with_lookalike(HOSTS["esx-a"], services=services)}
    desired = design(hosts, LINKS)
    assert desired["esx-a"].portgroup("vmesh-vmotion-9") == Portgroup("vmesh-vmotion-9", "vSwitch0")
    assert desired["esx-a"].vmk("vmk1") == hosts["esx-a"].vmk("vmk1")
    plan = make_plan(hosts, desired)
    assert plan.steps[0].kind == "add_vswitch"
    assert _touched(plan) == []
    applied = apply_plan(hosts, plan)
    assert applied["esx-a"].vmk("vmk1") == hosts["esx-a"].vmk("vmk1")
    assert [v.device for v in applied["esx-a"].vmks] == ["vmk0", "vmk1", "vmk2", "vmk3", "vmk4", "vmk5"]
    assert make_plan(applied, design(applied, LINKS)).is_empty
    assert _touched(make_plan(applied, design(applied, ()))) == []
    assert apply_plan(applied, plan.inverse()) == hosts


def test_a_designed_name_taken_by_a_foreign_portgroup_refuses_the_plan():
    hosts = {**HOSTS, "esx-a": with_lookalike(HOSTS["esx-a"], "vmesh-vmotion-2", frozenset())}
    with pytest.raises(CoreError) as caught:
        make_plan(hosts, design(hosts, LINKS))
    assert caught.value.code == "owned-name-foreign"
    assert "vmesh-vmotion-2" in caught.value.message and "--name-prefix" in caught.value.remedy
    other = DesignOptions(name_prefix="mesh")
    assert make_plan(hosts, design(hosts, LINKS, other), "mesh").steps


def test_a_management_vmk_on_an_owned_portgroup_is_never_removed_or_updated():
    applied = apply_plan(HOSTS, make_plan(HOSTS, design(HOSTS, LINKS)))
    a = applied["esx-a"]
    tagged = replace(
        a,
        vmks=tuple(
            replace(v, services=frozenset({"management"})) if v.device == "vmk2" else v for v in a.vmks
        ),
    )
    hosts = {**applied, "esx-a": tagged}
    for links in (LINKS, LINKS[:1]):
        with pytest.raises(CoreError) as caught:
            make_plan(hosts, design(hosts, links))
        assert caught.value.code == "management-vmk-owned" and "vmk2" in caught.value.message
    desired = {**hosts, "esx-a": replace(tagged, vmks=tuple(v for v in tagged.vmks if v.device != "vmk2"))}
    assert make_plan(hosts, desired).is_empty  # dropping it from the desired state does not remove it
    # a hand-made desired state that changes the management vmk in place is ignored, not applied
    changed = replace(
        tagged, vmks=tuple(replace(v, mtu=1500) if v.device == "vmk2" else v for v in tagged.vmks)
    )
    assert make_plan(hosts, {**hosts, "esx-a": changed}).is_empty
