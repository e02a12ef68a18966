"""What every engine operation shares: the client, the state dir, reads (per host, with a retry), the
open journal, validation, and waiting for calls of an earlier run that may still land.

Lower than both the operations (session, applying, reverting) and recovery, so neither imports the other.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterable, Sequence
from pathlib import Path

from vmesh_tui.core.addressing import Link
from vmesh_tui.core.design import DesignOptions
from vmesh_tui.core.model import HostState
from vmesh_tui.engine import journal as jr
from vmesh_tui.engine import paths
from vmesh_tui.engine.events import Event, done, phase, warning
from vmesh_tui.engine.hostsapi import HostsApi, error_text
from vmesh_tui.engine.journalstore import peek
from vmesh_tui.engine.objects import step_took_effect
from vmesh_tui.engine.results import ValidationResult
from vmesh_tui.engine.validation import validate_links

READ_ATTEMPTS = 2
READ_PAUSE_S = 1.0


class HostIO:
    """The connected hosts and the tool's state, as the operations use them."""

    def __init__(self, client: HostsApi, state_dir: Path | None = None) -> None:
        self.client = client
        self.state_dir = state_dir or paths.state_dir()
        self.landing_wait_s = client.call_timeout

    async def read(self, hints: bool = True) -> dict[str, HostState]:
        """Re-read every host (one call per host, concurrently, in the adapter); raises on any failure.
        ``hints=False``: without CDP/LLDP neighbours (one request per connection)."""
        return await asyncio.to_thread(lambda: self.client.read_all(hints=hints))

    async def read_each(self, hosts: Iterable[str]) -> tuple[dict[str, HostState], dict[str, str]]:
        """Every host that can be read, and why each other one cannot (after a retry per host).

        One unreadable host never keeps the others from being read: a rollback then undoes what it can.
        """
        wanted = sorted(set(hosts))
        try:
            states = await self.read()
            if all(h in states for h in wanted):
                return {h: states[h] for h in wanted}, {}
        except Exception:
            pass
        found: dict[str, HostState] = {}
        problems: dict[str, str] = {}

        async def one(host: str) -> None:
            reason = ""
            for attempt in range(READ_ATTEMPTS):
                if attempt:
                    await asyncio.sleep(READ_PAUSE_S)
                try:
                    found[host] = await self.read_host(host)
                    return
                except Exception as exc:
                    reason = error_text(exc)
            problems[host] = reason

        await asyncio.gather(*(one(h) for h in wanted))
        return found, problems

    async def read_host(self, host: str) -> HostState:
        """One host's state, fresh and without neighbours (one request); raises when it cannot be read."""
        return await asyncio.to_thread(self.client.read_host, host)

    def journal(self) -> jr.Journal | None:
        """The open apply journal for the connected hosts (what validate and recover work on)."""
        return jr.open_journal_for(self.state_dir, self.client.host_names(), jr.APPLY)

    def revert_target(self) -> jr.Journal | None:
        """What revert undoes: the newest open run on the connected hosts, an interrupted probe included."""
        return jr.open_journal_for(self.state_dir, self.client.host_names())

    def blocking(self, hosts: Iterable[str]) -> list[str]:
        """Unreadable journals that may be about ``hosts`` (sentences); apply/revert/recover refuse then."""
        try:
            return blocking_journals(self.state_dir, hosts)
        except jr.JournalError as exc:
            return [f"{exc}: the journals of these hosts cannot be checked"]

    async def wait_for_earlier_calls(self, journal: jr.Journal) -> AsyncIterator[Event]:
        """Calls an earlier run sent and never saw answered may still land: until the journal's landing
        window has passed, wait for each to show on its host, so what they did shows in the next read.
        A call whose change the host already shows needs no wait (a run killed right after a call)."""
        pending = [r for r in journal.records if r.status in (jr.RUNNING, jr.IN_FLIGHT)]
        until = journal.unsettled_until(self.landing_wait_s)
        told = False
        while pending and until is not None:
            states, _ = await self.read_each({r.host for r in pending})
            pending = [
                r for r in pending if r.host not in states or not step_took_effect(states[r.host], r.step)
            ]
            left = min(until - time.time(), self.landing_wait_s)
            if not pending or left <= 0:
                return
            if not told:
                told = True
                yield warning(
                    f"journal {journal.id} has {len(pending)} change(s) sent without an answer; waiting up to"
                    f" {left:.0f} s for them to show on the hosts before going on"
                )
            await asyncio.sleep(min(1.0, left))

    async def validate(
        self, links: Sequence[Link] | None = None, options: DesignOptions | None = None
    ) -> AsyncIterator[Event]:
        """Ping every link both ways; links and options default to the open journal's."""
        if links is None or options is None:
            journal = self.journal()
            if journal is None:
                yield done(ValidationResult(False, (), "no journal for these hosts: apply first"))
                return
            links, options = journal.links, journal.options
        yield phase("validating the links")
        states = await self.read()
        async for event in validate_links(self.client, links, options, states):
            yield event


def blocking_journals(state_dir: Path, hosts: Iterable[str]) -> list[str]:
    """Why apply, revert and recover must not touch ``hosts``: each unreadable journal that may be about
    one of them (its hosts cannot be told, or include one) and was not closed, as a sentence."""
    wanted = set(hosts)
    problems = []
    for path, reason in jr.unreadable_journals(state_dir):
        seen = peek(path)
        if seen.closed or (seen.hosts is not None and not seen.hosts & wanted):
            continue
        problems.append(
            f"{reason}; it may record changes on {', '.join(sorted(seen.hosts or wanted))} that only it "
            f"knows: check those hosts, then move it aside (mv {path} {path}.damaged) and try again"
        )
    return problems


def unreadable_sentence(host: str, reason: str, what: str = "rolled back") -> str:
    """The plain sentence for a host that could not be read when its changes were to be undone."""
    return (
        f"{host} could not be read ({reason}), so nothing was {what} on it: run `vmesh-tui revert` "
        "when it answers"
    )
