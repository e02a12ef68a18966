"""The engine: discover, plan, apply, validate, revert, recover and status over one connected host set.

Every operation is an async generator of progress events ending with "done" (data["result"]). Blocking
adapter calls run in threads. apply and revert hold the host-set lock and journal every step.
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from collections.abc import AsyncIterator, Awaitable, Mapping, Sequence
from pathlib import Path

from vmesh_tui.core.addressing import Link
from vmesh_tui.core.design import DesignOptions
from vmesh_tui.core.model import HostState
from vmesh_tui.core.pairing import propose_cables
from vmesh_tui.engine import journal as jr
from vmesh_tui.engine import objects, paths, results
from vmesh_tui.engine.confirm import confirm_steps
from vmesh_tui.engine.events import Event, done, phase, warning
from vmesh_tui.engine.hostsapi import HostsApi, error_text
from vmesh_tui.engine.lock import HostSetLock, LockBusy
from vmesh_tui.engine.planning import PlanRequest, PlanResult, build_plan, stale_reasons
from vmesh_tui.engine.probe import ProbeOptions, run_probe
from vmesh_tui.engine.recovery import recover_hosts
from vmesh_tui.engine.runner import RunOutcome, StepExecutor, stream, undo
from vmesh_tui.engine.validation import validate_links


class Engine:
    """Drives the core and the adapter for one set of connected hosts."""

    def __init__(
        self, client: HostsApi, state_dir: Path | None = None, *, hosts_at_once: bool = True
    ) -> None:
        self.client = client
        self.state_dir = state_dir or paths.state_dir()
        self.hosts_at_once = hosts_at_once  # False runs one host after the other (benchmarks compare)

    async def read(self, hints: bool = True) -> dict[str, HostState]:
        """Re-read every host (one call per host, concurrently, in the adapter); ``hints=False`` without
        CDP/LLDP neighbours (one request per connection)."""
        return await asyncio.to_thread(lambda: self.client.read_all(hints=hints))

    async def _read_or_report(self, problems: list[str]) -> dict[str, HostState] | None:
        """Re-read, or note why the hosts cannot be read (the journal stays open for a later revert)."""
        try:
            return await self.read()
        except Exception as exc:
            problems.append(f"the hosts cannot be read: {error_text(exc)}; run revert when they answer")
            return None

    # ----- discover and plan
    async def discover(self) -> AsyncIterator[Event]:
        yield phase("reading the hosts")
        states = await self.read()
        for name in sorted(states):
            yield Event("host_read", name, message=f"{len(states[name].pnics)} NICs")
        yield done(results.DiscoverResult(states, propose_cables([states[n] for n in sorted(states)])))

    async def plan(self, request: PlanRequest) -> AsyncIterator[Event]:
        """Read the hosts and plan; raises CoreError on bad input (the caller shows its message)."""
        yield phase("reading the hosts")
        states = await self.read()
        yield done(build_plan(states, request))

    async def probe(
        self, options: ProbeOptions | None = None, cancel: threading.Event | None = None
    ) -> AsyncIterator[Event]:
        """Find the cables with CDP (see engine.probe); ``cancel`` stops the wait and cleans up."""
        async for event in run_probe(self, options or ProbeOptions(), cancel or threading.Event()):
            yield event

    # ----- apply
    async def apply(self, planned: PlanResult, confirm_timeout: float | None = None) -> AsyncIterator[Event]:
        """Preflight, lock, refuse a stale plan, journal and run the steps; roll back on any failure."""
        if planned.errors:
            reasons = tuple(str(f) for f in planned.errors)
            yield done(results.ApplyResult(results.REFUSED, "preflight found errors", reasons=reasons))
            return
        lock = HostSetLock(self.state_dir, planned.observed)
        try:
            lock.acquire()
        except LockBusy as exc:
            yield done(results.ApplyResult(results.REFUSED, str(exc), reasons=(str(exc),)))
            return
        try:
            async for event in self._apply_locked(planned, confirm_timeout):
                yield event
        finally:
            lock.release()

    async def _apply_locked(self, planned: PlanResult, confirm_timeout: float | None) -> AsyncIterator[Event]:
        yield phase("re-reading the hosts")
        start = await self.read()
        reasons = stale_reasons(planned, start)
        if reasons:
            message = "the hosts changed since the plan was made; plan again"
            yield done(results.ApplyResult(results.REFUSED, message, reasons=tuple(reasons)))
            return
        hosts = sorted(planned.observed)
        journal = jr.open_journal_for(self.state_dir, hosts, jr.APPLY)
        request = planned.request.as_record()
        # an earlier run that never finished (killed, or its rollback incomplete) belongs to this attempt:
        # a failure now must undo its steps too, back to the journal's own starting state
        resumed = False
        if journal is None:
            journal = jr.Journal.create(self.state_dir, start, planned.links, planned.options, request)
        else:
            if journal.interrupted:
                yield warning(f"resuming the interrupted run of journal {journal.id} from the hosts' state")
            resumed = journal.status != jr.APPLIED
            journal.begin_run(planned.links, planned.options, request)
        steps = planned.plan.steps
        if planned.plan.is_empty:
            journal.set_boot_times({h: start[h].boot_time for h in hosts})
            journal.set_status(jr.APPLIED)
            message = "nothing to do: the hosts already match the plan"
            yield done(results.ApplyResult(results.NOTHING_TO_DO, message, planned.links, (), journal.id))
            return
        yield phase(f"applying {len(steps)} steps on {len(hosts)} hosts")
        queue: asyncio.Queue[Event] = asyncio.Queue()
        executor = StepExecutor(self.client, journal, queue)
        outcome = RunOutcome()
        jobs = []
        for host in hosts:
            host_steps = planned.plan.for_host(host)
            jobs.append(executor.run_host(host, host_steps, outcome, len(host_steps)))
        if not self.hosts_at_once:
            jobs = [_one_after_another(jobs)]
        async for event in stream(jobs, queue):
            yield event
        if outcome.failure is None:  # the one read after the steps: a host may answer and change nothing
            outcome.failure, outcome.failed_host = await confirm_steps(lambda: self.read(hints=False), steps)
        if outcome.failure is not None:
            async for event in self._roll_back(executor, outcome, start, planned, resumed):
                yield event
            return
        journal.set_boot_times({h: start[h].boot_time for h in hosts})  # a step never reboots a host
        journal.set_status(jr.APPLIED)
        result = results.ApplyResult(
            results.APPLIED, f"applied {len(steps)} steps", planned.links, steps, journal.id
        )
        if confirm_timeout is not None:
            async for event in self._confirm(result, planned, confirm_timeout):
                yield event
            return
        yield done(result)

    async def _roll_back(
        self,
        executor: StepExecutor,
        outcome: RunOutcome,
        start: Mapping[str, HostState],
        planned: PlanResult,
        resumed: bool,
    ) -> AsyncIterator[Event]:
        """Undo this run (and, when it resumed an unfinished one, every step not undone yet) and compare.

        After a completed apply, a failed later run goes back to the state it started from and the journal
        stays applied. A run that resumed an interrupted or half-rolled-back one goes back to the journal's
        starting state, so the earlier run's leftovers are undone too.
        """
        yield Event("rollback_started", outcome.failed_host, message=f"rolling back: {outcome.failure}")
        journal = executor.journal
        if resumed:
            records = [r for r in journal.records if r.status != jr.UNDONE]
            start = {h: journal.start_state(h) for h in journal.hosts}
        else:
            records = list(outcome.records)
        problems: list[str] = []
        states = await self._read_or_report(problems)
        if states is not None:
            async for event in undo(executor, records, states, problems.append):
                yield event
        after = await self._read_or_report(problems) or {}
        diffs = tuple(d for h in sorted(start) if h in after for d in objects.differences(start[h], after[h]))
        earlier = [r for r in journal.records if r not in records and r.status == jr.DONE]
        if problems or diffs:
            journal.set_status(jr.ROLLBACK_INCOMPLETE)
        elif earlier:
            journal.set_status(jr.APPLIED)
        else:
            journal.set_status(jr.ROLLED_BACK, close=True)
        if problems or diffs:
            state = "some changes remain; run revert"
        else:
            state = "the hosts are back to their starting state"
        message = f"{outcome.failure}; rolled back, {state}"
        differences = tuple(problems) + diffs
        yield done(
            results.ApplyResult(results.ROLLED_BACK, message, planned.links, (), journal.id, differences)
        )

    async def _confirm(
        self, applied: results.ApplyResult, planned: PlanResult, timeout: float
    ) -> AsyncIterator[Event]:
        """Commit-confirmed: validate until it passes or ``timeout`` seconds pass; else revert."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            check: results.ValidationResult | None = None
            async for event in self.validate(planned.links, planned.options):
                if event.kind == "done":
                    check = event.result
                else:
                    yield event
            assert check is not None
            if check.ok or loop.time() >= deadline:
                break
            await asyncio.sleep(min(2.0, max(0.0, deadline - loop.time())))
        if check.ok:
            yield done(dataclasses.replace(applied, validation=check))
            return
        yield warning("validation did not pass in time: reverting by itself (commit-confirmed)")
        journal = self.journal()
        reverted: results.RevertResult | None = None
        if journal is not None:
            try:
                async for event in self._revert_locked(journal):
                    if event.kind == "done":
                        reverted = event.result
                    else:
                        yield event
            except Exception as exc:
                reverted = results.RevertResult(False, "the revert stopped", problems=(error_text(exc),))
        if reverted is not None and reverted.ok:
            message = "applied, but validation failed, so the change was reverted"
            yield done(
                results.ApplyResult(
                    results.UNCONFIRMED, message, planned.links, (), applied.journal_id, validation=check
                )
            )
            return
        why = reverted.message if reverted is not None else "no open journal for these hosts"
        message = (
            f"applied, but validation failed, and the automatic revert did not complete ({why}):"
            " some changes remain; run revert"
        )
        remaining = (*reverted.problems, *reverted.differences) if reverted is not None else ()
        yield done(
            results.ApplyResult(
                results.REVERT_FAILED,
                message,
                planned.links,
                (),
                applied.journal_id,
                remaining,
                validation=check,
            )
        )

    # ----- validate, revert, recover
    def journal(self) -> jr.Journal | None:
        """The open apply journal for the connected hosts (what validate and recover work on)."""
        return jr.open_journal_for(self.state_dir, self.client.host_names(), jr.APPLY)

    def revert_target(self) -> jr.Journal | None:
        """What revert undoes: the newest open run on the connected hosts, an interrupted probe included."""
        return jr.open_journal_for(self.state_dir, self.client.host_names())

    async def validate(
        self, links: Sequence[Link] | None = None, options: DesignOptions | None = None
    ) -> AsyncIterator[Event]:
        """Ping every link both ways; links and options default to the open journal's."""
        if links is None or options is None:
            journal = self.journal()
            if journal is None:
                yield done(results.ValidationResult(False, (), "no journal for these hosts: apply first"))
                return
            links, options = journal.links, journal.options
        yield phase("validating the links")
        states = await self.read()
        async for event in validate_links(self.client, links, options, states):
            yield event

    async def revert(self) -> AsyncIterator[Event]:
        """Remove what the journal says the tool created and restore what it changed; closes the journal.

        The newest open run is reverted: an interrupted probe's temporary vSwitches before an apply."""
        journal = self.revert_target()
        if journal is None:
            yield done(results.RevertResult(True, "nothing to revert: no open journal for these hosts"))
            return
        lock = HostSetLock(self.state_dir, journal.hosts)
        try:
            lock.acquire()
        except LockBusy as exc:
            yield done(results.RevertResult(False, str(exc), journal_id=journal.id, refused=True))
            return
        try:
            async for event in self._revert_locked(journal):
                yield event
        finally:
            lock.release()

    async def _revert_locked(self, journal: jr.Journal) -> AsyncIterator[Event]:
        yield phase(f"reverting journal {journal.id}")
        queue: asyncio.Queue[Event] = asyncio.Queue()
        executor = StepExecutor(self.client, journal, queue)
        problems: list[str] = []
        undone = 0
        async for event in undo(executor, journal.records, await self.read(), problems.append):
            undone += event.kind == "step_rolled_back"
            yield event
        after = await self.read()
        diffs = tuple(d for h in journal.hosts for d in objects.differences(journal.start_state(h), after[h]))
        if not problems:
            journal.set_status(jr.REVERTED, close=True)
        message = f"reverted {undone} changes" if undone else "nothing left to revert"
        if diffs:
            message += f", but the hosts differ from their starting state in {len(diffs)} ways"
        ok = not problems and not diffs
        yield done(results.RevertResult(ok, message, (), diffs, tuple(problems), journal.id))

    async def recover(self) -> AsyncIterator[Event]:
        """After a reboot or failing links: toggle the failover order of the tool's portgroups, validate."""
        journal = self.journal()
        if journal is None:
            yield done(results.RecoverResult(False, "no journal for these hosts: apply first"))
            return
        lock = HostSetLock(self.state_dir, journal.hosts)
        try:
            lock.acquire()
        except LockBusy as exc:
            yield done(results.RecoverResult(False, str(exc), refused=True))
            return
        try:
            async for event in recover_hosts(self, journal):
                yield event
        finally:
            lock.release()

    def status(self) -> list[results.JournalSummary]:
        return journal_summaries(self.state_dir)


async def _one_after_another(jobs: Sequence[Awaitable[None]]) -> None:
    for job in jobs:
        await job


def journal_summaries(state_dir: Path) -> list[results.JournalSummary]:
    """Every journal, newest first, with an interrupted run shown as such; a journal file that cannot be
    read is listed as "corrupt", by its file name, with the reason in ``problem``."""
    found = [
        results.JournalSummary(path.stem, (), "corrupt", False, "", "", 0, problem=reason)
        for path, reason in reversed(jr.unreadable_journals(state_dir))
    ]
    for journal in reversed(jr.all_journals(state_dir)):
        status = "interrupted" if journal.interrupted else journal.status
        done_count = sum(r.status == jr.DONE for r in journal.records)
        found.append(
            results.JournalSummary(
                journal.id,
                tuple(journal.hosts),
                status,
                journal.closed,
                str(journal.data.get("created", "")),
                str(journal.data.get("updated", "")),
                done_count,
                journal.links,
                kind=journal.kind,
            )
        )
    return found
