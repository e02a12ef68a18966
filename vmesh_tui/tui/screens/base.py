"""What every vmesh screen shares: a title line with the wizard step, `esc` back, and help keys."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Static

from vmesh_tui.tui.draft import BACK, Draft
from vmesh_tui.tui.operation import OperationScreen

if TYPE_CHECKING:
    from vmesh_tui.tui.app import VmeshApp

WIZARD_STEPS = ("Connect", "Discover", "Cabling", "Addressing", "Preview", "Apply", "Validate")


class VmeshScreen(OperationScreen):
    """Base screen: ``esc`` goes back (the wizard receives BACK), ``HELP_KEYS`` feed the ``?`` screen."""

    STEP = ""
    HELP_KEYS: list[tuple[str, str]] = []
    BINDINGS = [Binding("escape", "back", "Back")]

    def __init__(self, draft: Draft) -> None:
        super().__init__()
        self.draft = draft

    @property
    def vapp(self) -> VmeshApp:
        return cast("VmeshApp", self.app)

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
        """The key footer; the palette hint (drawn with a box character) is left out in ASCII mode."""
        return Footer(show_command_palette=not self.vapp.glyphs.ascii)

    def compose_title(self) -> ComposeResult:
        yield self.title_line()

    def action_back(self) -> None:
        self.dismiss(BACK)

    def say(self, text: str, *, error: bool = False) -> None:
        """Show ``text`` in the screen's status line (``#status``), red when it is an error."""
        status = self.query_one("#status", Static)
        status.set_class(error, "error")
        status.update(text)
