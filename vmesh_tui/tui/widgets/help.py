"""The ``?`` screen: every key of the current screen plus the global ones, and what the wizard does."""

from __future__ import annotations

import textwrap

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

GLOBAL_KEYS = (
    ("? / F1", "this help (F1 also works while typing in a field)"),
    ("esc", "back or close; the footer says Back or Quit"),
    ("ctrl+p", "command palette: jump to status, recovery, quit"),
    ("ctrl+q / ctrl+c", "quit (asks first while hosts are being changed)"),
    ("tab", "next field or list"),
)

WIZARD_TEXT = (
    "Connect > Discover > Cabling > Addressing > Preview > Apply > Validate. Nothing changes on a host "
    "before you confirm Apply; a failed apply rolls back every step. --read-only stops at Preview."
)

TEXT_WIDTH = 68  # the dialog is 74 wide: a border and a space each side, and room for a scrollbar
MAX_LINES = 20  # the dialog is at most 22 rows at 80x24, borders included: no scrolling needed


def working_keys(screen: object) -> list[tuple[str, str]]:
    """The screen's HELP_KEYS without the keys its check_action hides now (the probe in read-only mode,
    recovery with nothing applied): help never lists a key the footer leaves out because it does nothing."""
    actions = {b.key: b.action for b in getattr(screen, "BINDINGS", []) if isinstance(b, Binding)}
    check = getattr(screen, "check_action", None)
    return [
        (key, text)
        for key, text in getattr(screen, "HELP_KEYS", [])
        if key not in actions or check is None or check(actions[key], ()) is not False
    ]


def key_lines(keys: list[tuple[str, str]] | tuple[tuple[str, str], ...], width: int) -> list[str]:
    """``  key   text``, wrapped by hand with a hanging indent so continuation lines stay aligned."""
    lines = []
    for key, text in keys:
        lines += textwrap.wrap(
            text,
            TEXT_WIDTH,
            initial_indent=f"  {key:<{width}}",
            subsequent_indent=" " * (width + 2),
            break_long_words=False,
        ) or [f"  {key}"]
    return lines


def help_lines(screen_keys: list[tuple[str, str]], screen_title: str) -> list[str]:
    """The help text, pre-wrapped to the dialog: screen keys, global keys, then the wizard in brief."""
    width = max((len(key) for key, _ in [*screen_keys, *GLOBAL_KEYS]), default=4) + 2
    keys = [f"Help - {screen_title}   (esc closes)", *key_lines(screen_keys, width)]
    everywhere = ["Everywhere:", *key_lines(GLOBAL_KEYS, width)]
    wizard = textwrap.wrap(WIZARD_TEXT, TEXT_WIDTH)
    if len(keys) + len(everywhere) + len(wizard) + 2 <= MAX_LINES:  # blank lines between parts if they fit
        return [*keys, "", *everywhere, "", *wizard]
    return [*keys, *everywhere, *wizard]


class HelpScreen(ModalScreen[None]):
    """Keys of the screen beneath, then the global keys."""

    BINDINGS = [Binding("escape,question_mark,q", "close", "Close")]

    def __init__(self, screen_keys: list[tuple[str, str]], screen_title: str) -> None:
        super().__init__()
        self.screen_keys = screen_keys
        self.screen_title = screen_title

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog"):
            yield Static(
                "\n".join(help_lines(self.screen_keys, self.screen_title)), id="help-text", markup=False
            )

    def action_close(self) -> None:
        self.dismiss(None)
