"""The vmesh-tui application: its keys, help, palette and quitting; the wizard's flow is in tui/wizard.py."""

from __future__ import annotations

import contextlib
from pathlib import Path, PurePath
from typing import Any, ClassVar

from textual import events, work
from textual.binding import Binding

from vmesh_tui.tui.backend import Connector, EngineLike, EngineLoop
from vmesh_tui.tui.commands import VmeshCommands
from vmesh_tui.tui.draft import Draft
from vmesh_tui.tui.glyphs import Glyphs, pick_glyphs
from vmesh_tui.tui.screens.base import MIN_SIZE
from vmesh_tui.tui.styles import css_paths
from vmesh_tui.tui.wizard import WizardFlow

QUIT_KEYS = ("ctrl+c", "ctrl+q")  # the only keys that work while the terminal is below MIN_SIZE
ASCII_KEYS = {"question_mark": "?", "escape": "esc", "enter": "enter", "space": "space"}


class VmeshApp(WizardFlow):
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
        self.engine: EngineLike | None = None  # set once connected
        self.engine_loop = EngineLoop()
        self.busy = False  # True while hosts are being changed: quitting asks first
        self.probe_timeout_s = 90.0  # the cable probe listens at most this long (Cabling, p)
        self.demo = demo  # the built-in lab: offers a simulated host reboot to show recovery
        self.host_changes = 0  # recoveries and reverts run here: results shown from before them are stale

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

    def demo_reboot(self) -> None:
        """Demo only: reboot the last host of the lab, so recovery has something to do."""
        if not self.demo or self.engine is None:
            self.notify("Rebooting a host is offered only in the demo, once connected.", severity="warning")
            return
        self._reboot_worker(sorted(self.engine.client.host_names())[-1])

    @work(thread=True, exclusive=True, group="demo")
    def _reboot_worker(self, host: str) -> None:
        """As an admin reboots a host: maintenance mode, a reboot without force, out of it once back."""
        self.call_from_thread(self.notify, f"{host}: entering maintenance mode, then rebooting ...")
        assert self.engine is not None
        try:
            self.engine.client.reboot(host)
        except Exception as exc:  # the adapter's errors say what happened and what to do
            self.call_from_thread(self.notify, f"The reboot of {host} failed: {exc}", severity="error")
            return
        done = f"{host} rebooted (simulated) and left maintenance mode. Recovery: ctrl+p, recovery."
        self.call_from_thread(self.notify, done)

    def get_key_display(self, binding: Binding) -> str:
        if not self.glyphs.ascii:
            return super().get_key_display(binding)
        key = binding.key.split(",")[0]  # Textual draws some keys as symbols (enter as a return arrow)
        return binding.key_display or ASCII_KEYS.get(key, key.replace("ctrl+", "^"))

    def action_command_palette(self) -> None:
        """Textual's palette, or in ASCII mode the same palette without its Unicode glyphs."""
        if not self.glyphs.ascii:
            super().action_command_palette()
            return
        from vmesh_tui.tui.commands import AsciiPalette

        if not isinstance(self.screen, AsciiPalette):
            self.push_screen(AsciiPalette())

    def action_help(self) -> None:
        from vmesh_tui.tui.widgets.help import HelpScreen, working_keys

        if isinstance(self.screen, HelpScreen):
            return
        keys = working_keys(self.screen)
        title = getattr(self.screen, "screen_title", lambda: "")() or "vmesh-tui"
        self.push_screen(HelpScreen(keys, title))

    @work(exclusive=True, group="quit")
    async def action_quit_safely(self) -> None:
        probing: Any = next((s for s in self.screen_stack if getattr(s, "probing", False)), None)
        if self.busy:
            from vmesh_tui.tui.widgets.confirm import ConfirmScreen

            question = "Hosts are being changed. Quit anyway?"
            detail = "The journal lets the next start revert or resume; prefer waiting for the end."
            if probing is not None:  # a probe can stop at once: cancel it, let it clean up, then quit
                question = "The cable probe is running. Stop it and quit?"
                detail = "Its temporary vSwitches are removed first; that takes a few seconds."
            if not await self.push_screen_wait(ConfirmScreen(question, detail, yes_label="Quit")):
                return
        if probing is not None:
            await probing.stop_probe()
        self.exit(0)

    def on_resize(self, event: events.Resize) -> None:
        """Below the size every screen is designed for, say so instead of drawing it cut."""
        self.set_class(event.size.width < MIN_SIZE[0] or event.size.height < MIN_SIZE[1], "-too-small")

    async def on_event(self, event: events.Event) -> None:
        """While the screen is too small to be seen, keys do nothing but quit: no step is taken blind."""
        if isinstance(event, events.Key) and self.has_class("-too-small") and event.key not in QUIT_KEYS:
            event.prevent_default()
            event.stop()
            self.bell()
            return
        await super().on_event(event)

    def _fatal_error(self) -> None:
        """Textual's crash report (its ``App._fatal_error``), without local variables: a frame's locals
        can hold the password, and the report is printed on the terminal and pasted into tickets."""
        import rich
        from rich.segment import Segments
        from rich.traceback import Traceback

        self.bell()
        traceback = Traceback(show_locals=False, width=None, suppress=[rich])
        self._exit_renderables.append(Segments(self.console.render(traceback, self.console.options)))
        self._close_messages_no_wait()

    def on_unmount(self) -> None:
        self.engine_loop.stop()
        if self.engine is not None:
            with contextlib.suppress(Exception):
                self.engine.client.close()
