"""Shared fixtures for the TUI tests: a private VMESH_HOME per test."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def vmesh_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "vmesh-home"
    monkeypatch.setenv("VMESH_HOME", str(home))
    return home
