"""The apply operation under the host-set lock: refuse what is unsafe, journal and run the steps on every
host at once, and on any failure roll back every host that can be read, saying exactly what remains.

A report never claims more than a fresh read shows: "rolled back" only when every host was read again
and matches its starting state and no call that went unanswered may still land; otherwise "rollback
incomplete", with what remains and that `revert` finishes it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Mapping, Sequence

from vmesh_tui.core.model import HostState
from vmesh_tui.engine import journal as jr
from vmesh_tui.engine import objects, results
from vmesh_tui.engine.confirm import confirm_steps
from vmesh_tui.engine.confirming import confirm_or_revert
from vmesh_tui.engine.events import Event, done, phase, warning
from vmesh_tui.engine.hostio import HostIO, unreadable_sentence
from vmesh_tui.engine.planning import PlanResult, stale_reasons
from vmesh_tui.engine.runner import RunOutcome, StepExecutor, stream
from vmesh_tui.engine.stale import close_stale_probes
from vmesh_tui.engine.undo import ObjectKey, failures_left, mark_back, still_to_undo, undo


async def apply_locked(
    io: HostIO, planned: PlanResult, confirm_timeout: float | None, hosts_at_once: bool = True
) -> AsyncIterator[Event]:
    hosts = sorted(planned.observed)
    blocked = io.blocking(hosts)
    if blocked:
        message = "a journal of these hosts cannot be read, so what the tool did there is unknown"
        yield done(results.ApplyResult(results.REFUSED, message, reasons=tuple(blocked)))
        return
    journal = jr.open_journal_for(io.state_dir, hosts, jr.APPLY)
    if journal is not None:
        async for event in io.wait_for_earlier_calls(journal):
            yield event
    yield phase("re-reading the hosts")
    start = await io.read()
    for sentence in close_stale_probes(io.state_dir, start, io.landing_wait_s, "an apply"):
        yield warning(sentence)
    reasons = stale_reasons(planned, start)
    if reasons:
        message = "the hosts changed since the plan was made; plan again"
        yield done(results.ApplyResult(results.REFUSED, message, reasons=tuple(reasons)))
        return
    request = planned.request.as_record()
    # an earlier run that never finished (killed, or its rollback incomplete) belongs to this attempt:
    # a failure now must undo its steps too, back to the journal's own starting state
    resumed = False
    try:
        if journal is None:
            journal = jr.Journal.create(io.state_dir, start, planned.links, planned.options, request)
        else:
            if journal.interrupted:
                yield warning(f"resuming the interrupted run of journal {journal.id} from the hosts' state")
            resumed = journal.status != jr.APPLIED
            journal.begin_run(planned.links, planned.options, request)
        if planned.plan.is_empty:
            journal.set_boot_times({h: start[h].boot_time for h in hosts})
            journal.set_status(jr.APPLIED)
    except jr.JournalWriteError as exc:
        message = (
            f"{exc}: nothing was changed; free some space or fix the permissions there, then apply again"
        )
        yield done(results.ApplyResult(results.REFUSED, message, reasons=(str(exc),)))
        return
    steps = planned.plan.steps
    if planned.plan.is_empty:
        message = "nothing to do: the hosts already match the plan"
        yield done(results.ApplyResult(results.NOTHING_TO_DO, message, planned.links, (), journal.id))
        return
    yield phase(f"applying {len(steps)} steps on {len(hosts)} hosts")
    queue: asyncio.Queue[Event] = asyncio.Queue()
    executor = StepExecutor(io.client, journal, queue, io.landing_wait_s)
    outcome = RunOutcome()
    jobs: list[Awaitable[None]] = []
    for host in hosts:
        host_steps = planned.plan.for_host(host)
        jobs.append(executor.run_host(host, host_steps, outcome, len(host_steps)))
    if not hosts_at_once:
        jobs = [_one_after_another(jobs)]
    try:
        async for event in stream(jobs, queue):
            yield event
    except (asyncio.CancelledError, GeneratorExit):
        await executor.settle()  # the lock is released only after calls still running have ended
        raise
    if outcome.failure is None:  # the one read after the steps: a host may answer and change nothing
        outcome.failure, outcome.failed_host = await confirm_steps(lambda: io.read(hints=False), steps)
    if outcome.failure is None:
        try:
            journal.set_boot_times({h: start[h].boot_time for h in hosts})  # a step never reboots a host
            journal.set_status(jr.APPLIED)
        except jr.JournalWriteError as exc:
            outcome.failure, outcome.journal_error = (
                f"the journal could not be written ({exc.reason})",
                str(exc),
            )
    if outcome.failure is not None:
        async for event in roll_back(io, executor, outcome, start, planned, resumed):
            yield event
        return
    result = results.ApplyResult(
        results.APPLIED, f"applied {len(steps)} steps", planned.links, steps, journal.id
    )
    if confirm_timeout is not None:
        async for event in confirm_or_revert(io, result, planned, confirm_timeout):
            yield event
        return
    yield done(result)


async def roll_back(
    io: HostIO,
    executor: StepExecutor,
    outcome: RunOutcome,
    start: Mapping[str, HostState],
    planned: PlanResult,
    resumed: bool,
) -> AsyncIterator[Event]:
    """Undo this run (and, when it resumed an unfinished one, every step not undone yet) and compare.

    After a completed apply, a failed later run goes back to the state it started from and the journal
    stays applied. A run that resumed an interrupted or half-rolled-back one goes back to the journal's
    starting state, so the earlier run's leftovers are undone too. Hosts are read one by one (with a
    retry): one that cannot be read is named, and every other host is still rolled back.
    """
    yield Event("rollback_started", outcome.failed_host, message=f"rolling back: {outcome.failure}")
    journal = executor.journal
    if resumed:
        records = [r for r in journal.records if r.status != jr.UNDONE]
        start = {h: journal.start_state(h) for h in journal.hosts}
    else:
        records = list(outcome.records)
    problems: list[str] = []
    states, unreadable = await io.read_each(start)
    problems += [unreadable_sentence(host, why) for host, why in unreadable.items()]
    failed_calls: dict[tuple[str, ObjectKey], str] = {}
    prefix = planned.options.name_prefix
    try:
        async for event in undo(
            executor, records, states, problems.append, prefix, failed_calls=failed_calls
        ):
            yield event
    except (asyncio.CancelledError, GeneratorExit):
        await executor.settle()  # as for the steps: the lock is released only after undo calls have ended
        raise
    after, unread_after = await io.read_each(states)
    problems += [
        f"{host} could not be read after the rollback ({why}): whether it is back is unknown; run "
        "`vmesh-tui revert` when it answers"
        for host, why in unread_after.items()
    ]
    left = {h: still_to_undo(records, after[h], prefix) for h in after}
    problems += failures_left(failed_calls, left)  # judged by the read, not by the failed call
    in_flight = [record for record in records if record.status == jr.IN_FLIGHT]
    problems += [in_flight_sentence(record, io.landing_wait_s) for record in in_flight]
    diffs = tuple(d for h in sorted(start) if h in after for d in objects.differences(start[h], after[h]))
    complete = not problems and not diffs
    if complete:
        mark_back(executor, records)
    earlier = [r for r in journal.records if r not in records and r.status == jr.DONE]
    try:
        if not complete:
            journal.set_status(jr.ROLLBACK_INCOMPLETE)
        elif earlier:
            journal.set_status(jr.APPLIED)
        else:
            journal.set_status(jr.ROLLED_BACK, close=True)
    except jr.JournalWriteError:
        pass  # outcome.journal_error or the write error below says so
    unread = sorted((*unreadable, *unread_after))
    remains = "" if complete else incomplete_reasons(bool(diffs), unread, len(in_flight))
    message = f"{outcome.failure}; " + rollback_summary(complete, journal, outcome.journal_error, remains)
    outcome_code = results.ROLLED_BACK if complete else results.ROLLBACK_INCOMPLETE
    yield done(
        results.ApplyResult(outcome_code, message, planned.links, (), journal.id, tuple(problems) + diffs)
    )


def incomplete_reasons(changes_left: bool, unread: Sequence[str], in_flight: int) -> str:
    """Why a rollback is incomplete, claiming no more than the reads showed."""
    reasons = []
    if changes_left:
        reasons.append("some changes remain")
    if unread:
        reasons.append(f"{', '.join(unread)} could not be read")
    if in_flight:
        reasons.append(f"{in_flight} change(s) sent without an answer may still happen")
    return ", ".join(reasons) or "some steps were left undone"


def rollback_summary(
    complete: bool, journal: jr.Journal, journal_error: str | None, remains: str = "some changes remain"
) -> str:
    """How the rollback ended, in words that never claim more than the reads showed."""
    if complete:
        text = "rolled back: every host was read again, and the hosts are back to their starting state"
    else:
        text = f"rollback incomplete: {remains} (listed below); run `vmesh-tui revert` to finish it"
    failed = journal_error or (str(journal.write_error) if journal.write_error else None)
    if failed is None:
        return text
    text += f". The journal could not be written ({failed}), so the tool stopped and rolled back from memory"
    if not journal.try_save_again():
        text += (
            f"; the journal file {journal.path} is out of date (it may show this run as interrupted): once "
            "there is space, `vmesh-tui revert` reads the hosts and closes it"
        )
    return text


def in_flight_sentence(record: jr.StepRecord, wait_s: float) -> str:
    """A step that was sent, never answered, and never showed on its host."""
    return (
        f"{record.host}: {objects.describe_step(record.step)} got no answer and had not shown on the host "
        f"{wait_s:.0f} s later: it may still happen; run `vmesh-tui revert` later to undo it if it does"
    )


async def _one_after_another(jobs: Sequence[Awaitable[None]]) -> None:
    for job in jobs:
        await job
