"""Step runner ordering: journal before/after, lost replies recognised, undo in reverse from actual state.

Uses the in-memory stand-in (memory_hosts) for ordering logic only; the twin-backed tests cover the real path.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import pytest

from tests.engine.memory_hosts import MemoryHosts
from vmesh_tui.core.model import HostState, Pnic, Portgroup, Vmk, VSwitch
from vmesh_tui.core.steps import Action, Step
from vmesh_tui.engine import objects
from vmesh_tui.engine.events import Event
from vmesh_tui.engine.journal import DONE, FAILED, UNDONE, Journal
from vmesh_tui.engine.runner import RunOutcome, StepError, StepExecutor, stream
from vmesh_tui.engine.undo import undo, undo_steps


def _start(name: str) -> HostState:
    return HostState(name=name, pnics=(Pnic("vmnic1", "m1", speed_mb=1000),))


def _steps(host: str) -> list[Step]:
    vswitch = VSwitch("vmesh-1", 9000, ("vmnic1",), ("vmnic1",))
    portgroup = Portgroup("vmesh-1", "vmesh-1", active=("vmnic1",), standby=(), teaming="failover_explicit")
    vmk = Vmk("", "vmesh-1", "10.0.0.1", 30, 9000, frozenset({"vmotion"}))
    pnic = Pnic("vmnic1", "m1", speed_mb=1000, configured_speed_mb=1000)
    return [
        Step(host, Action.ADD, None, vswitch),
        Step(host, Action.ADD, None, portgroup),
        Step(host, Action.ADD, None, vmk),
        Step(host, Action.UPDATE, _start(host).pnics[0], pnic),
    ]


async def _run(hosts: MemoryHosts, journal: Journal) -> tuple[RunOutcome, list[Event], StepExecutor]:
    queue: asyncio.Queue[Event] = asyncio.Queue()
    executor = StepExecutor(hosts, journal, queue)
    outcome = RunOutcome()
    jobs = [executor.run_host(h, _steps(h), outcome, 4) for h in ("a", "b")]
    events = [e async for e in stream(jobs, queue)]
    return outcome, events, executor


async def test_all_steps_run_and_are_journaled_with_the_created_vmk(tmp_path: Path) -> None:
    starts = {"a": _start("a"), "b": _start("b")}
    hosts = MemoryHosts(starts)
    journal = Journal.create(tmp_path, starts, (), None, {})
    outcome, events, _ = await _run(hosts, journal)
    assert outcome.failure is None
    assert [r.status for r in Journal.load(journal.path).records] == [DONE] * 8
    assert {r.vmk for r in journal.records if r.step.kind == "add_vmk"} == {"vmk0"}
    assert sum(e.kind == "step_done" for e in events) == 8
    assert hosts.states["a"].vmk("vmk0") is not None


async def test_lost_reply_is_recognised_not_repeated(tmp_path: Path) -> None:
    starts = {"a": _start("a")}
    hosts = MemoryHosts(starts)
    hosts.fail_at[3] = "lost"  # the vmk add: applied, reply dropped
    journal = Journal.create(tmp_path, starts, (), None, {})
    queue: asyncio.Queue[Event] = asyncio.Queue()
    executor = StepExecutor(hosts, journal, queue)
    outcome = RunOutcome()
    events = [e async for e in stream([executor.run_host("a", _steps("a"), outcome, 4)], queue)]
    assert outcome.failure is None
    assert len(hosts.calls) == 4 and len(hosts.states["a"].vmks) == 1
    assert journal.records[2].vmk == "vmk0"
    assert any(e.kind == "warning" and "reply was lost" in e.message for e in events)


async def test_failure_stops_and_undo_restores_start_in_reverse(tmp_path: Path) -> None:
    starts = {"a": _start("a"), "b": _start("b")}
    hosts = MemoryHosts(starts)
    hosts.fail_at[5] = "fault"
    journal = Journal.create(tmp_path, starts, (), None, {})
    outcome, _, executor = await _run(hosts, journal)
    assert outcome.failure is not None and "refused" in outcome.failure
    assert FAILED in [r.status for r in journal.records]
    calls_before_undo = len(hosts.calls)
    problems: list[str] = []
    events = [e async for e in undo(executor, outcome.records, hosts.read_all(), problems.append)]
    assert problems == []
    for name, start in starts.items():
        assert objects.differences(start, hosts.states[name]) == []
    undo_calls = hosts.calls[calls_before_undo:]
    for host in ("a", "b"):
        kinds = [s.kind for s in undo_calls if s.host == host]
        assert kinds == sorted(
            kinds, key=["update_pnic", "remove_vmk", "remove_portgroup", "remove_vswitch"].index
        )
    assert all(r.status == UNDONE for r in journal.records)
    assert sum(e.kind == "step_rolled_back" for e in events) == len(undo_calls)


def test_undo_steps_skip_objects_already_back() -> None:
    start = _start("a")
    journal_steps = _steps("a")[:2]
    records = [type("R", (), {"step": s, "host": "a"})() for s in journal_steps]
    assert undo_steps(records, start) == ([], {})  # type: ignore[arg-type]


def test_undo_removes_the_vmk_before_a_later_updated_portgroup() -> None:
    """A recover toggle journaled after the vmk must not move the portgroup's removal before the vmk's."""
    add_switch, add_group, add_vmk, _ = _steps("a")
    group = add_group.after
    assert isinstance(group, Portgroup)
    standby = Portgroup(group.name, group.vswitch, active=(), standby=("vmnic1",), teaming=group.teaming)
    toggles = [Step("a", Action.UPDATE, group, standby), Step("a", Action.UPDATE, standby, group)]
    records = [type("R", (), {"step": s, "host": "a"})() for s in [add_switch, add_group, add_vmk, *toggles]]
    vmk = Vmk("vmk1", "vmesh-1", "10.0.0.1", 30, 9000, frozenset({"vmotion"}))
    switch = add_switch.after
    assert isinstance(switch, VSwitch)
    now = HostState(name="a", pnics=_start("a").pnics, vswitches=(switch,), portgroups=(group,), vmks=(vmk,))
    undone, _ = undo_steps(records, now)  # type: ignore[arg-type]
    assert [type(s.obj).__name__ for s in undone] == ["Vmk", "Portgroup", "VSwitch"]
    assert all(s.action == Action.REMOVE for s in undone)


def test_recovery_never_toggles_a_look_alike_portgroup_on_a_foreign_vswitch() -> None:
    """A `vmesh-*` portgroup on vSwitch0 is the admin's: recovery must leave its failover order alone."""
    from vmesh_tui.core.model import HostState, Portgroup, VSwitch
    from vmesh_tui.engine.recovery import toggle_steps

    state = HostState(
        "esx-a",
        vswitches=(VSwitch("vSwitch0", uplinks=("vmnic0",)), VSwitch("vmesh-1", uplinks=("vmnic1",))),
        portgroups=(
            Portgroup("vmesh-vmotion-9", "vSwitch0", active=("vmnic0",), standby=()),
            Portgroup("vmesh-vmotion-1", "vmesh-1", active=("vmnic1",), standby=()),
        ),
    )
    steps = toggle_steps(state, "vmesh")
    assert {step.target for step in steps} == {"vmesh-vmotion-1"}
    assert len(steps) == 2


class _FirstCallLost(ConnectionError):
    first_call = True  # as the adapter marks it: no later call of the step was sent


async def test_an_update_whose_object_vanished_after_a_lost_first_call_is_not_re_created(
    tmp_path: Path,
) -> None:
    """An update's first call went unanswered and the host then shows the vmk gone (removed by someone
    else): neither as it was nor as the step wants, so the step fails; the tool never adds it back."""
    vmk = Vmk("vmk1", "vmesh-1", "10.0.0.1", 30, 9000, frozenset())
    start = replace(_start("a"), vmks=(vmk,))
    update = Step("a", Action.UPDATE, vmk, replace(vmk, mtu=1500, services=frozenset({"vmotion"})))

    class VanishingHosts(MemoryHosts):
        def run_step(self, step: Step) -> str | None:
            self.calls.append(step)
            self.states["a"] = replace(self.states["a"], vmks=())
            raise _FirstCallLost("the connection dropped")

    hosts = VanishingHosts({"a": start})
    executor = StepExecutor(hosts, Journal.create(tmp_path, {"a": start}, (), None, {}), asyncio.Queue())
    with pytest.raises(StepError, match="not what the tool expects") as raised:
        await executor.execute(update)
    assert not raised.value.unknown
    assert hosts.calls == [update] and hosts.states["a"].vmks == ()
