"""The cable probe on the Cabling screen: the question it asks first, and its progress line.

The progress line is a time bar with the seconds left and how many probed NICs found their far end; it
redraws twice a second between the engine's events, so the time left moves even while nothing is heard.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

from textual.timer import Timer
from textual.widgets import Static

from vmesh_tui.core.model import HostState
from vmesh_tui.core.probing import ProbePlan
from vmesh_tui.tui.glyphs import Glyphs, bar

# a short label per finding code, for the panel's middle column (the detail line has the full sentence)
TAGS = {
    "switch": "on a switch",
    "other-host": "other host",
    "same-host": "same host",
    "unknown-port": "unknown port",
    "peer-in-use": "far end in use",
    "conflict": "CDP conflict",
    "dark": "dark",
}


def probe_question(plan: ProbePlan, timeout_s: float, left_on: Sequence[str] = ()) -> tuple[str, str]:
    """(question, detail) for the confirmation: what the probe adds, where, and for how long; first, what
    an earlier probe left on ``left_on`` (host names) is removed."""
    nics = "; ".join(f"{t.host.split('.')[0]}: {', '.join(t.nics)}" for t in plan.targets)
    question = f"Probe the cables with CDP (up to {timeout_s:.0f} s)?"
    earlier = ""
    if left_on:
        hosts = ", ".join(host.split(".")[0] for host in left_on)
        earlier = f"First removes the {plan.switch_name} an interrupted probe left on {hosts}. "
    detail = (
        f"{earlier}Adds a temporary vSwitch {plan.switch_name} on {len(plan.targets)} host(s) with their free"
        f" NICs ({nics}), CDP both, no portgroups or vmks, until each NIC hears its far end or"
        f" {timeout_s:.0f} s pass; then removes it. Meanwhile a NIC cabled to a physical switch advertises"
        " CDP (host name, vmnic) to that switch. Cables become verified; NICs on a switch and dark ones are"
        " named. esc cancels and cleans up."
    )
    return question, detail


def probe_line(elapsed_s: float, timeout_s: float, found: int, total: int, glyphs: Glyphs) -> str:
    """``probe ████░░░░ 52 s left  3/8 NICs found  esc cancels`` (fits 78 columns)."""
    left = max(0.0, timeout_s - elapsed_s)
    meter = bar(int(min(elapsed_s, timeout_s) * 10), int(timeout_s * 10), 20, glyphs)
    return f"probe {meter} {left:3.0f} s left  {found}/{total} NICs found  esc cancels"


def probe_tags(report: Any) -> dict[str, str]:
    """HOST/vmnicN -> a short label for every NIC the probe left out of a cable."""
    return {f.ref: TAGS[f.code] for f in report.nics if f.code in TAGS}


def probe_summary(result: Any) -> tuple[str, bool]:
    """(one line under 78 columns, ok?) about a probe's outcome, from its counts."""
    if result is None:
        return "Probe: no result came back; Status (ctrl+p) shows its journal.", False
    report = result.report
    if result.refused or report is None:
        return f"Probe refused: {result.message}", False
    cables = sum(1 for c in report.pairing.cables if c.source == "cdp" and c.verified)
    counts = f"{cables} cable(s) verified, {len(report.with_code('switch'))} on a switch"
    counts += f", {len(report.with_code('dark'))} dark"
    if result.differences or result.problems:
        return f"Probe: {counts}; NOT all undone: revert from Status (ctrl+p).", False
    if result.cancelled:  # cut short: what heard nothing yet is not known to be dark (core: read_probe)
        quiet = sum(1 for ref in report.probed if report.finding(ref) is None)
        heard = f"{cables} verified, {len(report.with_code('switch'))} on a switch, {quiet} not heard"
        return f"Probe cancelled ({result.waited_s:.0f} s): {heard}; hosts unchanged.", False
    if not result.ok:
        return f"Probe failed: {result.message}", False
    return f"Probe: {counts} ({result.waited_s:.0f} s); hosts as before.", True


def probed_hosts(result: Any, fallback: Mapping[str, HostState]) -> dict[str, HostState]:
    """The hosts with what the probe heard (so linking by hand afterwards is judged by it)."""
    hosts: Mapping[str, HostState] = getattr(result, "hosts", None) or fallback
    return dict(hosts)


class ProbeBar(Static):
    """One line while the probe runs; hidden otherwise."""

    def __init__(self, glyphs: Glyphs, **kwargs: Any) -> None:
        super().__init__("", markup=False, **kwargs)
        self.glyphs = glyphs
        self.began = 0.0
        self.timeout_s = 0.0
        self.found = self.total = 0
        self.listening = False
        self._timer: Timer | None = None

    def start(self, timeout_s: float) -> None:
        self.timeout_s, self.found, self.total, self.listening = timeout_s, 0, 0, False
        self.began = time.monotonic()
        self.remove_class("hidden")
        self.update("probe: adding the temporary vSwitches ...")
        if self._timer is None:
            self._timer = self.set_interval(0.5, self.redraw)

    def heard(self, elapsed_s: float, found: int, total: int) -> None:
        """An engine "probe_wait" event: resynchronise the clock and the count."""
        self.began = time.monotonic() - elapsed_s
        self.found, self.total, self.listening = found, total, True
        self.redraw()

    def say(self, text: str) -> None:
        self.listening = False
        self.update(text)

    def redraw(self) -> None:
        if self.listening:
            elapsed = time.monotonic() - self.began
            self.update(probe_line(elapsed, self.timeout_s, self.found, self.total, self.glyphs))

    def stop(self) -> None:
        self.listening = False
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.add_class("hidden")
