"""Step 7: jumbo pings both ways over every link; each failure with its reason and remedy."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Static

from vmesh_tui.core.model import split_ref
from vmesh_tui.tui.backend import EngineLike, EventLike
from vmesh_tui.tui.operation import OperationDone, OperationEvent, OperationFailed
from vmesh_tui.tui.screens.base import VmeshScreen


def link_label(a: str, b: str) -> str:
    (host_a, dev_a), (host_b, dev_b) = split_ref(a), split_ref(b)
    return f"{host_a.split('.')[0]}/{dev_a} - {host_b.split('.')[0]}/{dev_b}"


def direction_of(event: Any) -> tuple[int, bool, bool] | None:
    """(link index, a-to-b?, ok) from a ping event when the engine says which way it went."""
    data = event.data or {}
    index = data.get("link_index", data.get("index"))
    ok = data.get("ok")
    forward = data.get("forward")
    if forward is None and "src_host" in data and "a" in data:
        forward = split_ref(str(data["a"]))[0] == data["src_host"]
    if index is None or ok is None or forward is None:
        return None
    return int(index), bool(forward), bool(ok)


async def rebooted_stream(engine: EngineLike) -> AsyncIterator[EventLike]:
    """Which hosts rebooted since the open run was applied (boot time against the journal's)."""
    from vmesh_tui.engine.events import done
    from vmesh_tui.engine.recovery import rebooted_hosts

    journal = engine.journal()
    rebooted = rebooted_hosts(journal, dict(await engine.read())) if journal is not None else []
    yield done(rebooted)


class ValidateScreen(VmeshScreen):
    STEP = "Validate"
    HELP_KEYS = [
        ("r", "run the pings again"),
        ("up/down", "pick a link to read its explanation"),
        ("ctrl+r", "recovery, when a host rebooted since the apply"),
        ("c", "back into the wizard: read the hosts again, then Cabling"),
        ("n", "finish: show the status"),
        ("marks", "OK / FAIL are written out, so no colour is needed"),
    ]
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("r", "run", "Re-run"),
        Binding("ctrl+r", "recovery", "Recovery"),
        Binding("c", "cabling", "Cabling"),
        Binding("n", "next", "Finish"),
    ]

    def compose(self) -> ComposeResult:
        yield from self.compose_title()
        with Vertical(id="body"):
            yield Static("Ping with don't-fragment at full MTU, both directions, every link.", classes="hint")
            yield DataTable(id="matrix", cursor_type="row")
            with VerticalScroll(id="explanation-scroll"):
                yield Static("", id="explanation", markup=False)
            yield Static("", id="status", markup=False)
        yield self.footer()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":  # after an apply the plan is spent: no way back to it (c re-reads instead)
            return not self.draft.applied
        if action == "recovery":
            return bool(getattr(self, "rebooted", ())) and not self.vapp.read_only
        return True

    def on_mount(self) -> None:
        table = self.query_one("#matrix", DataTable)
        table.add_column("#")
        table.add_column("link")
        table.add_column("A->B", key="ab", width=8)
        table.add_column("B->A", key="ba", width=8)
        table.add_column("subnet")
        self.links = tuple(self.draft.plan.links) if self.draft.plan is not None else tuple(self.draft.links)
        self.details: dict[int, str] = {}
        self.rebooted: list[str] = []
        self.results_seen = 0  # link verdicts received in this run, for the "N of M checked" count
        for link in self.links:
            table.add_row(
                str(link.number),
                link_label(link.cable.a, link.cable.b),
                "",
                "",
                link.subnet,
                key=str(link.index),
            )
        table.focus()
        self.action_run()

    def set_cell(self, index: int, column: str, ok: bool | None) -> None:
        glyphs = self.vapp.glyphs
        text = glyphs.pending if ok is None else (glyphs.ok if ok else glyphs.fail)
        from rich.text import Text

        style = "" if ok is None else ("bold green" if ok else "bold red")
        self.query_one("#matrix", DataTable).update_cell(str(index), column, Text(text, style=style))

    def is_pending(self, index: int, column: str) -> bool:
        cell = str(self.query_one("#matrix", DataTable).get_cell(str(index), column))
        return self.vapp.glyphs.pending in cell or not cell.strip()

    def action_run(self) -> None:
        engine, plan = self.vapp.engine, self.draft.plan
        if engine is None or plan is None:
            self.say("Nothing to validate: connect and plan first.", error=True)
            return
        for link in self.links:
            self.set_cell(link.index, "ab", None)
            self.set_cell(link.index, "ba", None)
        self.details.clear()
        self.rebooted = []
        self.refresh_bindings()
        self.pinged_after = self.vapp.host_changes
        self.results_seen = 0
        self.say("Pinging ...")
        self.start_operation("validate", lambda: engine.validate(plan.links, plan.options))

    def action_recovery(self) -> None:
        self.vapp.open_recovery()

    def action_cabling(self) -> None:
        self.vapp.rewind_wizard()

    def on_screen_resume(self) -> None:
        self.refresh_bindings()
        if self.vapp.host_changes != getattr(self, "pinged_after", self.vapp.host_changes):
            self.action_run()  # a recovery or a revert ran since: the verdicts shown are from before it

    @on(OperationEvent)
    def progress(self, message: OperationEvent) -> None:
        event = message.event
        if event.kind == "ping":
            found = direction_of(event)
            if found is not None:
                index, forward, ok = found
                self.set_cell(index, "ab" if forward else "ba", ok)
        elif event.kind == "link_result":
            ok = bool((event.data or {}).get("ok"))
            for column in ("ab", "ba"):  # directions already pinged keep their own verdict
                if self.is_pending(event.index - 1, column):
                    self.set_cell(event.index - 1, column, ok)
            self.results_seen += 1  # the index is the link's number (kept when another link is dropped)
            verdict = "pass" if ok else "FAIL"
            self.say(f"link {event.index}: {verdict} ({self.results_seen} of {event.total} checked)")

    @on(OperationDone)
    def finished(self, message: OperationDone) -> None:
        if message.name == "reboots":
            self.reboots_found(list(message.result or ()))
            return
        result = message.result
        glyphs = self.vapp.glyphs
        self.failing = {check.index for check in getattr(result, "links", ()) if not check.ok}
        for check in getattr(result, "links", ()):
            self.details[check.index] = check.detail
            for column in ("ab", "ba"):
                if check.ok or self.is_pending(check.index, column):
                    self.set_cell(check.index, column, check.ok)
        failed = [c for c in getattr(result, "links", ()) if not c.ok]
        if getattr(result, "ok", False):
            self.say(
                f"{glyphs.ok} All {len(self.links)} link(s) pass both ways, MTU {self.draft.mtu}. n: finish"
            )
        else:
            self.say(
                f"{glyphs.fail} {len(failed)} link(s) fail. Pick one for the reason. r: re-run, "
                "c: read the hosts again (recabling).",
                error=True,
            )
            engine = self.vapp.engine
            if engine is not None:  # a reboot since the apply explains more than a cable could
                self.start_operation("reboots", lambda: rebooted_stream(engine))
        self.show_explanation()

    def reboots_found(self, rebooted: list[str]) -> None:
        self.rebooted = rebooted
        self.refresh_bindings()
        if rebooted:
            names = ", ".join(rebooted)
            self.say(
                f"{self.vapp.glyphs.fail} {names} rebooted since the apply: its failover order may need a "
                "toggle. ctrl+r: recovery (asks first).",
                error=True,
            )
        self.show_explanation()

    @on(OperationFailed)
    def failed(self, message: OperationFailed) -> None:
        if message.name == "reboots":  # the validation's own verdict stands; the reboot check is extra
            return
        self.say(f"{message.problem.title}: {message.problem} r: try again.", error=True)

    @on(DataTable.RowHighlighted, "#matrix")
    def show_explanation(self) -> None:
        table = self.query_one("#matrix", DataTable)
        row = table.cursor_row
        if not self.links or row is None or row >= len(self.links):
            return
        link = self.links[row]
        detail = self.details.get(link.index, "")
        lines = [f"Link {link.number}: {link.cable.a} {link.a_ip} <-> {link.cable.b} {link.b_ip}"]
        touched = [h for h in self.rebooted if h in {split_ref(ref)[0] for ref in link.cable.ends}]
        if touched and link.index in getattr(self, "failing", set()):  # first: the likelier cause
            lines.append(
                f"{', '.join(touched)} rebooted since the apply: a reboot can break vMotion with no setting "
                "lost until the failover order is toggled. Recovery (ctrl+r) does that, then pings again."
            )
        if detail:
            lines.append(detail)
        self.query_one("#explanation", Static).update("\n".join(lines))

    def action_next(self) -> None:
        self.dismiss(self.draft)
