"""A keyboard-first yes/no question: ``y`` confirms, ``n``/``esc`` declines, the safe answer has focus."""

from __future__ import annotations

import textwrap

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static


def wrap(text: str, width: int = 68) -> str:
    """Pre-wrap dialog text so its height is known before layout (long fingerprints included)."""
    return "\n".join(textwrap.fill(line, width, break_long_words=True) or "" for line in text.splitlines())


class ConfirmScreen(ModalScreen[bool]):
    """Ask before anything that changes hosts. Dismisses with True only on an explicit yes."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str, detail: str = "", yes_label: str = "Yes", danger: bool = True) -> None:
        super().__init__(classes="danger" if danger else "")
        self.question = question
        self.detail = detail
        self.yes_label = yes_label

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(wrap(self.question), id="question", markup=False)
            if self.detail:
                yield Static(wrap(self.detail), id="dialog-detail", markup=False)
            with Horizontal(id="buttons"):
                yield Button(f"{self.yes_label} (y)", id="yes", variant="error")
                yield Button("No (n)", id="no", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class NoticeScreen(ModalScreen[None]):
    """A message the admin must acknowledge (a refused certificate, a failed connection)."""

    BINDINGS = [Binding("escape,enter,q", "close", "Close")]

    def __init__(self, title: str, body: str, loud: bool = False) -> None:
        super().__init__(classes="danger" if loud else "")
        self.title_text = title
        self.body = body

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self.title_text, id="question", markup=False)
            yield Static(wrap(self.body), id="dialog-detail", markup=False)
            yield Button("Close (enter)", id="close", variant="primary")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
