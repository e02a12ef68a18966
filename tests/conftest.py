"""Shared fixtures: an isolated VMESH_HOME for every test, and ``twin``: the built-in lab, served."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _isolated_vmesh_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Keep known hosts, journals and locks of every test out of the real config and state dirs."""
    home = tmp_path_factory.mktemp("vmesh-home")
    monkeypatch.setenv("VMESH_HOME", str(home))
    return home


DEMO_LAB = Path(__file__).parents[1] / "vmesh_tui" / "sim" / "lab" / "demo.toml"


def start_twin() -> Any:
    """Serve the demo lab. The twin is part of the project: a broken import fails the test, never skips it."""
    runner = importlib.import_module("vmesh_tui.sim.runner")
    return runner.start_lab(DEMO_LAB)


@pytest.fixture
def twin() -> Iterator[Any]:
    """The ESXi twin serving the built-in demo lab on 127.0.0.1 (``RunningLab``), stopped afterwards."""
    lab = start_twin()
    try:
        yield lab
    finally:
        lab.stop()
