"""The Cabling screen's cable probe (`p`): ask first, run it with a progress line, esc cancels, and the
patch panel takes what it heard. A base class of ``CablingScreen`` (screens/cabling.py), which draws."""

from __future__ import annotations

import asyncio
import threading
import time

from textual import on, work

from vmesh_tui.core.model import HostState
from vmesh_tui.core.pairing import Pairing
from vmesh_tui.core.probing import as_the_probe_reads_them, leftover_findings, plan_probe
from vmesh_tui.tui.operation import OperationDone, OperationEvent, OperationFailed
from vmesh_tui.tui.screens.base import VmeshScreen
from vmesh_tui.tui.widgets.confirm import ConfirmScreen
from vmesh_tui.tui.widgets.probebar import ProbeBar, probe_question, probe_summary, probe_tags, probed_hosts


class ProbingScreen(VmeshScreen):
    """What the probe needs of the screen: the hosts and cables it replaces, and ``refresh_panel``."""

    hosts: dict[str, HostState]
    pairing: Pairing
    tags: dict[str, str]  # after a probe: a short label per NIC left out of a cable
    probing: bool
    probe_cancel: threading.Event

    def refresh_panel(self, keep: int | None = None) -> None:
        raise NotImplementedError

    async def stop_probe(self, timeout_s: float = 60.0) -> None:
        """Cancel the running probe and wait until it has removed its vSwitches (at most ``timeout_s``:
        a probe that cannot finish is left to its journal)."""
        self.action_back_probe()
        deadline = time.monotonic() + timeout_s
        while self.probing and time.monotonic() < deadline:
            await asyncio.sleep(0.1)

    def action_back_probe(self) -> None:
        """esc while the probe runs: stop its wait; it then removes its vSwitches."""
        if self.probing:
            self.probe_cancel.set()
            self.query_one(ProbeBar).say("probe: cancelling - removing the temporary vSwitches ...")

    @work(exclusive=True, group="confirm")
    async def action_probe(self) -> None:  # never while probing (check_action)
        if self.vapp.read_only or self.vapp.engine is None:
            why = "read-only mode" if self.vapp.read_only else "not connected"
            self.say(f"The probe changes the hosts for a while ({why}): it is not offered.", error=True)
            return
        hosts = list(self.hosts.values())  # after a probe, with what it heard: plan from a fresh read's view
        left_on = [finding.subject for finding in leftover_findings(hosts)]
        plan = plan_probe(as_the_probe_reads_them(hosts))
        if plan.is_empty:
            applied = sum(1 for c in self.pairing.cables if c.source == "applied")
            used = f"; {applied} in use by vmesh-tui" if applied else " whose far end is unknown"
            self.say(f"Nothing to probe: no host has a free NIC with link{used}.")
            return
        timeout = float(getattr(self.vapp, "probe_timeout_s", 90.0))
        question, detail = probe_question(plan, timeout, left_on)
        if not await self.app.push_screen_wait(ConfirmScreen(question, detail, yes_label="Probe")):
            self.say("Not probed: nothing changed.")
            return
        from vmesh_tui.engine.probe import ProbeOptions

        self.probing, self.vapp.busy = True, True
        self.refresh_bindings()
        self.probe_cancel = threading.Event()
        self.query_one(ProbeBar).start(timeout)
        self.say("Probing: cables appear when it ends; esc cancels and removes its vSwitches.")
        options, cancel = ProbeOptions(timeout_s=timeout), self.probe_cancel
        engine = self.engine
        self.start_operation("probe", lambda: engine.probe(options, cancel))

    @on(OperationEvent)
    def probe_progress(self, message: OperationEvent) -> None:
        event, probe_bar = message.event, self.query_one(ProbeBar)
        if event.kind == "probe_wait" and not self.probe_cancel.is_set():
            probe_bar.heard(float(event.data.get("elapsed_s", 0.0)), event.index, event.total)
        elif event.kind in ("phase", "warning") and not self.probe_cancel.is_set():
            probe_bar.say(f"probe: {event.message}")

    @on(OperationFailed)
    def probe_failed(self, message: OperationFailed) -> None:
        self.probe_ended()
        self.say(f"The probe stopped: {message.problem} Status (ctrl+p) shows its journal.", error=True)

    @on(OperationDone)
    def probe_done(self, message: OperationDone) -> None:
        self.probe_ended()
        result = message.result
        if result is not None and result.report is not None and not result.refused:
            self.hosts = probed_hosts(result, self.hosts)
            self.pairing = result.report.pairing
            self.tags = probe_tags(result.report)
            self.refresh_panel()
        text, ok = probe_summary(result)
        self.say(text, error=not ok)

    def probe_ended(self) -> None:
        self.probing, self.vapp.busy = False, False
        self.refresh_bindings()
        self.query_one(ProbeBar).stop()
