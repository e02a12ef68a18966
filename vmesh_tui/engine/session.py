"""The engine: discover, plan, apply, validate, revert, recover and status over one connected host set.

Every operation is an async generator of progress events ending with "done" (data["result"]). Blocking
adapter calls run in threads. apply, revert and recover hold the host-set lock and journal every step;
the lock is released only after every call they sent has ended (or been given up on and journaled).
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import AsyncIterator, Callable, Iterable
from pathlib import Path

from vmesh_tui.core.pairing import propose_cables
from vmesh_tui.engine import journal as jr
from vmesh_tui.engine import results
from vmesh_tui.engine.applying import apply_locked
from vmesh_tui.engine.events import Event, done, phase, warning
from vmesh_tui.engine.hostio import HostIO
from vmesh_tui.engine.hostsapi import HostsApi
from vmesh_tui.engine.lock import HostSetLock, LockBusy
from vmesh_tui.engine.objects import key_of
from vmesh_tui.engine.paths import UnsafePath
from vmesh_tui.engine.planning import PlanRequest, PlanResult, build_plan
from vmesh_tui.engine.probe import ProbeOptions, run_probe
from vmesh_tui.engine.recovery import recover_hosts
from vmesh_tui.engine.reverting import revert_locked
from vmesh_tui.engine.stale import close_stale_probes, open_probes


class Engine(HostIO):
    """Drives the core and the adapter for one set of connected hosts."""

    def __init__(
        self, client: HostsApi, state_dir: Path | None = None, *, hosts_at_once: bool = True
    ) -> None:
        super().__init__(client, state_dir)
        self.hosts_at_once = hosts_at_once  # False runs one host after the other (benchmarks compare)

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

    # ----- changes, each under the lock of its hosts
    async def apply(self, planned: PlanResult, confirm_timeout: float | None = None) -> AsyncIterator[Event]:
        """Preflight, lock, refuse a stale plan, journal and run the steps; roll back on any failure."""
        if planned.errors:
            reasons = tuple(str(f) for f in planned.errors)
            yield done(results.ApplyResult(results.REFUSED, "preflight found errors", reasons=reasons))
            return

        def refused(why: str) -> Event:
            return done(results.ApplyResult(results.REFUSED, why, reasons=(why,)))

        async for event in self._locked(
            planned.observed,
            refused,
            lambda: apply_locked(self, planned, confirm_timeout, self.hosts_at_once),
        ):
            yield event

    async def revert(self) -> AsyncIterator[Event]:
        """Remove what the journal says the tool created and restore what it changed; closes the journal.

        The newest open run is reverted: an interrupted probe's temporary vSwitches before an apply."""
        hosts = self.client.host_names()
        blocked = self.blocking(hosts)
        if blocked:
            message = "a journal of these hosts cannot be read, so what the tool did there is unknown"
            yield done(results.RevertResult(False, message, problems=tuple(blocked), refused=True))
            return
        if open_probes(self.state_dir, hosts):  # maybe nothing is left of it: read first, under the lock

            def refused_all(why: str) -> Event:
                return done(results.RevertResult(False, why, refused=True))

            async for event in self._locked(hosts, refused_all, self._tidy_then_revert):
                yield event
            return
        journal = self.revert_target()
        if journal is None:
            yield done(results.RevertResult(True, "nothing to revert: no open journal for these hosts"))
            return

        def refused(why: str) -> Event:
            return done(results.RevertResult(False, why, journal_id=journal.id, refused=True))

        async for event in self._locked(journal.hosts, refused, lambda: revert_locked(self, journal)):
            yield event

    async def tidy(self) -> AsyncIterator[Event]:
        """Close the interrupted probes of these hosts that a fresh read shows nothing of (under their
        lock; nothing on a host changes); "done" carries the sentences, one per journal closed."""
        hosts = self.client.host_names()
        if not open_probes(self.state_dir, hosts):
            yield done(())
            return

        async def read_and_close() -> AsyncIterator[Event]:
            yield phase("reading the hosts")
            states, _ = await self.read_each(hosts)
            yield done(
                tuple(close_stale_probes(self.state_dir, states, self.landing_wait_s, "the Status screen"))
            )

        async for event in self._locked(hosts, lambda why: done(()), read_and_close):
            yield event

    async def _tidy_then_revert(self) -> AsyncIterator[Event]:
        """Close the interrupted probes a fresh read shows nothing of, then revert the newest open run."""
        yield phase("reading the hosts")
        states, _ = await self.read_each(self.client.host_names())
        closed = close_stale_probes(self.state_dir, states, self.landing_wait_s, "a revert")
        for sentence in closed:
            yield warning(sentence)
        journal = self.revert_target()
        if journal is None:
            why = "; ".join(closed) or "no open journal for these hosts"
            yield done(results.RevertResult(True, f"nothing left to revert: {why}", closed=tuple(closed)))
            return
        async for event in revert_locked(self, journal):
            if event.kind == "done":
                event = done(dataclasses.replace(event.result, closed=tuple(closed)))
            yield event

    async def recover(self) -> AsyncIterator[Event]:
        """After a reboot or failing links: toggle the failover order of the tool's portgroups, validate."""
        journal = self.journal()
        if journal is None:
            yield done(results.RecoverResult(False, "no journal for these hosts: apply first"))
            return
        blocked = self.blocking(journal.hosts)

        def refused(why: str) -> Event:
            return done(results.RecoverResult(False, why, refused=True))

        if blocked:
            yield refused("; ".join(blocked))
            return
        async for event in self._locked(journal.hosts, refused, lambda: recover_hosts(self, journal)):
            yield event

    async def _locked(
        self,
        hosts: Iterable[str],
        refused: Callable[[str], Event],
        operation: Callable[[], AsyncIterator[Event]],
    ) -> AsyncIterator[Event]:
        """Run ``operation`` holding the lock of ``hosts``; refuse when another run holds it or the state
        dir cannot take a lock (read-only, full, not private)."""
        lock = HostSetLock(self.state_dir, hosts)
        try:
            lock.acquire()
        except LockBusy as exc:
            yield refused(str(exc))
            return
        except (OSError, UnsafePath) as exc:
            yield refused(
                f"the lock cannot be taken in {self.state_dir / 'locks'} ({_reason(exc)}): "
                "nothing was changed"
            )
            return
        try:
            async for event in operation():
                yield event
        finally:
            lock.release()

    def status(self) -> list[results.JournalSummary]:
        return journal_summaries(self.state_dir)


def _reason(exc: BaseException) -> str:
    return str(getattr(exc, "strerror", None) or exc)


def journal_summaries(state_dir: Path) -> list[results.JournalSummary]:
    """Every journal, newest first, with an interrupted run shown as such; a journal file that cannot be
    read is listed as "corrupt", by its file name, with the reason in ``problem``.

    Raises JournalError when the journal directory cannot be read at all."""
    found = [
        results.JournalSummary(path.stem, (), "corrupt", False, "", "", 0, problem=reason)
        for path, reason in reversed(jr.unreadable_journals(state_dir))
    ]
    for journal in reversed(jr.all_journals(state_dir)):
        status = "interrupted" if journal.interrupted else journal.status
        done = [r for r in journal.records if r.status == jr.DONE]
        # a recover toggle updates an object the apply made, and a probe's vSwitches are added then
        # removed: count each object once, and none once the run is closed
        in_effect = 0 if journal.closed else len({(r.host, *key_of(r.step)) for r in done})
        # sent and never answered; in a run that was killed, also each call it was waiting for
        unknown = [
            r
            for r in journal.records
            if r.status == jr.IN_FLIGHT or (status == "interrupted" and r.status == jr.RUNNING)
        ]
        found.append(
            results.JournalSummary(
                journal.id,
                tuple(journal.hosts),
                status,
                journal.closed,
                str(journal.data.get("created", "")),
                str(journal.data.get("updated", "")),
                len(done),
                journal.links,
                kind=journal.kind,
                in_flight=len(unknown),
                in_effect=in_effect,
                note=str(journal.data.get("note", "")),
            )
        )
    return found
