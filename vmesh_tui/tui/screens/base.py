"""What every vmesh screen shares: a title line with the wizard step, `esc` back, and help keys.

Screens see the app through ``WizardApp`` (a Protocol), so no screen imports the app module: the app
imports its screens, never the other way round.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, cast

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Static

from vmesh_tui.tui.backend import Connector, EngineLike
from vmesh_tui.tui.draft import BACK, Draft
from vmesh_tui.tui.glyphs import Glyphs
from vmesh_tui.tui.operation import OperationScreen

WIZARD_STEPS = ("Connect", "Discover", "Cabling", "Addressing", "Preview", "Apply", "Validate")
MIN_SIZE = (80, 24)  # every screen is designed for 80x24; the app says so below it (tui/app.py)


class TooSmall(Static):
    """Shown instead of the screen's body while the terminal is smaller than ``MIN_SIZE``."""

    def render(self) -> str:
        width, height = self.app.size
        return (
            f"This terminal is {width}x{height}; vmesh-tui needs at least {MIN_SIZE[0]}x{MIN_SIZE[1]} "
            "to show every screen whole. Enlarge the window (ctrl+c quits)."
        )


class WizardApp(Protocol):
    """What the screens use of the app (tui/app.py VmeshApp)."""

    connector: Connector
    draft: Draft
    engine: EngineLike | None
    busy: bool
    auto_connect: bool
    config_dir: Path | None
    read_only: bool
    demo: bool
    glyphs: Glyphs
    host_changes: int  # recoveries and reverts run so far: a screen showing results from before is stale

    @property
    def password(self) -> str | None: ...
    def remember_password(self, password: str) -> None: ...
    def open_status(self, final: bool = False) -> None: ...
    def open_recovery(self) -> None: ...
    def rewind_wizard(self) -> None: ...


class VmeshScreen(OperationScreen):
    """Base screen: ``esc`` goes back (the wizard receives BACK), ``HELP_KEYS`` feed the ``?`` screen."""

    STEP = ""
    HELP_KEYS: list[tuple[str, str]] = []
    BINDINGS = [Binding("escape", "back", "Back")]

    def __init__(self, draft: Draft) -> None:
        super().__init__()
        self.draft = draft

    @property
    def vapp(self) -> WizardApp:
        return cast("WizardApp", self.app)

    @property
    def engine(self) -> EngineLike:
        """The connected engine: every screen after Connect has one (Connect sets it before moving on)."""
        engine = self.vapp.engine
        if engine is None:
            raise RuntimeError("not connected to the hosts yet")
        return engine

    def title_line(self) -> Static:
        steps = [s for s in WIZARD_STEPS if not (self.vapp.read_only and s == "Apply")]
        position = f"step {steps.index(self.STEP) + 1}/{len(steps)} " if self.STEP in steps else ""
        mode = "  [READ-ONLY]" if self.vapp.read_only else ""
        return Static(
            f"vmesh-tui  {position}{self.STEP or self.screen_title()}{mode}", id="title", markup=False
        )

    def screen_title(self) -> str:
        return self.STEP

    def footer(self) -> Footer:
        """The key footer, with the palette hint (in ASCII mode without its box-character edge: styles)."""
        return Footer(show_command_palette=True)

    def compose_title(self) -> ComposeResult:
        yield self.title_line()
        yield TooSmall(id="too-small")

    def action_back(self) -> None:
        self.dismiss(BACK)

    def say(self, text: str, *, error: bool = False) -> None:
        """Show ``text`` in the screen's status line (``#status``), red when it is an error. A worker's late
        word to a screen already gone (the app is closing) is dropped."""
        for status in self.query("#status").results(Static):
            status.set_class(error, "error")
            status.update(text)
