"""Shared fixtures: an isolated VMESH_HOME for every test, and ``twin``: the built-in lab, served."""

from __future__ import annotations

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


@pytest.fixture
def twin() -> Iterator[Any]:
    """The ESXi twin serving the built-in demo lab on 127.0.0.1 (``RunningLab``), stopped afterwards."""
    runner = pytest.importorskip(
        "vmesh_tui.sim.runner", reason="the ESXi twin (vmesh_tui.sim.runner) is not built yet"
    )
    lab = runner.start_lab(Path(__file__).parents[1] / "vmesh_tui" / "sim" / "demo.toml")
    try:
        yield lab
    finally:
        lab.stop()
