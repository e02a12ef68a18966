"""The ``?`` screen: every key of the current screen plus the global ones, and what the wizard does."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

GLOBAL_KEYS = (
    ("? / F1", "this help (F1 also works while typing in a field)"),
    ("esc", "back one step / close a dialog"),
    ("ctrl+p", "command palette: jump to status, recovery, quit"),
    ("ctrl+q / ctrl+c", "quit (asks first while hosts are being changed)"),
    ("tab", "next field or list"),
)

WIZARD_TEXT = (
    "Connect -> Discover -> Cabling -> Addressing -> Preview -> Apply -> Validate.\n"
    "Nothing is changed on a host before you confirm Apply. A failed apply rolls back every step.\n"
    "One /30 subnet per cable, one vSwitch per link, MTU 9000: vMotion uses every cable.\n"
    "Read-only mode (--read-only) stops at Preview and Validate."
)


class HelpScreen(ModalScreen[None]):
    """Keys of the screen beneath, then the global keys."""

    BINDINGS = [Binding("escape,question_mark,q", "close", "Close")]

    def __init__(self, screen_keys: list[tuple[str, str]], screen_title: str) -> None:
        super().__init__()
        self.screen_keys = screen_keys
        self.screen_title = screen_title

    def compose(self) -> ComposeResult:
        width = max((len(key) for key, _ in [*self.screen_keys, *GLOBAL_KEYS]), default=4) + 2
        lines = [f"Help - {self.screen_title}", ""]
        lines += [f"  {key:<{width}}{text}" for key, text in self.screen_keys]
        lines += ["", "Everywhere:"] + [f"  {key:<{width}}{text}" for key, text in GLOBAL_KEYS]
        lines += ["", WIZARD_TEXT, "", "esc closes this help."]
        with VerticalScroll(id="dialog"):
            yield Static("\n".join(lines), id="help-text", markup=False)

    def action_close(self) -> None:
        self.dismiss(None)
