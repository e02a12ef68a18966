"""Pure engine logic: object matching, differences, steps toward a target, and the stale-plan check."""

from __future__ import annotations

from dataclasses import replace

import pytest

from vmesh_tui.core.model import HostState, Neighbor, Pnic, Portgroup, Vmk, VSwitch
from vmesh_tui.core.steps import Action
from vmesh_tui.engine import objects
from vmesh_tui.engine.planning import PlanRequest, build_plan, stale_reasons

A, B = "esx-a", "esx-b"
MANAGEMENT = frozenset({"management"})


def _host(name: str, last_octet: int) -> HostState:
    pnics = tuple(Pnic(f"vmnic{i}", f"00:50:56:00:{last_octet:02x}:{i:02x}", "igb", 1000) for i in range(4))
    return HostState(
        name=name,
        pnics=pnics,
        vswitches=(VSwitch("vSwitch0", 1500, ("vmnic0",), ("vmnic0",)),),
        portgroups=(Portgroup("Management Network", "vSwitch0"),),
        vmks=(
            Vmk(
                "vmk0",
                "Management Network",
                f"192.168.1.{last_octet}",
                24,
                services=frozenset({"management"}),
            ),
        ),
    )


def _hosts() -> dict[str, HostState]:
    return {A: _host(A, 1), B: _host(B, 2)}


def test_designed_vmk_matches_the_created_one_whatever_its_device() -> None:
    designed = Vmk("", "vmesh-vmotion-1", "10.0.0.1", 30, 9000, frozenset({"vmotion"}))
    created = replace(designed, device="vmk7", mac="00:50:56:7a:00:01")
    assert objects.matches(created, designed)
    assert not objects.matches(replace(created, services=frozenset()), designed)


def test_pnics_are_judged_by_configuration_only() -> None:
    pnic = Pnic("vmnic1", "m", speed_mb=1000)
    heard = replace(pnic, neighbor=Neighbor("cdp", "esx-b", "vmnic1"), speed_mb=None)
    assert objects.matches(heard, pnic) and objects.differences(_host(A, 1), _host(A, 1)) == []
    step = objects.step_to(A, pnic, replace(pnic, configured_speed_mb=1000))
    assert step is not None and step.action == Action.UPDATE
    assert step.after == replace(pnic, configured_speed_mb=1000)


def test_differences_name_what_was_added_missing_or_changed() -> None:
    start = _host(A, 1)
    now = replace(start, vswitches=(replace(start.vswitches[0], mtu=9000), VSwitch("vmesh-1")), vmks=())
    assert objects.differences(start, now) == [
        f"{A}: vSwitch vSwitch0 changed",
        f"{A}: vSwitch vmesh-1 was added",
        f"{A}: vmk Management Network is missing",
    ]


def test_plan_assembly_uses_exactly_the_manual_links() -> None:
    request = PlanRequest("172.31.250.0/24", manual_links=((f"{A}/vmnic2", f"{B}/vmnic2"),))
    planned = build_plan(_hosts(), request)
    assert [(link.cable.a, link.cable.b) for link in planned.links] == [(f"{A}/vmnic2", f"{B}/vmnic2")]
    assert planned.links[0].a_ip == "172.31.250.1" and not planned.errors
    assert {s.kind for s in planned.plan.steps} == {"add_vswitch", "add_portgroup", "add_vmk"}
    assert stale_reasons(planned, _hosts()) == []


@pytest.mark.parametrize("change", ["vswitch-on-planned-name", "nic-taken"])
def test_a_plan_made_on_other_state_is_stale(change: str) -> None:
    request = PlanRequest("172.31.250.0/24", manual_links=((f"{A}/vmnic2", f"{B}/vmnic2"),))
    planned = build_plan(_hosts(), request)
    now = _hosts()
    if change == "vswitch-on-planned-name":
        name = planned.plan.for_host(A)[0].target
        now[A] = replace(now[A], vswitches=(*now[A].vswitches, VSwitch(name, 1500)))
    else:
        now[B] = replace(
            now[B], vswitches=(*now[B].vswitches, VSwitch("other", 1500, ("vmnic2",), ("vmnic2",)))
        )
    reasons = stale_reasons(planned, now)
    assert reasons and all(isinstance(r, str) for r in reasons)


def test_a_changed_object_the_plan_does_not_touch_is_not_stale() -> None:
    request = PlanRequest("172.31.250.0/24", manual_links=((f"{A}/vmnic2", f"{B}/vmnic2"),))
    planned = build_plan(_hosts(), request)
    now = _hosts()
    now[A] = replace(now[A], vswitches=(replace(now[A].vswitches[0], mtu=1600),))
    assert stale_reasons(planned, now) == []


def test_vmk_steps_read_without_a_doubled_vmk() -> None:
    from vmesh_tui.core.steps import Step

    new = Vmk("", "vmesh-vmotion-1", "172.31.250.1", 30, 9000)
    add = Step("esx-a", Action.ADD, None, new)
    assert objects.describe_step(add) == "add vmk on vmesh-vmotion-1 (172.31.250.1/30)"
    assert objects.describe_step(add, "vmk3") == "added vmk3 on vmesh-vmotion-1 (172.31.250.1/30)"
    old = replace(new, device="vmk2")
    assert objects.describe_step(Step("esx-a", Action.REMOVE, old, None)) == (
        "remove vmk2 on vmesh-vmotion-1 (172.31.250.1/30)"
    )
    assert "vmk vmk" not in objects.describe_step(Step("esx-a", Action.REMOVE, old, None))
