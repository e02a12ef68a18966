"""Probe test helpers: the probe labs and their cables, and the independent reader (tests/hostview)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.hostview.reader import read_lab

LABS = Path(__file__).resolve().parent.parent / "labs"
CROSSED = LABS / "crossed.toml"
MESH3 = LABS / "mesh3.toml"

A, B = "esx-a.lab.local", "esx-b.lab.local"
CROSSED_CABLES = [
    (f"{A}/vmnic1", f"{B}/vmnic1"),
    (f"{A}/vmnic2", f"{B}/vmnic4"),
    (f"{A}/vmnic4", f"{B}/vmnic2"),
]
MESH_CABLES = sorted(
    (f"{a.replace('/', '.lab.local/')}", f"{b.replace('/', '.lab.local/')}")
    for a, b in [
        ("h1/vmnic1", "h2/vmnic2"),
        ("h1/vmnic2", "h2/vmnic1"),
        ("h1/vmnic3", "h3/vmnic1"),
        ("h1/vmnic4", "h3/vmnic2"),
        ("h2/vmnic3", "h3/vmnic4"),
        ("h2/vmnic4", "h3/vmnic3"),
    ]
)


def lab_spec(path: Path, **changes: Any) -> Any:
    """A lab file parsed by the twin, with fields of its LabSpec replaced (e.g. faults=...)."""
    import dataclasses

    from vmesh_tui.sim.lab.load import load_lab

    return dataclasses.replace(load_lab(path), **changes)


def read_networks(lab: Any) -> dict[str, Any]:
    """Every host's networking as the independent reader sees it (tests/hostview: stock pyVmomi)."""
    return read_lab(lab)


def vswitch_names(lab: Any) -> dict[str, list[str]]:
    """Each host's vSwitch names, read by the independent reader."""
    return {host: list(view["vswitches"]) for host, view in read_lab(lab).items()}
