"""Reboot recovery: on hosts rebooted since the apply, or with failing links, toggle the failover order
of the tool's portgroups (active -> standby -> active) and validate again.

After a reboot, a portgroup's failover override on a vSwitch with several uplinks may stop steering its
traffic until its teaming is updated again; the toggle is that update. Hosts with one uplink per vSwitch
(the per-link layout) need nothing when their links pass.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import TYPE_CHECKING

from vmesh_tui.core.model import HostState, Portgroup
from vmesh_tui.core.ordering import is_owned_name
from vmesh_tui.core.steps import Action, Step
from vmesh_tui.engine.events import Event, done, phase
from vmesh_tui.engine.journal import Journal
from vmesh_tui.engine.results import RecoverResult, ValidationResult
from vmesh_tui.engine.runner import StepError, StepExecutor

if TYPE_CHECKING:
    from vmesh_tui.engine.session import Engine


def rebooted_hosts(journal: Journal, states: dict[str, HostState]) -> list[str]:
    """Hosts whose bootTime is newer than the one journaled at apply time."""
    found = []
    for name in journal.hosts:
        then, now = journal.boot_time(name), states[name].boot_time if name in states else None
        if then is not None and now is not None and now > then:
            found.append(name)
    return found


def toggle_steps(state: HostState, prefix: str) -> list[Step]:
    """Two UpdatePortGroup steps per tool portgroup with an override: active -> standby, then back."""
    steps = []
    for group in state.portgroups:
        if not is_owned_name(group.name, prefix) or not group.active:
            continue
        standby = replace(group, active=(), standby=tuple(group.active) + tuple(group.standby or ()))
        steps += [
            Step(state.name, Action.UPDATE, group, standby),
            Step(state.name, Action.UPDATE, standby, group),
        ]
    return steps


def _shares_uplinks(state: HostState, group: Portgroup) -> bool:
    switch = state.vswitch(group.vswitch)
    return switch is not None and len(switch.uplinks) > 1


async def _validated(engine: Engine, journal: Journal, sink: list[Event]) -> ValidationResult:
    result: ValidationResult | None = None
    async for event in engine.validate(journal.links, journal.options):
        if event.kind == "done":
            result = event.result
        else:
            sink.append(event)
    assert result is not None
    return result


async def recover_hosts(engine: Engine, journal: Journal) -> AsyncIterator[Event]:
    """The recover operation: rebooted hosts first; then, if links still fail, the hosts at their ends."""
    options = journal.options
    states = await engine.read()
    rebooted = rebooted_hosts(journal, states)
    pending: list[Event] = []
    before = after = await _validated(engine, journal, pending)
    for event in pending:
        yield event
    rounds = [[h for h in rebooted if any(_shares_uplinks(states[h], g) for g in states[h].portgroups)]]
    rounds.append(sorted(before.failing_hosts))
    executor = StepExecutor(engine.client, journal, asyncio.Queue())
    toggled: list[str] = []
    problems: list[str] = []
    done_hosts: list[str] = []
    for targets in rounds:
        targets = [h for h in targets if h not in done_hosts]
        if after.ok or not targets:
            continue
        for host in targets:
            steps = toggle_steps(states[host], options.name_prefix)
            yield phase(f"toggling the failover order of {len(steps) // 2} portgroups on {host}")
            for index, step in enumerate(steps, start=1):
                try:
                    await executor.execute(step)
                except StepError as exc:
                    problems.append(f"{host}: {exc}")
                    yield Event("step_failed", host, index, len(steps), str(exc))
                    break
                yield Event("step_done", host, index, len(steps), f"failover order of {step.target} updated")
                if index % 2 == 0:
                    toggled.append(f"{host}/{step.target}")
            done_hosts.append(host)
        pending = []
        after = await _validated(engine, journal, pending)
        for event in pending:
            yield event
    journal.set_boot_times({h: s.boot_time for h, s in (await engine.read()).items() if h in journal.hosts})
    ok = after.ok and not problems
    if not done_hosts:
        message = (
            "all links pass; nothing to recover"
            if after.ok
            else "links fail, but no tool portgroup to toggle"
        )
    else:
        message = f"toggled {len(toggled)} portgroups on {', '.join(done_hosts)}; {after.message}"
    yield done(RecoverResult(ok, message, tuple(rebooted), tuple(toggled), before, after))
