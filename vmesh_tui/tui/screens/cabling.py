"""Step 3: which NIC is cabled to which. CDP evidence is verified; matching names are a guess."""

from __future__ import annotations

import threading
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from vmesh_tui.core.errors import CoreError
from vmesh_tui.core.model import split_ref
from vmesh_tui.core.pairing import Pairing
from vmesh_tui.tui.draft import Back
from vmesh_tui.tui.screens.cabling_probe import ProbingScreen
from vmesh_tui.tui.widgets.patchpanel import (
    CELL,
    MIDDLE,
    PanelRow,
    build_rows,
    cables_line,
    describe_nic,
    render_row,
)
from vmesh_tui.tui.widgets.probebar import ProbeBar


def row_words(row: PanelRow, drawn: str) -> str:
    """What the filter matches: the line as drawn (speed, driver, reason), plus both full NIC references."""
    return " ".join([drawn, row.left or "", row.right or "", row.exclusion or ""]).lower()


class CablingScreen(ProbingScreen):
    STEP = "Cabling"
    HELP_KEYS = [
        ("up/down", "move between ports"),
        ("space", "mark a free port; space on a port of the other host links them"),
        ("u", "unlink the cable on this line"),
        ("/", "filter the lines (esc clears the filter)"),
        ("n / enter", "accept these cables and go to addressing"),
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
