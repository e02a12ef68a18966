"""Reboot recovery: on hosts rebooted since the apply, or with failing links, toggle the failover order
of the tool's portgroups (active -> standby -> active) and validate again.

After a reboot, a portgroup's failover override on a vSwitch with several uplinks may stop steering its
traffic until its teaming is updated again; the toggle is that update. Hosts with one uplink per vSwitch
(the per-link layout) need nothing when their links pass.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from typing import TypeVar

from vmesh_tui.core.model import HostState, Portgroup
from vmesh_tui.core.ordering import is_owned_portgroup
from vmesh_tui.core.steps import Action, Step
from vmesh_tui.engine.confirm import not_shown_sentence
from vmesh_tui.engine.events import Event, done, phase
from vmesh_tui.engine.hostio import HostIO
from vmesh_tui.engine.hostsapi import error_text
from vmesh_tui.engine.journal import DONE, FAILED, IN_FLIGHT, Journal, JournalWriteError
from vmesh_tui.engine.objects import describe_step, step_to, step_took_effect
from vmesh_tui.engine.results import RecoverResult, ValidationResult
from vmesh_tui.engine.runner import StepError, StepExecutor

T = TypeVar("T")


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
        if not is_owned_portgroup(group, prefix) or not group.active:
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


async def _validated(engine: HostIO, journal: Journal, sink: list[Event]) -> ValidationResult:
    result: ValidationResult | None = None
    async for event in engine.validate(journal.links, journal.options):
        if event.kind == "done":
            result = event.result
        else:
            sink.append(event)
    assert result is not None
    return result


def pending_toggles(journal: Journal, state: HostState) -> list[Step]:
    """Steps that finish a toggle left half done (a crash or a failure between its two updates).

    A tool portgroup that shows exactly the "standby" half of a journaled toggle has no active uplink:
    it is put back to the order it had before that toggle.
    """
    steps = []
    for group in state.portgroups:
        if group.active:
            continue
        for record in reversed(journal.records_for(state.name)):
            step = record.step
            if (
                step.action == Action.UPDATE
                and isinstance(step.before, Portgroup)
                and step.before.name == group.name
                and step.before.active
                and step.after == group
            ):
                steps.append(Step(state.name, Action.UPDATE, group, step.before))
                break
    return steps


async def _journaled(executor: StepExecutor, journal: Journal, step: Step) -> None:
    """Run one step with its journal record (so a crash in the middle is visible); raises StepError.

    A journal that cannot be written does not stop a toggle halfway (that would leave a portgroup with
    no active uplink): the record is kept in memory and the operation reports the journal's failure."""
    record = _quietly(lambda: journal.step_started(step)) or journal.records[-1]
    try:
        await executor.execute(step, record)
    except StepError as exc:
        status, error = (IN_FLIGHT if exc.unknown else FAILED), str(exc)
        _quietly(lambda: journal.step_finished(record, status, error=error))
        raise
    _quietly(lambda: journal.step_finished(record, DONE))


async def _confirm(engine: HostIO, step: Step) -> None:
    """Read the step's host again (one request): StepError when it does not show the change."""
    try:
        state = await engine.read_host(step.host)
    except Exception as exc:
        raise StepError(f"it cannot be read to confirm the change ({error_text(exc)})") from None
    if not step_took_effect(state, step):
        raise StepError(not_shown_sentence(step))


def _quietly(write: Callable[[], T]) -> T | None:
    try:
        return write()
    except JournalWriteError:
        return None


async def _restore(engine: HostIO, executor: StepExecutor, journal: Journal, step: Step) -> str | None:
    """Put a portgroup back to its order (``step`` is standby -> original): try twice, then re-read the host
    and restore the original spec from what it shows. Returns the problem when all of that failed."""
    errors = []
    for _ in range(2):
        try:
            await _journaled(executor, journal, step)
            return None
        except StepError as exc:
            errors.append(str(exc))
    try:
        state = (await engine.read()).get(step.host)
        now = state.portgroup(step.target) if state is not None else None
        fix = step_to(step.host, now, step.after) if now is not None else None
        if fix is None and now is not None:
            return None
        if fix is not None:
            await _journaled(executor, journal, fix)
            return None
    except StepError as exc:
        errors.append(str(exc))
    except Exception as exc:
        errors.append(error_text(exc))
    return (
        f"{step.host}: portgroup {step.target} may be left with no active uplink: its failover order could"
        f" not be restored ({errors[-1]}); run recover again, or revert"
    )


def _not_shown(states: dict[str, HostState], steps: list[Step]) -> list[Step]:
    return [
        step for step in steps if step.host not in states or not step_took_effect(states[step.host], step)
    ]


async def _check_restored(
    engine: HostIO, executor: StepExecutor, journal: Journal, restored: list[Step]
) -> tuple[dict[str, HostState], list[str]]:
    """Read the hosts after the toggles: each order must be back as it was. One a host answered but does
    not show (a host that lies) is sent again and the hosts read once more (only then: a second read), so
    no portgroup is left on standby. The fresh states and a sentence per order that was not shown."""
    now = await engine.read()
    lied = _not_shown(now, restored)
    if not lied:
        return now, []
    problems = []
    for step in lied:
        problem = await _restore(engine, executor, journal, step)
        problems += [problem] if problem is not None else []
    now = await engine.read()
    still = _not_shown(now, lied)
    for step in lied:
        told = f"{step.host}: {describe_step(step)} was answered as done, but the host does not show it"
        if step in still:
            told += "; sent again, it still does not: run recover again, or revert"
        else:
            told += "; sent again, the host now shows it"
        problems.append(told)
    return now, problems


async def recover_hosts(engine: HostIO, journal: Journal) -> AsyncIterator[Event]:
    """The recover operation: rebooted hosts first; then, if links still fail, the hosts at their ends.

    Toggles are journaled, and the journal reads as an interrupted run while they happen: a crash between
    the two updates of a toggle shows in status, and the next recover (or revert) puts the order back.
    """
    options = journal.options
    executor = StepExecutor(engine.client, journal, asyncio.Queue(), engine.landing_wait_s)
    problems: list[str] = []
    toggled: list[str] = []
    restored: list[Step] = []
    done_hosts: list[str] = []
    rebooted: list[str] = []
    before = after = ValidationResult(False, (), "not validated")
    async for event in engine.wait_for_earlier_calls(journal):
        yield event
    states = await engine.read()  # before any change: a host that cannot be read stops recover here
    try:
        journal.begin_recover()
    except JournalWriteError as exc:
        yield done(RecoverResult(False, f"{exc}: nothing was changed", refused=True))
        return
    try:
        halfway = {h: pending_toggles(journal, states[h]) for h in sorted(journal.hosts) if h in states}
        for host, restores in halfway.items():
            for step in restores:
                yield phase(
                    f"restoring the failover order of {step.target} on {host} (a toggle left half done)"
                )
                problem = await _restore(engine, executor, journal, step)
                if problem is not None:
                    problems.append(problem)
                    yield Event("step_failed", host, 1, 1, problem)
                else:
                    yield Event("step_done", host, 1, 1, f"failover order of {step.target} restored")
        if any(halfway.values()):
            states = await engine.read()
        rebooted = rebooted_hosts(journal, states)
        pending: list[Event] = []
        before = after = await _validated(engine, journal, pending)
        for event in pending:
            yield event
        rounds = [[h for h in rebooted if any(_shares_uplinks(states[h], g) for g in states[h].portgroups)]]
        rounds.append(sorted(before.failing_hosts))
        for targets in rounds:
            targets = [h for h in targets if h not in done_hosts]
            if after.ok or not targets:
                continue
            for host in targets:
                steps = toggle_steps(states[host], options.name_prefix)
                total = len(steps)
                yield phase(f"toggling the failover order of {total // 2} portgroups on {host}")
                for index in range(0, total, 2):
                    down, up = steps[index], steps[index + 1]
                    try:
                        await _journaled(executor, journal, down)
                        await _confirm(engine, down)
                    except StepError as exc:
                        problems.append(f"{host}: {exc}")
                        yield Event("step_failed", host, index + 1, total, str(exc))
                        break
                    yield Event(
                        "step_done", host, index + 1, total, f"{down.target}: active uplink set to standby"
                    )
                    problem = await _restore(engine, executor, journal, up)
                    if problem is not None:
                        problems.append(problem)
                        yield Event("step_failed", host, index + 2, total, problem)
                        break
                    yield Event("step_done", host, index + 2, total, f"{up.target}: failover order restored")
                    toggled.append(f"{host}/{up.target}")
                    restored.append(up)
                done_hosts.append(host)
            pending = []
            after = await _validated(engine, journal, pending)
            for event in pending:
                yield event
        now, lies = await _check_restored(engine, executor, journal, restored)
        problems += lies
        _quietly(
            lambda: journal.set_boot_times({h: s.boot_time for h, s in now.items() if h in journal.hosts})
        )
    except (asyncio.CancelledError, GeneratorExit):
        await executor.settle()
        raise
    except Exception as exc:  # a host stopped answering between toggles: say so, never "nothing changed"
        problems.append(f"recover stopped: {error_text(exc)}; run recover again when the hosts answer")
    finally:
        _quietly(journal.end_recover)
    if journal.write_error is not None:
        problems.append(f"{journal.write_error}: the toggles above are not recorded in it")
    ok = after.ok and not problems
    if not done_hosts:
        message = (
            "all links pass; nothing to recover"
            if after.ok
            else "links fail, but no tool portgroup to toggle"
        )
    else:
        message = f"toggled {len(toggled)} portgroups on {', '.join(done_hosts)}; {after.message}"
    if problems:
        message = (
            f"{message}; {len(problems)} problem{'s' if len(problems) != 1 else ''}: {'; '.join(problems)}"
        )
    yield done(RecoverResult(ok, message, tuple(rebooted), tuple(toggled), before, after))
