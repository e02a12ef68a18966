"""Step 3: which NIC is cabled to which. CDP evidence is verified; matching names are a guess."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from vmesh_tui.core.errors import CoreError
from vmesh_tui.core.model import split_ref
from vmesh_tui.core.pairing import Pairing
from vmesh_tui.core.probing import as_the_probe_reads_them, leftover_findings, plan_probe
from vmesh_tui.tui.draft import Back
from vmesh_tui.tui.operation import OperationDone, OperationEvent, OperationFailed
from vmesh_tui.tui.screens.base import VmeshScreen
from vmesh_tui.tui.widgets.confirm import ConfirmScreen
from vmesh_tui.tui.widgets.patchpanel import (
    CELL,
    MIDDLE,
    PanelRow,
    build_rows,
    cables_line,
    describe_nic,
    render_row,
)
from vmesh_tui.tui.widgets.probebar import ProbeBar, probe_question, probe_summary, probe_tags, probed_hosts


def row_words(row: PanelRow, drawn: str) -> str:
    """What the filter matches: the line as drawn (speed, driver, reason), plus both full NIC references."""
    return " ".join([drawn, row.left or "", row.right or "", row.exclusion or ""]).lower()


class CablingScreen(VmeshScreen):
    STEP = "Cabling"
    HELP_KEYS = [
        ("up/down", "move between ports"),
        ("space", "mark a free port; space on a port of the other host links them"),
        ("u", "unlink the cable on this line"),
        ("/", "filter the lines (esc clears the filter)"),
        ("enter", "accept these cables and go to addressing"),
        ("p", "probe: a temporary CDP vSwitch on each host finds the real cables (asks first; esc cancels)"),
        (
            "legend",
            "cdp = CDP heard the peer; name = same NIC name; applied = set up by vmesh-tui; ? = "
            "not proven yet",
        ),
    ]
    BINDINGS = [  # esc: one of three, and the footer names the one it does now (check_action)
        Binding("escape", "back", "Back"),
        Binding("escape", "back_filter", "Clear filter"),
        Binding("escape", "back_probe", "Cancel probe"),
        Binding("space", "mark", "Link"),
        Binding("u", "unlink", "Unlink"),
        Binding("n", "next", "Next"),
        Binding("p", "probe", "Probe"),
        Binding("slash", "filter", "Filter", show=False),
    ]

    def compose(self) -> ComposeResult:
        self.pairing: Pairing = self.draft.pairing or Pairing()
        self.hosts = self.draft.host_map()
        self.marked: str | None = None
        self.filter_text = ""
        self.tags: dict[str, str] = {}  # after a probe: a short label per NIC left out of a cable
        self.probing = False
        self.probe_cancel = threading.Event()
        names = sorted(self.hosts)
        yield from self.compose_title()
        with Vertical(id="body"):
            if len(names) == 2:
                header = f" {names[0][: CELL - 1]:<{CELL}}{'cable':^{MIDDLE}} {names[1][:CELL]}"
            else:
                header = f" cables between {len(names)} hosts (HOST/vmnic)"
            yield Static(header, id="panel-header", markup=False)
            yield Input(placeholder="filter: part of a host, NIC or reason", id="filter", classes="hidden")
            yield OptionList(id="panel")
            yield Static("", id="detail", markup=False)
            yield ProbeBar(self.vapp.glyphs, id="probe", classes="hidden")
            yield Static("", id="status", markup=False)
        yield self.footer()

    def on_mount(self) -> None:
        self.refresh_panel()
        self.query_one("#panel", OptionList).focus()

    def refresh_panel(self, keep: int | None = None) -> None:
        wanted = self.filter_text.lower()
        drawn = [
            (row, render_row(row, self.hosts, self.vapp.glyphs, self.marked, self.tag_of(row)))
            for row in build_rows(self.hosts, self.pairing)
        ]
        shown = [(row, line) for row, line in drawn if not wanted or wanted in row_words(row, line.plain)]
        self.rows: list[PanelRow] = [row for row, _ in shown]
        panel = self.query_one("#panel", OptionList)
        panel.clear_options()
        panel.add_options(Option(line, id=f"row{i}") for i, (_, line) in enumerate(shown))
        if self.rows:
            panel.highlighted = min(keep or 0, len(self.rows) - 1)
        if wanted and not self.rows:
            self.say(f"No line matches {self.filter_text!r} (esc clears the filter).", error=True)
        else:
            self.say(f"{cables_line(self.pairing)}. n: next")
        self.show_detail()

    def action_filter(self) -> None:
        field = self.query_one("#filter", Input)
        field.remove_class("hidden")
        field.focus()
        self.refresh_bindings()

    @on(Input.Changed, "#filter")
    def filter_changed(self, event: Input.Changed) -> None:
        self.filter_text = event.value.strip()
        self.refresh_panel()

    @on(Input.Submitted, "#filter")
    def filter_done(self) -> None:
        self.query_one("#panel", OptionList).focus()

    def tag_of(self, row: PanelRow) -> str | None:
        return self.tags.get(row.lone or "") if row.lone else None

    def action_back(self) -> None:  # while the probe runs, esc is Cancel probe instead (check_action)
        field = self.query_one("#filter", Input)
        if not field.has_class("hidden"):  # esc first clears the filter, then goes back
            field.value = ""
            field.add_class("hidden")
            self.query_one("#panel", OptionList).focus()
            self.refresh_bindings()
            return
        self.dismiss(Back(self.edited()))  # the cables as edited stay

    def current(self) -> PanelRow | None:
        index = self.query_one("#panel", OptionList).highlighted
        return self.rows[index] if index is not None and 0 <= index < len(self.rows) else None

    @on(OptionList.OptionHighlighted, "#panel")
    def show_detail(self) -> None:
        row = self.current()
        refs = [r for r in (row.left, row.right) if r] if row else []
        lines = [describe_nic(self.hosts, ref, self.pairing) for ref in refs]
        if row is not None and row.exclusion and not any("excluded" in line for line in lines):
            lines.append(f"excluded: {row.exclusion}")
        self.query_one("#detail", Static).update("\n".join(lines))

    @on(OptionList.OptionSelected, "#panel")
    def selected(self) -> None:
        self.action_next()

    def edited(self) -> Any:
        """The draft with the cables as edited (and, after a probe, the hosts with what they heard)."""
        return self.draft.with_(pairing=self.pairing, hosts=tuple(self.hosts[n] for n in sorted(self.hosts)))

    async def stop_probe(self, timeout_s: float = 60.0) -> None:
        """Cancel the running probe and wait until it has removed its vSwitches (at most ``timeout_s``:
        a probe that cannot finish is left to its journal)."""
        self.action_back_probe()
        deadline = time.monotonic() + timeout_s
        while self.probing and time.monotonic() < deadline:
            await asyncio.sleep(0.1)

    def action_mark(self) -> None:  # not while probing (check_action)
        row = self.current()
        index = self.query_one("#panel", OptionList).highlighted
        if row is None or row.lone is None:
            self.say("This line is a cable already: press u to unlink it first.", error=True)
            return
        if self.marked is None or self.marked == row.lone:
            self.marked = None if self.marked == row.lone else row.lone
            self.refresh_panel(keep=index)
            if self.marked:
                self.say(f"Marked {self.marked}. Move to a port of another host and press space to link.")
            return
        a, b = self.marked, row.lone
        try:
            from vmesh_tui.core.pairing import link

            self.pairing = link(self.pairing, list(self.hosts.values()), a, b)
        except CoreError as exc:
            self.say(str(exc), error=True)
            return
        self.marked = None
        self.refresh_panel(keep=index)
        linked = [i for i, line in enumerate(self.rows) if line.cable is not None and a in line.cable.ends]
        if linked:  # the cursor follows the new cable, so the detail below shows it
            self.query_one("#panel", OptionList).highlighted = linked[0]
        self.say(f"Linked {a} and {b} (manual).")

    def action_unlink(self) -> None:  # not while probing (check_action)
        row = self.current()
        index = self.query_one("#panel", OptionList).highlighted
        if row is None or row.cable is None:
            self.say("No cable on this line to unlink.", error=True)
            return
        from vmesh_tui.core.pairing import unlink

        try:
            self.pairing = unlink(self.pairing, row.cable.a)
        except CoreError as exc:
            self.say(str(exc), error=True)
            return
        self.refresh_panel(keep=index)
        self.say(f"Unlinked {row.cable.a} and {row.cable.b}.")

    def action_next(self) -> None:  # enter reaches it while probing too (n does not: check_action)
        if self.probing:
            self.say("The probe is running: wait for it to end, or press esc to cancel it.", error=True)
            return
        if not self.pairing.cables:
            self.say("No cables: link at least one pair of ports (space on each end).", error=True)
            return
        hosts_with_cables = {split_ref(ref)[0] for c in self.pairing.cables for ref in (c.a, c.b)}
        if len(hosts_with_cables) < 2:
            self.say("Cables must join two different hosts.", error=True)
            return
        self.dismiss(self.edited())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("back", "back_filter", "back_probe"):
            filtering = any(not field.has_class("hidden") for field in self.query("#filter"))
            now = "back_probe" if getattr(self, "probing", False) else "back_filter" if filtering else "back"
            return action == now
        if getattr(self, "probing", False) and action in ("mark", "unlink", "next", "probe"):
            return False  # nothing else while it runs: the footer offers only esc Cancel probe
        return not (action == "probe" and self.vapp.read_only)  # it changes the hosts: not shown read-only

    def action_back_filter(self) -> None:
        self.action_back()

    def action_back_probe(self) -> None:
        """esc while the probe runs: stop its wait; it then removes its vSwitches."""
        if self.probing:
            self.probe_cancel.set()
            self.query_one(ProbeBar).say("probe: cancelling - removing the temporary vSwitches ...")

    # ----- the cable probe
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
