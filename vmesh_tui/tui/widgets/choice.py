"""A one-line, focusable choice among a few values: space or the arrows step through them (enter is left to
the screen, where it means "next", as in every other field)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual.binding import Binding
from textual.message import Message
from textual.widgets import Static


class Choice(Static, can_focus=True):
    """Shows ``< value >``; emits Choice.Changed. Cannot hold a value outside ``options``."""

    BINDINGS = [
        Binding("space,right", "step(1)", "Change", show=False),
        Binding("left", "step(-1)", "Change", show=False),
    ]

    class Changed(Message):
        def __init__(self, choice: Choice, value: Any) -> None:
            super().__init__()
            self.choice = choice
            self.value = value

        @property
        def control(self) -> Choice:
            return self.choice

    def __init__(self, options: Sequence[tuple[str, Any]], value: Any, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self.options = list(options)
        values = [v for _, v in self.options]
        self.index = values.index(value) if value in values else 0

    @property
    def value(self) -> Any:
        return self.options[self.index][1]

    @property
    def label(self) -> str:
        return self.options[self.index][0]

    def on_mount(self) -> None:
        self.update(f"< {self.label} >")

    def action_step(self, delta: int) -> None:
        self.index = (self.index + delta) % len(self.options)
        self.update(f"< {self.label} >")
        self.post_message(self.Changed(self, self.value))
