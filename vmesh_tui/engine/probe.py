"""The cable probe: lend every host's free NICs to a temporary CDP vSwitch, listen, remove it again.

A journaled run like an apply: it holds the host-set lock and journals each step before and after it
runs (a journal of kind "probe"), so a crash, a lost reply or a fault leaves an open journal that
``status`` shows and ``revert`` or the next probe undoes, decided from the hosts' actual state. The
``cancel`` event (esc in the TUI, ctrl+c headless) ends the wait early; the removal always runs. The
hosts must end as they started: they are read again and compared with the state read before the first
step. Per host the probe costs one AddVirtualSwitch, one QueryNetworkHint per poll and one
RemoveVirtualSwitch, on top of a read before and one without neighbours after.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass

from vmesh_tui.core.errors import CoreError
from vmesh_tui.core.model import HostState, Neighbor, nic_ref
from vmesh_tui.core.probe_results import read_probe, settled, with_neighbours
from vmesh_tui.core.probing import ProbePlan, plan_probe, unexplained_leftover
from vmesh_tui.core.steps import Action, Step
from vmesh_tui.engine import journal as jr
from vmesh_tui.engine import objects
from vmesh_tui.engine.events import Event, done, phase, warning
from vmesh_tui.engine.hostio import HostIO
from vmesh_tui.engine.hostsapi import error_text
from vmesh_tui.engine.lock import HostSetLock, LockBusy
from vmesh_tui.engine.results import ProbeResult, RevertResult
from vmesh_tui.engine.reverting import revert_locked
from vmesh_tui.engine.runner import RunOutcome, StepExecutor, stream
from vmesh_tui.engine.stale import close_stale_probes, open_probes
from vmesh_tui.engine.undo import undo

SLICE_S = 0.1  # how often a wait looks at the cancel event


@dataclass(frozen=True)
class ProbeOptions:
    """How long to listen at most, how often to ask, and the tool's name prefix (``PREFIX-probe``)."""

    timeout_s: float = 90.0  # ESXi and Cisco advertise every 60 s: one interval plus margin
    poll_s: float | None = None  # None: a twentieth of the timeout, within 0.2-2 s
    name_prefix: str = "vmesh"

    @property
    def poll_every_s(self) -> float:
        if self.poll_s is not None:
            return self.poll_s
        return min(2.0, max(0.2, self.timeout_s / 20))


async def run_probe(engine: HostIO, options: ProbeOptions, cancel: threading.Event) -> AsyncIterator[Event]:
    """Probe the connected hosts under their lock; the last event is "done" with a ProbeResult."""
    lock = HostSetLock(engine.state_dir, engine.client.host_names())
    try:
        lock.acquire()
    except LockBusy as exc:
        yield done(ProbeResult(False, str(exc), refused=True, timeout_s=options.timeout_s))
        return
    try:
        async for event in _probe_locked(engine, options, cancel):
            yield event
    finally:
        lock.release()


async def _probe_locked(
    engine: HostIO, options: ProbeOptions, cancel: threading.Event
) -> AsyncIterator[Event]:
    hosts = engine.client.host_names()
    if open_probes(engine.state_dir, hosts):  # those a fresh read shows nothing of are only closed
        seen, _ = await engine.read_each(hosts)
        for sentence in close_stale_probes(engine.state_dir, seen, engine.landing_wait_s, "a probe"):
            yield warning(sentence)
    for earlier in [j for j in jr.all_journals(engine.state_dir) if j.kind == jr.PROBE and not j.closed]:
        if not set(earlier.hosts) <= set(hosts):
            continue
        yield warning(f"an earlier probe ({earlier.id}) did not finish: removing what it left first")
        cleaned: RevertResult | None = None
        async for event in revert_locked(engine, earlier):
            if event.kind == "done":
                cleaned = event.result
            else:
                yield event
        if cleaned is None or not cleaned.ok:
            why = cleaned.message if cleaned is not None else "it stopped"
            remaining = (*cleaned.problems, *cleaned.differences) if cleaned is not None else ()
            message = f"the earlier probe's leftovers could not be removed ({why}); run revert"
            yield done(ProbeResult(False, message, problems=remaining, journal_id=earlier.id, refused=True))
            return
    yield phase("reading the hosts")
    start = await engine.read()
    states = [start[name] for name in sorted(start)]
    try:
        plan = plan_probe(states, options.name_prefix)
    except CoreError as exc:  # every interrupted probe a journal knows was cleaned up above
        refusal = unexplained_leftover(states, options.name_prefix) or exc
        yield done(ProbeResult(False, str(refusal), hosts=start, timeout_s=options.timeout_s, refused=True))
        return
    if plan.is_empty:
        report = read_probe(states, plan, {}, options.name_prefix)
        message = "nothing to probe: no host has a free NIC with link whose far end is unknown"
        applied = sum(cable.source == "applied" for cable in report.pairing.cables)
        message += f" ({applied} cable(s) in use by vmesh-tui)" if applied else ""
        yield done(ProbeResult(True, message, report, start, timeout_s=options.timeout_s))
        return
    request = {"switch": plan.switch_name, "nics": list(plan.refs), "timeout_s": options.timeout_s}
    journal = jr.Journal.create(engine.state_dir, start, (), None, request, kind=jr.PROBE)
    run = _ProbeRun(engine, journal, plan, options, cancel, start)
    try:
        async for event in run.add():
            yield event
        if run.added and not cancel.is_set():
            async for event in run.listen():
                yield event
    except (asyncio.CancelledError, GeneratorExit):
        await run.remove_quietly()
        raise
    async for event in run.remove():
        yield event
    yield done(run.result())


class _ProbeRun:
    """One probe after its journal exists: add, listen, remove, judge."""

    def __init__(
        self,
        engine: HostIO,
        journal: jr.Journal,
        plan: ProbePlan,
        options: ProbeOptions,
        cancel: threading.Event,
        start: Mapping[str, HostState],
    ) -> None:
        self.engine, self.journal, self.plan = engine, journal, plan
        self.options, self.cancel = options, cancel
        self.start = dict(start)
        self.queue: asyncio.Queue[Event] = asyncio.Queue()
        self.executor = StepExecutor(engine.client, journal, self.queue, engine.landing_wait_s)
        self.heard: dict[str, Neighbor | None] = {}
        self.waited_s = 0.0
        self.failure: str | None = None
        self.problems: list[str] = []
        self.differences: tuple[str, ...] = ()

    @property
    def added(self) -> bool:
        return self.failure is None

    def _steps(self, action: Action) -> dict[str, Step]:
        """The add (or remove) step of each probed host's temporary vSwitch."""
        if action == Action.ADD:
            return {t.host: Step(t.host, action, None, t.vswitch) for t in self.plan.targets}
        return {t.host: Step(t.host, action, t.vswitch, None) for t in self.plan.targets}

    async def add(self) -> AsyncIterator[Event]:
        steps = self._steps(Action.ADD)
        yield phase(f"adding the temporary vSwitch {self.plan.switch_name} on {len(steps)} hosts")
        outcome = RunOutcome()
        jobs = [self.executor.run_host(host, [step], outcome, 1) for host, step in steps.items()]
        async for event in stream(jobs, self.queue):
            yield event
        self.failure = outcome.failure

    async def listen(self) -> AsyncIterator[Event]:
        loop = asyncio.get_running_loop()
        begin = loop.time()
        timeout, total = self.options.timeout_s, len(self.plan.refs)
        devices = {h: [p.device for p in s.pnics if p.link_up] for h, s in self.start.items()}
        yield phase(f"listening for CDP on {total} NICs (at most {timeout:.0f} s)")
        while True:
            for problem in await self._poll(devices):
                yield warning(problem)
            self.waited_s = loop.time() - begin
            found = len(settled(list(self.start.values()), self.plan, self.heard))
            left = max(0.0, timeout - self.waited_s)
            text = f"{found} of {total} NICs found their far end, {left:.0f} s left"
            data = {"elapsed_s": self.waited_s, "timeout_s": timeout, "left_s": left}
            yield Event("probe_wait", index=found, total=total, message=text, data=data)
            if found >= total or left <= 0 or self.cancel.is_set():
                return
            await self._sleep(min(self.options.poll_every_s, left))

    async def _poll(self, devices: Mapping[str, list[str]]) -> list[str]:
        """Ask every host what its NICs hear (one QueryNetworkHint each, concurrently)."""

        async def ask(host: str) -> str | None:
            try:
                found = await asyncio.to_thread(self.engine.client.neighbours, host, devices[host])
            except Exception as exc:
                return f"{host}: cannot read what its NICs hear ({error_text(exc)}); asking again"
            self.heard.update({nic_ref(host, device): n for device, n in found.items()})
            return None

        answers = await asyncio.gather(*(ask(host) for host in sorted(devices)))
        return [a for a in answers if a is not None]

    async def _sleep(self, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        until = loop.time() + seconds
        while not self.cancel.is_set() and loop.time() < until:
            await asyncio.sleep(min(SLICE_S, until - loop.time()))

    async def remove(self) -> AsyncIterator[Event]:
        """Remove the vSwitches that were added, then compare every host with its starting state."""
        records = self.journal.records
        added = {r.host for r in records if r.status == jr.DONE and r.step.action == Action.ADD}
        steps = {h: s for h, s in self._steps(Action.REMOVE).items() if h in added}
        if steps:
            yield phase(f"removing {self.plan.switch_name} from {len(steps)} hosts")
            self.executor.abort.clear()
            outcome = RunOutcome()
            jobs = [self.executor.run_host(host, [step], outcome, 1) for host, step in steps.items()]
            async for event in stream(jobs, self.queue):
                yield event
        after = await self._read()
        if after is not None and self._compare(after):  # something is left: undo once more from the state
            async for event in undo(self.executor, self.journal.records, after, self.problems.append):
                yield event
            after = await self._read()
            if after is not None:
                self._compare(after)
        self._close()

    async def remove_quietly(self) -> None:
        """Cancelled from outside (the task, or the generator closed): remove without events, best effort.

        Each host's calls queue behind its lock, so a removal never overtakes an add still in flight."""
        for host, step in self._steps(Action.REMOVE).items():
            if not any(r.host == host for r in self.journal.records):
                continue
            record = self.journal.step_started(step)
            try:
                await asyncio.to_thread(self.engine.client.run_step, step)
                self.journal.step_finished(record, jr.DONE)
            except Exception as exc:  # NotFound (never added) is fine; the re-read below judges
                self.journal.step_finished(record, jr.FAILED, error=error_text(exc))
        after = await self._read()
        if after is not None:
            self._compare(after)
        self._close()

    async def _read(self) -> dict[str, HostState] | None:
        try:
            return await self.engine.read(hints=False)  # the comparison needs no neighbours
        except Exception as exc:
            why = error_text(exc)
            self.problems.append(f"the hosts cannot be read: {why}; run revert when they answer")
            return None

    def _compare(self, after: Mapping[str, HostState]) -> tuple[str, ...]:
        start = self.start
        self.differences = tuple(
            d for h in sorted(start) if h in after for d in objects.differences(start[h], after[h])
        )
        return self.differences

    def _close(self) -> None:
        if self.problems or self.differences:
            self.journal.set_status(jr.ROLLBACK_INCOMPLETE)
        else:
            self.journal.set_status(jr.PROBED, close=True)

    def result(self) -> ProbeResult:
        states = [self.start[name] for name in sorted(self.start)]
        prefix = self.options.name_prefix
        finished = self.failure is None and not self.cancel.is_set()  # else silence does not mean dark
        report = read_probe(states, self.plan, self.heard, prefix, self.waited_s, finished)
        cables = len([c for c in report.pairing.cables if c.source == "cdp"])
        switch = len(report.with_code("switch"))
        if finished:
            quiet = f"{len(report.with_code('dark'))} dark"
        else:
            quiet = f"{sum(1 for ref in self.plan.refs if report.finding(ref) is None)} not heard"
        found = f"{cables} cable(s) verified by CDP, {switch} NIC(s) on a switch, {quiet}"
        clean = not (self.problems or self.differences)
        after = "the hosts are as they were" if clean else "some changes remain; run revert"
        if self.failure is not None:
            message = f"the probe could not start: {self.failure}; {after}"
        elif self.cancel.is_set():
            message = f"cancelled after {self.waited_s:.0f} s: {found} so far; {after}"
        else:
            message = f"{found} after {self.waited_s:.0f} s; {after}"
        return ProbeResult(
            ok=clean and self.failure is None,
            message=message,
            report=report,
            hosts={h.name: h for h in with_neighbours(states, self.heard)},
            waited_s=self.waited_s,
            timeout_s=self.options.timeout_s,
            cancelled=self.cancel.is_set(),
            journal_id=self.journal.id,
            differences=self.differences,
            problems=tuple(self.problems),
        )
