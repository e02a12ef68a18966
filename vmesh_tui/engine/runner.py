"""Running plan steps on hosts: journaled, all hosts at once, unanswered calls judged from the host.

Each host's steps run in order in a thread (the adapter blocks); hosts run concurrently. The journal is
written before and after every step. A call that got no answer (timeout, dropped connection) may still
be carried out by the host: its step is judged by re-reading that host until it shows the change or a
bounded wait (``landing_wait_s``) has passed. Nothing is sent again while the first send may still land;
a step that never showed up stays "in flight" in the journal, so the caller and any later run know.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import AsyncIterator, Awaitable, Sequence
from dataclasses import dataclass, field
from typing import Any

from vmesh_tui.core.model import HostState, Vmk
from vmesh_tui.core.steps import Step
from vmesh_tui.engine import objects
from vmesh_tui.engine.events import Event
from vmesh_tui.engine.hostsapi import HostsApi, error_text, first_call_unanswered, is_lost_reply
from vmesh_tui.engine.journal import DONE, FAILED, IN_FLIGHT, Journal, JournalWriteError, StepRecord

# Tests only: SIGKILL ourselves after the Nth step is journaled done ("N"), or after the Nth step's call
# returned but before its journal record says so ("mid:N").
CRASH_ENV = "VMESH_TEST_CRASH_AFTER"
POLL_S = 0.5  # between reads of a host while waiting for an unanswered call to show


class StepError(Exception):
    """A step failed on a host; the message is for the admin. ``unknown``: it may still happen."""

    def __init__(self, message: str, *, unknown: bool = False) -> None:
        super().__init__(message)
        self.unknown = unknown


@dataclass
class RunOutcome:
    """What a run of steps did: the records it journaled, the first failure, a journal write failure."""

    records: list[StepRecord] = field(default_factory=list)
    failure: str | None = None
    failed_host: str | None = None
    journal_error: str | None = None  # the journal could not be written: the run went on in memory only


class StepExecutor:
    """Runs steps through the adapter, journaling each and emitting events onto a queue."""

    def __init__(
        self,
        client: HostsApi,
        journal: Journal,
        queue: asyncio.Queue[Event],
        landing_wait_s: float | None = None,
    ) -> None:
        self.client = client
        self.journal = journal
        self.queue = queue
        self.abort = asyncio.Event()
        self.landing_wait_s = client.call_timeout if landing_wait_s is None else landing_wait_s
        self._calls: set[asyncio.Future[Any]] = set()  # sent, thread not ended yet
        self._sent: list[tuple[asyncio.Future[Any], StepRecord]] = []  # journaled calls, for settle
        self._done_count = 0
        mode, _, number = os.environ.get(CRASH_ENV, "").rpartition(":")
        self._crash_after = int(number) if number.isdigit() else None
        self._crash_mid = mode == "mid"

    # ----- one step
    async def execute(self, step: Step, record: StepRecord | None = None) -> str | None:
        """Run one step; returns the created vmk device. Raises StepError when it did not (surely) happen.

        The call runs in a thread that a cancellation of the caller does not stop: it stays tracked
        until it ends (see :meth:`settle`).
        """
        # a plain future, not a task: asyncio.run cancels every task when ctrl+c ends it on Python < 3.11,
        # and a cancelled task would look like a call that had ended while its thread still runs
        call = asyncio.get_running_loop().run_in_executor(None, self.client.run_step, step)
        self._calls.add(call)
        if record is not None:
            self._sent.append((call, record))
        call.add_done_callback(self._forget)
        try:
            return await asyncio.shield(call)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if not is_lost_reply(exc):
                raise StepError(error_text(exc)) from None
            unanswered = exc
        return await self._judge_unanswered(step, unanswered)

    def _forget(self, call: asyncio.Future[Any]) -> None:
        self._calls.discard(call)
        if not call.cancelled():
            call.exception()  # retrieved here: a call nobody awaits any more must not log a warning

    async def read_host(self, host: str) -> HostState | None:
        """One host's state, or None when it cannot be read just now."""
        try:
            return await asyncio.to_thread(self.client.read_host, host)
        except Exception:
            return None

    async def _judge_unanswered(self, step: Step, exc: Exception) -> str | None:
        """A call of ``step`` got no answer: re-read until the host shows the step done (it was), or the
        step's first call was the unanswered one and the host no longer shows ``step.before`` (then
        :meth:`_finish_partial` sends the rest of an add, and fails any other step), or the wait is over
        (its fate stays unknown: StepError with ``unknown``). Never sends a call that may still land."""
        lost, first_only = error_text(exc), first_call_unanswered(exc)
        loop = asyncio.get_running_loop()
        until = loop.time() + self.landing_wait_s
        seen: HostState | None = None
        while True:
            state = await self.read_host(step.host)
            if state is not None:
                seen = state
                found = objects.find_like(state, step.obj)
                device = found.device if isinstance(found, Vmk) and step.after is not None else None
                if objects.step_took_effect(state, step):
                    note = "the reply was lost but the host shows the change done"
                    await self.queue.put(Event("warning", step.host, message=note))
                    return device
                if first_only and not objects.matches(found, step.before):
                    return await self._finish_partial(step, found, device, lost)
            if loop.time() >= until:
                break
            await asyncio.sleep(min(POLL_S, max(0.0, until - loop.time())))
        where = "it cannot be read" if seen is None else "it has not shown the change"
        raise StepError(
            f"no answer from {step.host} ({lost}), and {where} in {self.landing_wait_s:.0f} s since:"
            " the change may still happen",
            unknown=True,
        )

    async def _finish_partial(self, step: Step, found: Any, device: str | None, lost: str) -> str | None:
        """The step's first call landed (the host no longer shows ``step.before``) and its later calls were
        never sent: an add is finished (what remains is sent). An object that existed before the step and
        now shows neither as it was nor as the step wants (changed otherwise, or gone) is not the tool's to
        finish: StepError (not ``unknown``), and nothing more is sent."""
        remaining = objects.step_to(step.host, found, step.after)
        if remaining is None or step.before is not None:
            raise StepError(f"no reply from {step.host} and its state is not what the tool expects ({lost})")
        note = "the reply was lost; the host shows the change partly done: finishing it"
        await self.queue.put(Event("warning", step.host, message=note))
        try:
            created = await asyncio.to_thread(self.client.run_step, remaining)
        except Exception as exc:
            raise StepError(
                f"{error_text(exc)} (after a lost reply: {lost})", unknown=is_lost_reply(exc)
            ) from None
        return created or device

    async def settle(self, grace_s: float = 2.0) -> list[StepRecord]:
        """After a cancellation: let calls still running end (``grace_s``), then make the adapter drop
        them; journal what became of each. Returns the records whose fate stays unknown."""
        pending = set(self._calls)
        try:
            if pending:
                _, pending = await asyncio.wait(pending, timeout=grace_s)
            if pending:
                await asyncio.to_thread(self.client.abort_calls)
                await asyncio.wait(pending, timeout=2.0)
        except asyncio.CancelledError:  # a second ctrl+c: no more grace, end the calls now (their threads
            self.client.abort_calls()  # would otherwise keep the process until their own deadline)
            raise
        for call, record in self._sent:
            if record.status != IN_FLIGHT or not call.done() or call.cancelled():
                continue
            failure = call.exception()
            try:
                if failure is None:  # it ended after all: the host made the change
                    self.journal.step_finished(record, DONE, vmk=call.result())
                elif not is_lost_reply(failure):  # the host refused it
                    self.journal.step_finished(record, FAILED, error=error_text(failure))
            except JournalWriteError:
                pass  # memory holds it; the caller reports the journal
        return [r for r in self.journal.records if r.status == IN_FLIGHT]

    # ----- a host's steps
    async def run_host(self, host: str, steps: Sequence[Step], outcome: RunOutcome, total: int) -> None:
        for index, step in enumerate(steps, start=1):
            if self.abort.is_set():
                return
            try:
                record = self.journal.step_started(step)
            except JournalWriteError as exc:
                self.journal.records[-1].status = FAILED  # never sent: the run stops before it
                self._stop(outcome, host, f"the journal could not be written ({exc.reason})", str(exc))
                return
            outcome.records.append(record)
            text = objects.describe_step(step)
            await self.queue.put(Event("step_started", host, index, total, text))
            try:
                vmk = await self.execute(step, record)
            except StepError as exc:
                self._record(outcome, host, record, IN_FLIGHT if exc.unknown else FAILED, error=str(exc))
                if outcome.failure is None:
                    outcome.failure, outcome.failed_host = f"{host}: {text} failed: {exc}", host
                self.abort.set()
                await self.queue.put(Event("step_failed", host, index, total, f"{text} failed: {exc}"))
                return
            except asyncio.CancelledError:
                record.at = time.time()
                self._record(outcome, host, record, IN_FLIGHT, error="interrupted while its call was running")
                raise
            if self._crash_mid:
                self._crash_at(self._done_count + 1)
            self._record(outcome, host, record, DONE, vmk=vmk)
            await self.queue.put(Event("step_done", host, index, total, objects.describe_step(step, vmk)))
            self._count_done()

    def _record(
        self,
        outcome: RunOutcome,
        host: str,
        record: StepRecord,
        status: str,
        vmk: str | None = None,
        error: str = "",
    ) -> None:
        """Journal a step's end; a journal that cannot be written stops the run (memory keeps the record)."""
        if status == IN_FLIGHT and record.at is None:
            record.at = time.time()
        try:
            self.journal.step_finished(record, status, vmk=vmk, error=error)
        except JournalWriteError as exc:
            self._stop(outcome, host, f"the journal could not be written ({exc.reason})", str(exc))

    def _stop(self, outcome: RunOutcome, host: str, failure: str, journal_error: str) -> None:
        outcome.journal_error = outcome.journal_error or journal_error
        if outcome.failure is None:
            outcome.failure, outcome.failed_host = failure, host
        self.abort.set()

    def _count_done(self) -> None:
        self._done_count += 1
        if not self._crash_mid:
            self._crash_at(self._done_count)

    def _crash_at(self, count: int) -> None:
        if self._crash_after is not None and count >= self._crash_after:
            os.kill(os.getpid(), signal.SIGKILL)


async def stream(jobs: Sequence[Awaitable[None]], queue: asyncio.Queue[Event]) -> AsyncIterator[Event]:
    """Run ``jobs`` concurrently and yield the events they queue, until all have finished."""
    everything = asyncio.gather(*jobs)
    try:
        while True:
            getter: asyncio.Future[Any] = asyncio.ensure_future(queue.get())
            waitables: set[asyncio.Future[Any]] = {getter, everything}
            finished, _ = await asyncio.wait(waitables, return_when=asyncio.FIRST_COMPLETED)
            if getter in finished:
                yield getter.result()
                continue
            getter.cancel()
            while not queue.empty():
                yield queue.get_nowait()
            everything.result()  # re-raise a bug in a job
            return
    finally:
        if not everything.done():
            everything.cancel()  # an interruption: its outcome is the caller's to journal, never a log line
            everything.add_done_callback(_retrieved)


def _retrieved(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()
