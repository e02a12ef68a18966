"""Recovery: after a host reboot, toggle the affected portgroups' failover and prove the links again."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import RichLog, Static

from vmesh_tui.tui.operation import OperationDone, OperationEvent, OperationFailed
from vmesh_tui.tui.screens.base import VmeshScreen
from vmesh_tui.tui.screens.validate import link_label
from vmesh_tui.tui.widgets.confirm import ConfirmScreen

PER_LINK_NOTE = (
    "This run has one vSwitch per link, the cure for the reboot quirk (which hits several NICs on one "
    "vSwitch): a reboot leaves its failover order working, so there is nothing to toggle."
)


def applied_layout(journal: Any) -> str:
    """The layout of the run being recovered (``per-link`` or ``shared``), from the journal's options."""
    return str(getattr(getattr(journal, "options", None), "layout", "") or "")


def failing_links(validation: Any) -> list[str]:
    """``esx-a/vmnicX - esx-b/vmnicY`` for each failing link of a ValidationResult."""
    return [link_label(c.a, c.b) for c in validation.links if not c.ok]


def toggled_text(toggled: Sequence[str]) -> str:
    """``HOST/portgroup`` items as ``vmesh-vmotion-1, vmesh-vmotion-2 on esx-b.lab.local``, per host."""
    by_host: dict[str, list[str]] = {}
    for item in toggled:
        host, _, group = item.rpartition("/")
        by_host.setdefault(host, []).append(group)
    return "; ".join(f"{', '.join(groups)} on {host}" for host, groups in by_host.items()) or "nothing"


def done_text(toggled: Sequence[str]) -> str:
    """What a successful recovery did, without its link verdict (the After line has that)."""
    if not toggled:
        return "Nothing to recover: no portgroup needed toggling. esc: back."
    hosts = ", ".join(dict.fromkeys(item.rpartition("/")[0] for item in toggled))
    return f"Recovered: toggled {len(toggled)} portgroups on {hosts}. esc: back."


class RecoveryScreen(VmeshScreen):
    STEP = ""
    HELP_KEYS = [
        ("g", "run recovery (asks first): find rebooted hosts, toggle failover, validate"),
        ("esc", "back"),
    ]
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("g", "recover", "Recover"),
    ]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "recover":  # nothing to recover where nothing of this tool's is open
            return not self.vapp.read_only and getattr(self, "applied", True)
        return True

    def screen_title(self) -> str:
        return "Recovery"

    def compose(self) -> ComposeResult:
        yield from self.compose_title()
        with Vertical(id="body"):
            yield Static(
                "After a reboot, vMotion may fail with no setting lost. Recovery re-applies each affected "
                "portgroup's failover order, then pings every link.",
                classes="hint",
            )
            yield Static("Rebooted since the apply: (checking)", id="rebooted", markup=False)
            yield Static("", id="layout-note", markup=False)
            yield Static("Before: (not checked yet)", id="before", markup=False)
            yield RichLog(id="step-log", markup=False, wrap=True, max_lines=300, min_width=20)
            yield Static("After: -", id="after", markup=False)
            yield Static("", id="status", markup=False)
        yield self.footer()

    def on_mount(self) -> None:
        self.phase = "before"
        self.failing_before: list[str] = []
        self.failing_after: list[str] = []
        self.per_link = False
        self.applied = True  # an open run of this tool on these hosts (the check says otherwise)
        self.query_one("#layout-note", Static).display = False
        if self.vapp.engine is not None:
            self.checking = True
            self.say("Checking for rebooted hosts and failing links ...")
            self.start_operation("check", self.check_stream)

    async def check_stream(self) -> AsyncIterator[Any]:
        """Which hosts rebooted since the apply (boot time vs journal), then validate every link."""
        from vmesh_tui.engine.events import Event
        from vmesh_tui.engine.recovery import rebooted_hosts

        engine = self.engine
        journal = engine.journal()
        states = dict(await engine.read())
        rebooted = rebooted_hosts(journal, states) if journal is not None else []
        text = f"Rebooted since the apply: {', '.join(rebooted) or 'none'}."
        layout = applied_layout(journal)
        found = {"rebooted": rebooted, "layout": layout, "applied": journal is not None}
        yield Event("phase", message=text, data=found)
        async for event in engine.validate():
            yield event

    def checked(self, result: Any) -> None:
        self.checking = False
        failing = failing_links(result) if getattr(result, "links", ()) else []
        if not getattr(result, "links", ()):
            self.query_one("#before", Static).update(f"Before: {getattr(result, 'message', '')}")
        else:
            self.query_one("#before", Static).update(self.summary("Before", failing))
        if self.vapp.read_only:
            self.say("Read-only mode: recovery changes failover order, so it is disabled.", error=True)
        elif not self.applied:
            self.say("Nothing to recover: no run of this tool is open on these hosts. esc: back.")
        elif self.per_link and not failing:
            self.say("Nothing to recover: every link passes. g: run recovery anyway (asks first).")
        else:
            self.say("g: run recovery (asks first).")

    @work(exclusive=True, group="confirm")
    async def action_recover(self) -> None:
        if self.vapp.read_only or self.vapp.engine is None:
            return
        if getattr(self, "checking", False):
            self.say("Still checking the links; g works once the check is done.")
            return
        question = "Run recovery on the connected hosts?"
        detail = "Only vmesh portgroups on rebooted or failing hosts are touched; each toggle takes a second."
        if await self.app.push_screen_wait(ConfirmScreen(question, detail, yes_label="Recover")):
            self.phase = "before"
            self.failing_before, self.failing_after = [], []
            self.vapp.busy = True
            self.say("Recovering ...")
            self.start_operation("recover", self.vapp.engine.recover)

    @on(OperationEvent)
    def progress(self, message: OperationEvent) -> None:
        event = message.event
        log = self.query_one(RichLog)
        if "rebooted" in (event.data or {}):  # shown in its own line, not repeated in the log
            self.query_one("#rebooted", Static).update(event.message)
            self.per_link = (event.data or {}).get("layout") == "per-link"
            self.applied = bool((event.data or {}).get("applied", True))
            self.refresh_bindings()
            note = self.query_one("#layout-note", Static)
            note.update(PER_LINK_NOTE)
            note.display = self.per_link
            return
        if event.kind in ("step_started", "step_done", "step_rolled_back") and self.phase == "before":
            self.phase = "after"
            self.query_one("#before", Static).update(self.summary("Before", self.failing_before))
        data = event.data or {}
        ends = link_label(str(data["a"]), str(data["b"])) if "a" in data and "b" in data else "?"
        if event.kind == "link_result" and message.name == "recover" and not data.get("ok", True):
            (self.failing_before if self.phase == "before" else self.failing_after).append(ends)
        if event.kind == "link_result":  # the reasons are Validate's to explain; here, which links
            log.write(f"link {event.index}: {ends}: {'pass' if data.get('ok', True) else 'FAIL'}")
        elif event.kind != "ping":  # each ping ends in its link's line
            count = f"{event.index}/{event.total} " if event.total else ""
            log.write(f"[{event.host}] {count}{event.message}" if event.host else event.message)

    def summary(self, label: str, failing: list[str]) -> str:
        glyphs = self.vapp.glyphs
        if not failing:
            return f"{label}: {glyphs.ok} no failing link reported"
        return f"{label}: {glyphs.fail} {len(failing)} failing: " + "; ".join(failing)

    @on(OperationDone)
    def finished(self, message: OperationDone) -> None:
        self.vapp.busy = False
        result = message.result
        if message.name == "check":
            self.checked(result)
            return
        self.vapp.host_changes += 1  # a Validate screen behind this one pings again when it is back
        toggled = toggled_text(getattr(result, "toggled", ()))
        if self.phase == "before":
            self.query_one("#before", Static).update(self.summary("Before", self.failing_before))
        self.query_one(RichLog).write(f"Toggled: {toggled}.")  # which hosts rebooted is said above
        ok = bool(getattr(result, "ok", False))
        after = self.summary("After", [] if ok else self.failing_after)
        if not ok and not self.failing_after:  # it stopped before pinging: no link to name
            after = f"After: {self.vapp.glyphs.fail} not recovered"
        self.query_one("#after", Static).update(after)
        if ok:  # the After line says the links pass: this line says only what was done
            self.say(f"{self.vapp.glyphs.ok} {done_text(getattr(result, 'toggled', ()))}")
            return
        text = str(getattr(result, "message", "")) or "Not recovered."
        self.say(f"{self.vapp.glyphs.fail} {text}", error=True)

    @on(OperationFailed)
    def failed(self, message: OperationFailed) -> None:
        self.vapp.busy = False
        self.checking = False
        self.say(f"{message.problem.title}: {message.problem}", error=True)
