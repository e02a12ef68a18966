"""Undoing journaled steps from the hosts' actual state, touching only what the tool owns.

The journal says what to undo; the live host says how, and whether it may be touched at all: every undo
step is checked against core's ownership rules on the object as the host shows it now (and on the object
it would bring back), so an edited or damaged journal record can never make a rollback or revert remove
or change a management vmk, vSwitch0, or anything else the tool did not create.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Mapping, Sequence

from vmesh_tui.core.model import HostState, Pnic, Portgroup, Vmk, VSwitch
from vmesh_tui.core.ordering import is_owned_name, is_owned_portgroup, is_owned_vmk, is_protected_vmk
from vmesh_tui.core.steps import NetObject, Step
from vmesh_tui.engine import objects
from vmesh_tui.engine.events import Event
from vmesh_tui.engine.journal import IN_FLIGHT, UNDONE, JournalWriteError, StepRecord
from vmesh_tui.engine.objects import key_of
from vmesh_tui.engine.runner import StepError, StepExecutor, stream

DEFAULT_PREFIX = "vmesh"
ObjectKey = tuple[str, str]  # (kind, identity) of an object on its host


def not_owned(state: HostState, step: Step, prefix: str) -> str | None:
    """Why the tool must not run ``step`` on the host in ``state`` (None when it owns what it touches)."""
    now, target = step.before, step.after
    for obj, live in ((now, True), (target, False)):
        if obj is None:
            continue
        reason = _foreign(state, obj, prefix, live)
        if reason is not None:
            return reason
    return None


def _foreign(state: HostState, obj: NetObject, prefix: str, live: bool) -> str | None:
    if isinstance(obj, VSwitch):
        if not is_owned_name(obj.name, prefix):
            return f"vSwitch {obj.name} is not named {prefix}-*"
        for nic in () if live else obj.uplinks:  # restoring it must not take a NIC from another switch
            reason = _foreign_nic(state, nic, prefix, obj.name)
            if reason is not None:
                return reason
        return None
    if isinstance(obj, Portgroup):
        if is_owned_portgroup(obj, prefix):
            return None
        return f"portgroup {obj.name} on {obj.vswitch} is not a {prefix}-* portgroup on a {prefix}-* vSwitch"
    if isinstance(obj, Vmk):
        name = obj.device or f"the vmk on {obj.portgroup}"
        if is_protected_vmk(obj):
            return f"{name} carries management traffic"
        owned = is_owned_vmk(state, obj, prefix) if live else is_owned_name(obj.portgroup, prefix)
        return None if owned else f"{name} is on portgroup {obj.portgroup}, which the tool does not own"
    if isinstance(obj, Pnic):
        return _foreign_nic(state, obj.device, prefix)
    return None


def _foreign_nic(state: HostState, nic: str, prefix: str, switch: str = "") -> str | None:
    """Why ``nic`` is not the tool's to use: an uplink of a standard or distributed switch it does not own."""
    user = state.nic_user(nic)
    if user is None or user == switch or is_owned_name(user, prefix):
        return None
    return f"{nic} is an uplink of {user}"


def undo_steps(
    records: Sequence[StepRecord], current: HostState, prefix: str = DEFAULT_PREFIX
) -> tuple[list[Step], dict[tuple[str, str], str]]:
    """Steps that bring every object the records touched back to its value before the first of them,
    and the objects left alone because the tool does not own them (as sentences).

    Decided from ``current`` (the host as it is now), never by replaying: objects already back are skipped,
    and a vmk is found by its portgroup whatever device the host gave it. Objects are undone in the reverse
    order of their first record (a later update, e.g. a recover toggle, must not move a portgroup's removal
    before the removal of the vmk on it).
    """
    original: dict[tuple[str, str], NetObject | None] = {}
    for record in records:
        original.setdefault(key_of(record.step), record.step.before)
    steps: list[Step] = []
    refused: dict[tuple[str, str], str] = {}
    for key in reversed(original):
        step = objects.step_to(current.name, objects.find(current, *key), original[key])
        if step is None:
            continue
        reason = not_owned(current, step, prefix)
        if reason is not None:
            refused[key] = (
                f"{current.name}: left {objects.describe_step(step)} undone: {reason}, so it is not the "
                "tool's (the journal asks for it, the host says no); check the journal and the host"
            )
            continue
        steps.append(step)
    return steps, refused


async def undo(
    executor: StepExecutor,
    records: Sequence[StepRecord],
    states: dict[str, HostState],
    on_failure: Callable[[str], None],
    prefix: str = DEFAULT_PREFIX,
    *,
    settle: bool = False,
    failed_calls: dict[tuple[str, ObjectKey], str] | None = None,
) -> AsyncIterator[Event]:
    """Undo ``records`` on every host in ``states`` concurrently (each in reverse order); yields events.

    A record that is still in flight (sent, never answered, never seen on the host) with nothing to undo
    stays in flight, so the caller reports that it may still land; with ``settle`` (a revert, after the
    journal's landing window has passed) it is taken as never done. An undo call that fails goes to
    ``failed_calls`` (by host and object) when given, for the caller to judge by a fresh read (a later
    step may undo it anyway: removing a vSwitch removes its portgroups), else to ``on_failure``.
    """
    keep = () if settle else (IN_FLIGHT,)

    async def undo_host(host: str) -> None:
        host_records = [r for r in records if r.host == host]
        steps, refused = undo_steps(host_records, states[host], prefix)
        for problem in refused.values():
            on_failure(problem)
        for index, step in enumerate(steps, start=1):
            text = objects.describe_step(step)
            try:
                await executor.execute(step)
            except StepError as exc:
                sentence = f"{host}: could not {text}: {exc}"
                if failed_calls is None:
                    on_failure(sentence)
                else:
                    failed_calls[(host, key_of(step))] = sentence
                await executor.queue.put(Event("step_failed", host, index, len(steps), f"undo failed: {exc}"))
                continue
            for record in host_records:
                if key_of(record.step) == key_of(step):
                    _mark_undone(executor, record)
            await executor.queue.put(Event("step_rolled_back", host, index, len(steps), text))
        untouched = {key_of(s) for s in steps} | refused.keys()
        for record in host_records:  # nothing left to undo (never happened, or already back)
            if record.status != UNDONE and record.status not in keep and key_of(record.step) not in untouched:
                _mark_undone(executor, record)

    hosts = sorted({r.host for r in records} & states.keys())
    async for event in stream([undo_host(h) for h in hosts], executor.queue):
        yield event


def still_to_undo(
    records: Sequence[StepRecord], current: HostState, prefix: str = DEFAULT_PREFIX
) -> set[ObjectKey]:
    """The objects of ``current``'s host that its records touched and a fresh read shows not back yet
    (those the tool may not touch included)."""
    steps, refused = undo_steps([r for r in records if r.host == current.name], current, prefix)
    return {key_of(step) for step in steps} | refused.keys()


def failures_left(
    failed_calls: Mapping[tuple[str, ObjectKey], str], left: Mapping[str, set[ObjectKey]]
) -> list[str]:
    """The failed undo calls that still matter: on an object a fresh read shows not back (``left``, by
    host), or on a host that could not be read again (absent from ``left``)."""
    return [
        sentence for (host, key), sentence in failed_calls.items() if host not in left or key in left[host]
    ]


def _mark_undone(executor: StepExecutor, record: StepRecord) -> None:
    with contextlib.suppress(JournalWriteError):  # memory keeps it; the operation reports the journal
        executor.journal.step_finished(record, UNDONE)


def mark_back(executor: StepExecutor, records: Sequence[StepRecord]) -> None:
    """A fresh read shows every object of ``records`` back: record them undone (an undo call that failed
    may have been overtaken by a later one, e.g. a portgroup removed with its vSwitch)."""
    for record in records:
        if record.status != UNDONE:
            _mark_undone(executor, record)
