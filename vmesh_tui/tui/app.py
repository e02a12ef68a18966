"""The vmesh-tui application: a wizard over one frozen draft, plus status, recovery and help."""

from __future__ import annotations

import contextlib
from pathlib import Path, PurePath
from typing import Any, ClassVar

from textual import work
from textual.app import App
from textual.binding import Binding

from vmesh_tui.tui.backend import Connector, EngineLoop
from vmesh_tui.tui.commands import VmeshCommands
from vmesh_tui.tui.draft import Back, Draft
from vmesh_tui.tui.glyphs import Glyphs, pick_glyphs
from vmesh_tui.tui.styles import css_paths

ASCII_KEYS = {"question_mark": "?", "escape": "esc", "enter": "enter", "space": "space"}


class VmeshApp(App[int]):
    """Guided setup of multi-NIC vMotion. ``connector`` builds an engine; the TUI never speaks vSphere."""

    TITLE = "vmesh-tui"
    CSS_PATH: ClassVar[list[str | PurePath]] = list(css_paths())
    COMMANDS = {VmeshCommands}  # ours only: Textual's system "Quit" would skip the busy check
    BINDINGS = [
        Binding("ctrl+c", "quit_safely", "Quit", priority=True, show=False),
        Binding("ctrl+q", "quit_safely", "Quit", priority=True, show=False),
        Binding("question_mark", "help", "Help"),
        Binding("f1", "help", "Help", show=False),
    ]

    def __init__(
        self,
        connector: Connector,
        draft: Draft | None = None,
        *,
        password: str | None = None,
        config_dir: Path | None = None,
        read_only: bool = False,
        ascii_only: bool = False,
        auto_connect: bool = False,
        demo: bool = False,
    ) -> None:
        super().__init__()
        self.connector = connector
        self.draft = draft or Draft()
        self._password = password
        self.config_dir = config_dir
        self.read_only = read_only
        self.glyphs: Glyphs = pick_glyphs(ascii_only)
        self.auto_connect = auto_connect and password is not None
        self.engine: Any = None  # set once connected
        self.engine_loop = EngineLoop()
        self.busy = False  # True while hosts are being changed: quitting asks first
        self.probe_timeout_s = 90.0  # the cable probe listens at most this long (Cabling, p)
        self.demo = demo  # the built-in lab: offers a simulated host reboot to show recovery

    @property
    def password(self) -> str | None:
        return self._password

    def remember_password(self, password: str) -> None:
        """Keep the password in memory for this run only (never on disk, never in logs)."""
        self._password = password

    def on_mount(self) -> None:
        if self.glyphs.ascii:
            self.add_class("-ascii")
        self.run_wizard()

    @work(exclusive=True, group="wizard")
    async def run_wizard(self) -> None:
        """Walk the steps: each screen dismisses with the next draft, or BACK."""
        from vmesh_tui.tui.screens.connect import ConnectScreen

        # Only the first step is imported before it is drawn; the others load right after the first paint.
        steps: list[type] = [ConnectScreen]
        self.call_after_refresh(self.wizard_steps)
        index = 0
        while index < len(steps):
            outcome = await self.push_screen_wait(steps[index](self.draft))
            if isinstance(outcome, Back):
                if outcome.draft is not None:  # the screen's edits survive the step back
                    self.draft = outcome.draft
                if self.draft.applied and index > 0 and steps[index - 1].__name__ == "ApplyScreen":
                    self.notify("The changes are applied. Revert them from Status (ctrl+p, status).")
                    continue
                index = max(0, index - 1)
                continue
            self.draft = outcome
            index += 1
            if len(steps) == 1:
                steps = self.wizard_steps()
        self.open_status(final=True)

    def wizard_steps(self) -> list[type]:
        """The wizard's screen classes in order (importing them all)."""
        from vmesh_tui.tui.screens import wizard_steps

        return wizard_steps(self.read_only)

    def open_status(self, final: bool = False) -> None:
        """Status on top of the current screen; at the end of the wizard, leaving it ends the app."""
        from vmesh_tui.tui.screens.status import StatusScreen

        self.push_screen(StatusScreen(self.draft, final=final), (lambda _: self.exit(0)) if final else None)

    def open_recovery(self) -> None:
        from vmesh_tui.tui.screens.recovery import RecoveryScreen

        if self.engine is None:
            self.notify("Connect to the hosts first (fill in Connect, then press r).", severity="warning")
            return
        self.push_screen(RecoveryScreen(self.draft))

    def demo_reboot(self) -> None:
        """Demo only: reboot the last host of the lab, so recovery has something to do."""
        if not self.demo or self.engine is None:
            self.notify("Rebooting a host is offered only in the demo, once connected.", severity="warning")
            return
        self._reboot_worker(sorted(self.engine.client.host_names())[-1])

    @work(thread=True, exclusive=True, group="demo")
    def _reboot_worker(self, host: str) -> None:
        self.engine.client.reboot(host)
        self.call_from_thread(self.notify, f"{host} rebooted (simulated). Recovery: ctrl+p, recovery.")

    def get_key_display(self, binding: Binding) -> str:
        if not self.glyphs.ascii:
            return super().get_key_display(binding)
        key = binding.key.split(",")[0]  # Textual draws some keys as symbols (enter as a return arrow)
        return binding.key_display or ASCII_KEYS.get(key, key.replace("ctrl+", "^"))

    def action_help(self) -> None:
        from vmesh_tui.tui.widgets.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        keys = list(getattr(self.screen, "HELP_KEYS", []))
        title = getattr(self.screen, "STEP", "") or type(self.screen).__name__
        self.push_screen(HelpScreen(keys, title))

    @work(exclusive=True, group="quit")
    async def action_quit_safely(self) -> None:
        if self.busy:
            from vmesh_tui.tui.widgets.confirm import ConfirmScreen

            question = "Hosts are being changed. Quit anyway?"
            detail = "The journal lets the next start revert or resume; prefer waiting for the end."
            if not await self.push_screen_wait(ConfirmScreen(question, detail, yes_label="Quit")):
                return
        self.exit(0)

    def on_unmount(self) -> None:
        self.engine_loop.stop()
        close = getattr(self.engine, "close", None)
        if callable(close):
            with contextlib.suppress(Exception):
                close()
