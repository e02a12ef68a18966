"""Step 3: which NIC is cabled to which. CDP evidence is verified; matching names are a guess."""

from __future__ import annotations

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
from vmesh_tui.tui.screens.base import VmeshScreen
from vmesh_tui.tui.widgets.patchpanel import CELL, MIDDLE, PanelRow, build_rows, describe_nic, render_row


def row_words(row: PanelRow) -> str:
    """What the filter matches: both NIC references, the cable's source and any exclusion reason."""
    parts = [row.left or "", row.right or "", row.exclusion or ""]
    if row.cable is not None:
        parts.append(row.cable.source)
    return " ".join(parts).lower()


class CablingScreen(VmeshScreen):
    STEP = "Cabling"
    HELP_KEYS = [
        ("up/down", "move between ports"),
        ("space", "mark a free port; space on a port of the other host links them"),
        ("u", "unlink the cable on this line"),
        ("/", "filter the lines (esc clears the filter)"),
        ("enter", "accept these cables and go to addressing"),
        ("legend", "verified = CDP heard the peer; ? = paired by name only, validation proves it"),
    ]
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("space", "mark", "Link"),
        Binding("u", "unlink", "Unlink"),
        Binding("n", "next", "Next"),
        Binding("slash", "filter", "Filter", show=False),
    ]

    def compose(self) -> ComposeResult:
        self.pairing: Pairing = self.draft.pairing or Pairing()
        self.hosts = self.draft.host_map()
        self.marked: str | None = None
        self.filter_text = ""
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
            yield Static("", id="status", markup=False)
        yield self.footer()

    def on_mount(self) -> None:
        self.refresh_panel()
        self.query_one("#panel", OptionList).focus()

    def refresh_panel(self, keep: int | None = None) -> None:
        wanted = self.filter_text.lower()
        self.rows: list[PanelRow] = [
            row for row in build_rows(self.hosts, self.pairing) if not wanted or wanted in row_words(row)
        ]
        panel = self.query_one("#panel", OptionList)
        panel.clear_options()
        panel.add_options(
            Option(render_row(row, self.hosts, self.vapp.glyphs, self.marked), id=f"row{i}")
            for i, row in enumerate(self.rows)
        )
        if self.rows:
            panel.highlighted = min(keep or 0, len(self.rows) - 1)
        cables = len(self.pairing.cables)
        unverified = sum(1 for c in self.pairing.cables if not c.verified)
        note = f", {unverified} unverified (validation proves them)" if unverified else ""
        self.say(f"{cables} cable(s){note}. n: next")
        self.show_detail()

    def action_filter(self) -> None:
        field = self.query_one("#filter", Input)
        field.remove_class("hidden")
        field.focus()

    @on(Input.Changed, "#filter")
    def filter_changed(self, event: Input.Changed) -> None:
        self.filter_text = event.value.strip()
        self.refresh_panel()

    @on(Input.Submitted, "#filter")
    def filter_done(self) -> None:
        self.query_one("#panel", OptionList).focus()

    def action_back(self) -> None:
        field = self.query_one("#filter", Input)
        if not field.has_class("hidden"):  # esc first clears the filter, then goes back
            field.value = ""
            field.add_class("hidden")
            self.query_one("#panel", OptionList).focus()
            return
        self.dismiss(Back(self.draft.with_(pairing=self.pairing)))  # the cables as edited stay

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

    def action_mark(self) -> None:
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
        self.say(f"Linked {a} and {b} (manual).")

    def action_unlink(self) -> None:
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

    def action_next(self) -> None:
        if not self.pairing.cables:
            self.say("No cables: link at least one pair of ports (space on each end).", error=True)
            return
        hosts_with_cables = {split_ref(ref)[0] for c in self.pairing.cables for ref in (c.a, c.b)}
        if len(hosts_with_cables) < 2:
            self.say("Cables must join two different hosts.", error=True)
            return
        self.dismiss(self.draft.with_(pairing=self.pairing))
