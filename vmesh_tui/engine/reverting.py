"""The revert operation under the host-set lock: undo what the journal says the tool did, from the
hosts' actual state, on every host that can be read; close the journal only when nothing remains."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from vmesh_tui.engine import journal as jr
from vmesh_tui.engine import objects, results
from vmesh_tui.engine.events import Event, done, phase
from vmesh_tui.engine.hostio import HostIO, unreadable_sentence
from vmesh_tui.engine.runner import StepExecutor
from vmesh_tui.engine.undo import ObjectKey, failures_left, mark_back, still_to_undo, undo


async def revert_locked(io: HostIO, journal: jr.Journal) -> AsyncIterator[Event]:
    yield phase(f"reverting journal {journal.id}")
    async for event in io.wait_for_earlier_calls(journal):
        yield event
    queue: asyncio.Queue[Event] = asyncio.Queue()
    executor = StepExecutor(io.client, journal, queue, io.landing_wait_s)
    problems: list[str] = []
    states, unreadable = await io.read_each(journal.hosts)
    problems += [unreadable_sentence(host, why, "reverted") for host, why in unreadable.items()]
    undone = 0
    prefix = getattr(journal.options, "name_prefix", "vmesh")
    failed_calls: dict[tuple[str, ObjectKey], str] = {}
    try:
        async for event in undo(
            executor, journal.records, states, problems.append, prefix, settle=True, failed_calls=failed_calls
        ):
            undone += event.kind == "step_rolled_back"
            yield event
    except (asyncio.CancelledError, GeneratorExit):
        await executor.settle()
        raise
    after, unread_after = await io.read_each(states)
    problems += [
        f"{host} could not be read after the revert ({why}): run `vmesh-tui revert` again when it answers"
        for host, why in unread_after.items()
    ]
    # judged by a fresh read, not by the calls' answers: what the journal touched and is not back yet
    left = {h: still_to_undo(journal.records, after[h], prefix) for h in journal.hosts if h in after}
    problems += failures_left(failed_calls, left)
    not_back = sum(len(keys) for keys in left.values())
    diffs = tuple(
        d for h in journal.hosts if h in after for d in objects.differences(journal.start_state(h), after[h])
    )
    if journal.write_error is not None:
        problems.append(f"{journal.write_error}: it does not record what this revert did")
    if not problems and not not_back:
        mark_back(executor, journal.records)
        try:
            journal.set_status(jr.REVERTED, close=True)
        except jr.JournalWriteError as exc:
            problems.append(f"{exc}: the hosts are reverted, but the journal still reads as open")
    if problems:
        message = (
            f"revert incomplete: {len(problems)} problem{'s' if len(problems) != 1 else ''} (listed below)"
        )
    elif not_back:
        message = (
            f"revert incomplete: {not_back} of the tool's changes still show on the hosts (answered as"
            " undone, but a fresh read does not show it); run `vmesh-tui revert` again"
        )
    else:
        message = f"reverted {undone} changes" if undone else "nothing left to revert"
    if diffs:
        message += f"; the hosts differ from their starting state in {len(diffs)} ways"
    ok = not problems and not diffs
    yield done(results.RevertResult(ok, message, (), diffs, tuple(problems), journal.id))
