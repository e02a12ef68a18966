"""The one-line text fields of the forms (Connect, Addressing)."""

from __future__ import annotations

from textual.widgets import Input


def form_field(value: str, placeholder: str, name: str, *, password: bool = False) -> Input:
    """A field that keeps its text when focused: Textual selects it all by default, so the first key typed
    on arrival (or a key meant for the screen before it) would wipe it."""
    return Input(value, placeholder=placeholder, id=name, password=password, select_on_focus=False)
