"""Shared fixtures for the TUI tests: a private VMESH_HOME, a text dump of the screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App


@pytest.fixture(autouse=True)
def vmesh_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "vmesh-home"
    monkeypatch.setenv("VMESH_HOME", str(home))
    return home


def screen_text(app: App[object]) -> str:
    """What the current screen shows, as plain text lines (what an admin reads)."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())
