"""Running plan steps on hosts: journaled, all hosts at once, lost replies recognised, undo on failure.

Each host's steps run in order in a thread (the adapter blocks); hosts run concurrently. The journal is
written before and after every step. A step whose reply was lost (timeout, dropped connection) is judged
by re-reading the host: if the host shows the step's result it counts as done (and the created vmk's
device is learnt), so nothing is ever duplicated or orphaned.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from vmesh_tui.core.model import HostState, Vmk
from vmesh_tui.core.steps import NetObject, Step, object_key, object_kind
from vmesh_tui.engine import objects
from vmesh_tui.engine.events import Event
from vmesh_tui.engine.hostsapi import HostsApi, error_text, is_lost_reply
from vmesh_tui.engine.journal import DONE, FAILED, UNDONE, Journal, StepRecord

# Tests only: SIGKILL ourselves after the Nth step is journaled done ("N"), or after the Nth step's call
# returned but before its journal record says so ("mid:N").
CRASH_ENV = "VMESH_TEST_CRASH_AFTER"


class StepError(Exception):
    """A step failed on a host; the message is for the admin."""


@dataclass
class RunOutcome:
    """What a run of steps did: the records it journaled and the first failure, if any."""

    records: list[StepRecord] = field(default_factory=list)
    failure: str | None = None
    failed_host: str | None = None


class StepExecutor:
    """Runs steps through the adapter, journaling each and emitting events onto a queue."""

    def __init__(self, client: HostsApi, journal: Journal, queue: asyncio.Queue[Event]) -> None:
        self.client = client
        self.journal = journal
        self.queue = queue
        self.abort = asyncio.Event()
        self._done_count = 0
        mode, _, number = os.environ.get(CRASH_ENV, "").rpartition(":")
        self._crash_after = int(number) if number.isdigit() else None
        self._crash_mid = mode == "mid"

    async def execute(self, step: Step) -> str | None:
        """Run one step; returns the created vmk device. Raises StepError when it did not happen."""
        try:
            return await asyncio.to_thread(self.client.run_step, step)
        except Exception as exc:
            if not is_lost_reply(exc):
                raise StepError(error_text(exc)) from None
            reply_lost = error_text(exc)
        return await self._after_lost_reply(step, reply_lost)

    async def _after_lost_reply(self, step: Step, reply_lost: str) -> str | None:
        """Judge a step whose reply never came from the host's actual state; finish it, never repeat it."""
        try:
            state = (await asyncio.to_thread(self.client.read_all)).get(step.host)
        except Exception as exc:
            raise StepError(f"no reply from {step.host}, and it cannot be read ({error_text(exc)})") from None
        if state is None:
            raise StepError(f"no reply from {step.host}, and it cannot be read ({reply_lost})")
        found = objects.find_like(state, step.obj)
        device = found.device if isinstance(found, Vmk) and step.after is not None else None
        if objects.step_took_effect(state, step):
            note = "the reply was lost but the host shows the change done"
            await self.queue.put(Event("warning", step.host, message=note))
            return device
        remaining = objects.step_to(step.host, found, step.after)
        if remaining is None or (found is not None and step.before is not None and found != step.before):
            raise StepError(
                f"no reply from {step.host} and its state is not what the tool expects ({reply_lost})"
            )
        note = "the reply was lost; the host shows the change partly done or not done: finishing it"
        await self.queue.put(Event("warning", step.host, message=note))
        try:
            created = await asyncio.to_thread(self.client.run_step, remaining)
        except Exception as exc:
            raise StepError(f"{error_text(exc)} (after a lost reply: {reply_lost})") from None
        return created or device

    async def run_host(self, host: str, steps: Sequence[Step], outcome: RunOutcome, total: int) -> None:
        for index, step in enumerate(steps, start=1):
            if self.abort.is_set():
                return
            record = self.journal.step_started(step)
            outcome.records.append(record)
            text = objects.describe_step(step)
            await self.queue.put(Event("step_started", host, index, total, text))
            try:
                vmk = await self.execute(step)
            except StepError as exc:
                self.journal.step_finished(record, FAILED, error=str(exc))
                if outcome.failure is None:
                    outcome.failure, outcome.failed_host = f"{host}: {text} failed: {exc}", host
                self.abort.set()
                await self.queue.put(Event("step_failed", host, index, total, f"{text} failed: {exc}"))
                return
            if self._crash_mid:
                self._crash_at(self._done_count + 1)
            self.journal.step_finished(record, DONE, vmk=vmk)
            await self.queue.put(Event("step_done", host, index, total, objects.describe_step(step, vmk)))
            self._count_done()

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
            everything.cancel()


def undo_steps(records: Sequence[StepRecord], current: HostState) -> list[Step]:
    """Steps that bring every object the records touched back to its value before the first of them.

    Decided from ``current`` (the host as it is now), never by replaying: objects already back are skipped,
    and a vmk is found by its portgroup whatever device the host gave it. Objects are undone in the reverse
    order of their first record (a later update, e.g. a recover toggle, must not move a portgroup's removal
    before the removal of the vmk on it).
    """
    original: dict[tuple[str, str], NetObject | None] = {}
    for record in records:
        original.setdefault(_key(record.step), record.step.before)
    result: list[Step] = []
    for key in reversed(original):
        step = objects.step_to(current.name, objects.find(current, *key), original[key])
        if step is not None:
            result.append(step)
    return result


async def undo(
    executor: StepExecutor,
    records: Sequence[StepRecord],
    states: dict[str, HostState],
    on_failure: Callable[[str], None],
) -> AsyncIterator[Event]:
    """Undo ``records`` on every host concurrently (each host in reverse order); yields events."""

    async def undo_host(host: str) -> None:
        host_records = [r for r in records if r.host == host]
        steps = undo_steps(host_records, states[host])
        for index, step in enumerate(steps, start=1):
            text = objects.describe_step(step)
            try:
                await executor.execute(step)
            except StepError as exc:
                on_failure(f"{host}: could not {text}: {exc}")
                await executor.queue.put(Event("step_failed", host, index, len(steps), f"undo failed: {exc}"))
                continue
            for record in host_records:
                if _key(record.step) == _key(step):
                    executor.journal.step_finished(record, UNDONE)
            await executor.queue.put(Event("step_rolled_back", host, index, len(steps), text))
        for record in host_records:  # steps with nothing left to undo (never happened, or already back)
            if record.status != UNDONE and not any(_key(s) == _key(record.step) for s in steps):
                executor.journal.step_finished(record, UNDONE)

    hosts = sorted({r.host for r in records} & states.keys())
    async for event in stream([undo_host(h) for h in hosts], executor.queue):
        yield event


def with_vmk_device(step: Step, device: str | None) -> Step:
    """The step with a created vmk's device filled in (the host chose it)."""
    if device and isinstance(step.after, Vmk) and not step.after.device:
        return replace(step, after=replace(step.after, device=device))
    return step


def _key(step: Step) -> tuple[str, str]:
    return object_kind(step.obj), object_key(step.obj)
