"""Step 6: apply on all hosts at once, live; a failure shows the rollback as it happens and its result."""

from __future__ import annotations

from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import RichLog, Static

from vmesh_tui.tui.backend import sentence
from vmesh_tui.tui.operation import OperationDone, OperationEvent, OperationFailed
from vmesh_tui.tui.screens.base import VmeshScreen
from vmesh_tui.tui.widgets.confirm import ConfirmScreen
from vmesh_tui.tui.widgets.progress import HostProgress

LOG_TEXT = {
    "step_started": "...",
    "step_done": "done",
    "step_failed": "FAILED",
    "rollback_started": "ROLLING BACK",
    "step_rolled_back": "undone",
}


class ApplyScreen(VmeshScreen):
    STEP = "Apply"
    HELP_KEYS = [
        ("c", "cancel: asks first, then rolls back every completed step"),
        ("n / enter", "after success: validate every link"),
        ("r", "after a refusal or a rollback: read the hosts again, then Cabling"),
        ("esc", "after a refusal or a rollback: back to the preview"),
    ]
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("c", "cancel", "Cancel"),
        Binding("n,enter", "next", "Validate"),
        Binding("r", "reread", "Re-read hosts"),
    ]

    @property
    def planned(self) -> Any:
        """The PlanResult being applied (the wizard reaches Apply only with one)."""
        assert self.draft.plan is not None
        return self.draft.plan

    def compose(self) -> ComposeResult:
        plan = self.planned
        yield from self.compose_title()
        with Vertical(id="body"):
            yield HostProgress(sorted(plan.plan.hosts), self.vapp.glyphs, id="progress")
            yield RichLog(id="step-log", markup=False, wrap=True, max_lines=500, min_width=20)
            yield Static("", id="status", markup=False)
        yield self.footer()

    def on_mount(self) -> None:
        self.state = "running"
        self.result: Any = None
        plan = self.planned.plan
        for host in plan.hosts:
            self.query_one(HostProgress).update_host(host, total=len(plan.for_host(host)), note="queued")
        self.vapp.busy = True
        self.say("Applying. c cancels (asks first, then rolls back).")
        self.start_operation("apply", lambda: self.engine.apply(self.planned))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        running = getattr(self, "state", "running") == "running"
        if action == "cancel":
            return running
        if action == "next":
            return getattr(self, "state", "") == "applied"
        if action in ("back", "reread"):  # after success the plan is spent: n goes on, never back
            return getattr(self, "state", "") in ("rolled back", "refused", "failed")
        return True

    @on(OperationEvent)
    def progress(self, message: OperationEvent) -> None:
        event = message.event
        log = self.query_one(RichLog)
        bars = self.query_one(HostProgress)
        host = event.host or ""
        if event.kind == "rollback_started":  # its message repeats the failure the log already shows
            log.write("ROLLING BACK every completed step on every host")
        elif event.kind in LOG_TEXT:
            count = f"{event.index}/{event.total} " if event.total else ""
            log.write(f"[{host}] {count}{event.message} {LOG_TEXT[event.kind]}".replace("  ", " "))
        if event.kind == "step_done" and host:
            bars.update_host(host, done=event.index, total=event.total or None, note=event.message[:30])
        elif event.kind == "step_failed" and host:
            bars.update_host(host, failed=True, note=event.message[:40])  # the bar's mark says it failed
            if not hasattr(self, "failed_at"):
                self.failed_at = f"step {event.index}/{event.total} on {host} failed"
            self.say(f"{sentence(self.failed_at)} (the log says why). Rolling back all hosts ...", error=True)
        elif event.kind == "rollback_started":
            self.state = "rolling back"
            self.say("Rolling back every completed step on every host ...", error=True)
        elif event.kind == "step_rolled_back" and host:
            bars.update_host(host, note=f"undone: {event.message[:24]}")
        elif event.kind in ("warning", "phase"):
            log.write(f"{'! ' if event.kind == 'warning' else ''}{event.message}")
        self.refresh_bindings()

    @on(OperationDone)
    def finished(self, message: OperationDone) -> None:
        self.vapp.busy = False
        result = message.result
        if message.name == "rollback":
            self.rolled_back(result)
            return
        self.result = result
        log = self.query_one(RichLog)
        ok = bool(getattr(result, "ok", False))
        text = sentence(str(getattr(result, "message", ""))) or ("Applied." if ok else "Not applied.")
        for line in (*getattr(result, "reasons", ()), *getattr(result, "differences", ())):
            log.write(f"  {line}")
        if ok:
            self.state = "applied"
            self.draft = self.draft.with_(applied=True)
            self.say(f"{self.vapp.glyphs.ok} {text} Press n to validate every link.")
        elif getattr(result, "outcome", "") == "refused":  # engine.results.REFUSED: nothing was changed
            self.state = "refused"
            for host in self.planned.plan.hosts:
                self.query_one(HostProgress).update_host(host, note="not applied: nothing was changed")
            self.say(f"{self.vapp.glyphs.fail} Not applied. {text} r: re-read them.", error=True)
        elif getattr(result, "outcome", "") in ("rollback_incomplete", "revert_failed"):
            self.state = "failed"  # never "rolled back" while something remains on a host
            log.write(f"Result: {text}")
            self.say(
                f"{self.vapp.glyphs.fail} Rollback incomplete: the log says what is left or unknown. Revert"
                " from Status (ctrl+p) once the hosts answer.",
                error=True,
            )
        else:
            self.state = "rolled back"
            failure = getattr(self, "failed_at", "a step failed")
            left = len(getattr(result, "differences", ()))
            outcome = (
                f"the rollback left {left} difference(s), listed in the log: revert from Status (ctrl+p)"
                if left
                else "every completed step was undone, nothing is left half-done"
            )
            for host in self.planned.plan.hosts:
                self.query_one(HostProgress).update_host(
                    host, note="rolled back" if not left else "see the log"
                )
            mark = self.vapp.glyphs.fail
            self.say(
                f"{mark} Not applied: {failure}; {outcome}. r: read the hosts again, esc: back.", error=True
            )
        self.refresh_bindings()

    def action_reread(self) -> None:
        self.vapp.rewind_wizard()

    def start_rollback(self) -> None:
        self.rollback_attempts = getattr(self, "rollback_attempts", 0) + 1
        self.start_operation("rollback", self.engine.revert)

    def rolled_back(self, result: Any) -> None:
        """After a cancel: the journal-driven rollback finished (retried while a cancelled step lands)."""
        ok = bool(getattr(result, "ok", False))
        log = self.query_one(RichLog)
        if not ok and self.rollback_attempts < 3:
            log.write("A step that was running when you cancelled finished late; rolling back again ...")
            self.vapp.busy = True
            self.set_timer(2.0, self.start_rollback)
            return
        for line in (*getattr(result, "differences", ()), *getattr(result, "problems", ())):
            log.write(f"  {line}")
        log.write(f"Result: {sentence(str(getattr(result, 'message', '')))}")
        self.state = "rolled back" if ok else "failed"
        if ok:
            self.say(
                f"{self.vapp.glyphs.fail} Cancelled and rolled back: nothing left half-done (esc: back)."
            )
        else:
            self.say(
                "Cancelled, but the rollback did not finish: see the log, then revert from Status.",
                error=True,
            )
        self.refresh_bindings()

    @on(OperationFailed)
    def failed(self, message: OperationFailed) -> None:
        if message.cancelled and message.name == "apply":
            self.state = "rolling back"
            self.query_one(RichLog).write(
                "Cancelled: rolling back every completed step, from the journal ..."
            )
            self.start_rollback()
            return
        self.vapp.busy = False
        self.state = "failed"
        problem = message.problem
        self.say(f"{problem.title}: {problem} Check Status for the journal (ctrl+p).", error=True)
        self.refresh_bindings()

    @work(exclusive=True, group="confirm")
    async def action_cancel(self) -> None:
        if self.state != "running":
            return
        question = "Cancel the apply and roll back every completed step?"
        if not await self.app.push_screen_wait(ConfirmScreen(question, yes_label="Roll back")):
            return
        if self.state == "applied":  # it finished while the question was open: nothing left to cancel
            self.say("Too late to cancel: the apply finished. Revert it from Status.", error=True)
        elif self.state != "running":
            self.say(f"Too late to cancel: the apply already ended ({self.state}).", error=True)
        else:
            self.say("Cancelling: rolling back ...", error=True)
            self.cancel_operation()

    def action_next(self) -> None:
        if self.state == "applied":
            self.dismiss(self.draft)

    def action_back(self) -> None:
        """After a success the plan is spent: esc goes on to validation with the applied draft, never
        back to a preview that would offer the same apply again."""
        if getattr(self, "state", "") == "applied":
            self.notify("Applied: going on to validation. Revert from Status (ctrl+p, status).")
            self.dismiss(self.draft)
            return
        super().action_back()
