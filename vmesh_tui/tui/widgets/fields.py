"""The one-line text fields of the forms (Connect, Addressing)."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import Input

ASCII_MASK = "*"


class MaskedInput(Input):
    """A password field that masks with ``mask``: Textual draws a bullet, which ``--ascii`` must not."""

    mask = ""  # read while Input.__init__ sets the value, before this instance's own mask is set

    def __init__(self, value: str | None = None, *, mask: str = "", **kwargs: Any) -> None:
        super().__init__(value, **kwargs)
        self.mask = mask

    @property
    def _value(self) -> Text:
        if self.password and self.mask:
            return Text(self.mask * len(self.value), no_wrap=True, overflow="ignore", end="")
        return super()._value


def form_field(
    value: str, placeholder: str, name: str, *, password: bool = False, ascii: bool = False
) -> Input:
    """A field that keeps its text when focused: Textual selects it all by default, so the first key typed
    on arrival (or a key meant for the screen before it) would wipe it. A password in ASCII mode shows
    one ``*`` per character."""
    if password and ascii:
        return MaskedInput(
            value, placeholder=placeholder, id=name, password=True, select_on_focus=False, mask=ASCII_MASK
        )
    return Input(value, placeholder=placeholder, id=name, password=password, select_on_focus=False)
