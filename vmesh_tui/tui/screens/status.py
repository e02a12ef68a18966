"""Status: what was applied where and when, from the journals; revert from here, with confirmation."""

from __future__ import annotations

from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, RichLog, Static

from vmesh_tui.tui.backend import sentence
from vmesh_tui.tui.draft import Rewind
from vmesh_tui.tui.operation import OperationDone, OperationEvent, OperationFailed
from vmesh_tui.tui.screens.base import VmeshScreen
from vmesh_tui.tui.widgets.confirm import ConfirmScreen


def load_journals() -> list[Any]:
    """A summary of every journal in the state dir, newest first."""
    from vmesh_tui.engine.paths import state_dir
    from vmesh_tui.engine.session import journal_summaries

    return journal_summaries(state_dir())


def short(ref: str) -> str:
    """``esx-a.lab.local/vmnic1`` -> ``esx-a/vmnic1`` (fits 80 columns)."""
    host, _, device = ref.rpartition("/")
    return f"{host.split('.')[0]}/{device}"


STATUS_WORDS = {
    "applied": "applied and still in effect",
    "applying": "stopped part-way through the apply",
    "rollback_incomplete": "failed, and its rollback did not finish",
    "rolled_back": "failed and was rolled back",
    "reverted": "undone by a revert",
    "probed": "a cable probe; its temporary vSwitches were removed",
}


def status_words(summary: Any, read_only: bool = False) -> str:
    """What a run's status means in words: ``applied (open)`` is a run still in effect, revertable."""
    words = STATUS_WORDS.get(summary.status, summary.status.replace("_", " "))
    if getattr(summary, "kind", "apply") == "probe" and summary.status != "probed":
        words = f"a cable probe, {words}; its temporary vSwitches may still be on the hosts"
    if summary.closed:
        note = getattr(summary, "note", "")
        return f"{summary.status}: {words}; closed, nothing left to undo" + (f" ({note})" if note else "")
    return f"{summary.status} (open): {words}" + ("" if read_only else "; v reverts it")


def journal_row(summary: Any) -> tuple[str, str, str, str, str]:
    created = summary.created[:19].replace("T", " ")
    hosts = ", ".join(h.split(".")[0] for h in summary.hosts)
    status = summary.status + ("" if summary.closed else " (open)")
    links = "probe" if getattr(summary, "kind", "apply") == "probe" else str(len(summary.links))
    return created, hosts[:24], status, links, str(summary.in_effect)


class StatusScreen(VmeshScreen):
    STEP = ""
    HELP_KEYS = [
        ("up/down", "pick a run"),
        ("v", "revert the connected hosts' open run (the dialog names it; asks first)"),
        ("(open)", "the run is still in effect on the hosts: revert can undo it"),
        ("r", "recovery: re-steer vMotion after a host reboot"),
        ("c", "back into the wizard: read the hosts again, then Cabling"),
        ("esc / q", "back; at the end of the wizard esc quits (asks first)"),
    ]
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("escape", "leave", "Quit"),  # the wizard's last screen: esc ends the app, and says so
        Binding("v", "revert", "Revert"),
        Binding("r", "recovery", "Recovery"),
        Binding("c", "cabling", "Cabling"),
        Binding("q", "leave", "Quit"),
    ]

    def __init__(self, draft: Any, final: bool = False) -> None:
        super().__init__(draft)
        self.final = final  # the wizard's last screen: leaving it ends the app, so esc asks and says so

    def screen_title(self) -> str:
        return "Status"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            return not self.final
        if action == "leave":  # esc and q both quit at the end; elsewhere esc is Back and q quits
            return True
        if action == "revert":  # offered while there is an open run to undo (or a journal to explain)
            return not self.vapp.read_only and getattr(self, "revertable", True)
        if action == "recovery":
            return not self.vapp.read_only
        if action == "cabling":
            return self.vapp.engine is not None
        return True

    def action_back(self) -> None:
        self.dismiss(None)

    def action_cabling(self) -> None:
        """Read the hosts again and go to Cabling: after a revert, a recabling or a failed validation."""
        if self.final and not self.vapp.busy:
            self.dismiss(Rewind())
        else:
            self.vapp.rewind_wizard()

    @work(exclusive=True, group="confirm")
    async def action_leave(self) -> None:
        question = "Leave vmesh-tui?"
        if self.vapp.demo:
            detail = "This is the demo: its simulated hosts and the runs recorded on them end with it."
        else:
            detail = "The runs stay recorded; start vmesh-tui again to see them, validate or revert."
        if await self.app.push_screen_wait(ConfirmScreen(question, detail, yes_label="Quit", danger=False)):
            if self.final:
                self.dismiss(None)
            else:
                self.app.exit(0)

    def compose(self) -> ComposeResult:
        yield from self.compose_title()
        with Vertical(id="body"):
            yield DataTable(id="journal", cursor_type="row")
            yield Static("", id="detail", markup=False)
            yield RichLog(id="step-log", markup=False, wrap=True, max_lines=200, min_width=20)
            yield Static("", id="status", markup=False)
        yield self.footer()

    def on_mount(self) -> None:
        table = self.query_one("#journal", DataTable)
        table.add_columns("when (UTC)", "hosts", "status", "links", "steps in effect")
        self.reload()
        table.focus()
        interrupted = any(j.kind == "probe" and not j.closed for j in self.journals)
        if interrupted and self.vapp.engine is not None and not self.vapp.busy:
            self.start_operation("tidy", self.vapp.engine.tidy)  # closes probes nothing is left of

    def reload(self) -> None:
        table = self.query_one("#journal", DataTable)
        table.clear()
        try:
            self.journals = load_journals()
        except Exception as exc:
            self.journals = []
            self.say(f"The journals cannot be read: {exc}", error=True)
            return
        for journal in self.journals:
            table.add_row(*journal_row(journal))
        self.revertable = self.has_open_run()
        self.refresh_bindings()
        if not self.journals:
            self.say("No runs recorded yet: nothing has been applied from this machine.")
        else:
            keys = "c: read the hosts again."
            if not self.vapp.read_only:
                keys = "r: recovery. " + keys
                keys = ("v: revert the open run. " if self.revertable else "No open run to revert. ") + keys
            self.say(f"{len(self.journals)} run(s). {keys}")
        self.show_detail()

    def has_open_run(self) -> bool:
        """Whether v has a run to undo: the connected hosts' open run, or (not connected) any open run."""
        engine = self.vapp.engine
        if engine is None:
            return any(not journal.closed for journal in self.journals)
        try:
            return engine.revert_target() is not None
        except Exception:  # an unreadable journal: v stays, and says what is wrong
            return True

    @on(DataTable.RowHighlighted, "#journal")
    def show_detail(self) -> None:
        row = self.query_one("#journal", DataTable).cursor_row
        if not self.journals or row is None or row >= len(self.journals):
            self.query_one("#detail", Static).update("")
            return
        journal = self.journals[row]
        lines = [f"run {journal.id}", f"  {status_words(journal, self.vapp.read_only)}"]
        for link in journal.links:
            a, b = short(link.cable.a), short(link.cable.b)
            lines.append(f"  link {link.number}: {a} {link.a_ip} <-> {b} {link.b_ip}")
        self.query_one("#detail", Static).update("\n".join(lines))

    @work(exclusive=True, group="confirm")
    async def action_revert(self) -> None:
        if self.vapp.read_only:
            self.say("Read-only mode: reverting is disabled.", error=True)
            return
        if self.vapp.engine is None:
            self.say("Connect to the hosts first (esc back to Connect), then revert from here.", error=True)
            return
        try:
            target = self.vapp.engine.revert_target()  # what revert undoes: the connected hosts' open run
        except Exception as exc:
            self.say(f"The journal cannot be read: {exc}", error=True)
            return
        if target is None:
            self.say("Nothing to revert: the connected hosts have no open run.", error=True)
            return
        hosts = ", ".join(h.split(".")[0] for h in target.hosts)
        question = f"Revert run {target.id} ({hosts}) to the hosts' state before it?"
        detail = "Revert undoes the connected hosts' open run."
        row = self.query_one("#journal", DataTable).cursor_row
        if (
            self.journals
            and row is not None
            and row < len(self.journals)
            and self.journals[row].id != target.id
        ):
            detail += f" The highlighted run {self.journals[row].id} is not that run and stays as it is."
        detail += " Only objects this tool created are removed or restored; management is never touched."
        if await self.app.push_screen_wait(ConfirmScreen(question, detail, yes_label="Revert")):
            self.vapp.busy = True
            self.say("Reverting ...")
            self.start_operation("revert", self.vapp.engine.revert)

    def action_recovery(self) -> None:
        self.vapp.open_recovery()

    @on(OperationEvent)
    def progress(self, message: OperationEvent) -> None:
        event = message.event
        if event.kind != "done" and message.name != "tidy":
            self.query_one(RichLog).write(f"[{event.host or '-'}] {event.message}")

    @on(OperationDone)
    def finished(self, message: OperationDone) -> None:
        if message.name == "tidy":
            if message.result:
                self.reload()
                self.say(sentence("; ".join(message.result)))
            return
        self.vapp.busy = False
        self.vapp.host_changes += 1  # a Validate screen behind this one pings again when it is back
        result = message.result
        ok = bool(getattr(result, "ok", False))
        for line in (*getattr(result, "differences", ()), *getattr(result, "problems", ())):
            self.query_one(RichLog).write(f"  {line}")
        self.reload()
        text = str(getattr(result, "message", "")) or ("reverted" if ok else "the revert did not finish")
        then = " c: read the hosts again (to cable anew), q: quit." if ok else " See the log; v tries again."
        mark = self.vapp.glyphs.ok if ok else self.vapp.glyphs.fail
        self.say(f"{mark} {sentence(text)}{then}", error=not ok)

    @on(OperationFailed)
    def failed(self, message: OperationFailed) -> None:
        if message.name == "tidy":  # the journal stays open; a later run closes it
            return
        self.vapp.busy = False
        self.say(f"{message.problem.title}: {message.problem}", error=True)
