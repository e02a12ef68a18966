"""The independent reader: it imports nothing of vmesh_tui, and it reads what the lab file and vcsim's
capture of a real host say (literal values), so the tests that judge the tool with it can trust it."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.hostview.reader import Endpoint, differences, read, read_lab

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
ALLOWED_ROOTS = {
    "__future__",
    "ast",
    "collections",
    "contextlib",
    "dataclasses",
    "ipaddress",
    "ssl",
    "typing",
}
ALLOWED_ROOTS |= {"urllib", "pyVim", "pyVmomi", "tests"}


def _imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_the_reader_imports_nothing_of_the_tool() -> None:
    for path in (HERE / "__init__.py", HERE / "reader.py", HERE / "promise.py"):
        assert _imported_roots(path) <= ALLOWED_ROOTS, path
    code = (
        "import sys; import tests.hostview.reader, tests.hostview.promise; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'vmesh_tui'))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True, timeout=60
    )
    assert loaded.stdout.strip() == "[]"


def test_the_demo_lab_reads_as_its_lab_file_says(twin: Any) -> None:
    views = read_lab(twin)
    assert sorted(views) == ["esx-a.lab.local", "esx-b.lab.local"]
    a = views["esx-a.lab.local"]
    assert sorted(a["pnics"]) == [f"vmnic{n}" for n in range(8)]
    assert {p["forced"] for p in a["pnics"].values()} == {None}
    assert {p["link"] for p in a["pnics"].values()} == {(1000, True)}
    assert {name: (v["mtu"], v["uplinks"], v["cdp"]) for name, v in a["vswitches"].items()} == {
        "vSwitch0": (1500, ("vmnic0", "vmnic4"), ("cdp", "listen")),
        "vSwitch1": (1500, ("vmnic3", "vmnic7"), ("cdp", "listen")),
    }
    assert {name: (g["vswitch"], g["vlan"], g["active"]) for name, g in a["portgroups"].items()} == {
        "Management Network": ("vSwitch0", 0, None),
        "VM Network": ("vSwitch1", 0, None),
    }
    vmk0 = a["vmks"]["vmk0"]
    assert (vmk0["portgroup"], vmk0["ip"], vmk0["mask"], vmk0["mtu"], vmk0["vmotion"]) == (
        "Management Network",
        "192.168.10.11",
        "255.255.255.0",
        1500,
        False,
    )
    assert a["proxy_switches"] == {}


@pytest.mark.vcsim
def test_vcsim_reads_as_its_capture_of_a_real_host() -> None:
    from tests.vsphere.conftest import VCSIM_PASSWORD, start_vcsim

    sim = start_vcsim("esx")
    try:
        views = read([Endpoint(sim.url, "root", VCSIM_PASSWORD)])
    finally:
        sim.stop()
    (host,) = views.values()
    assert sorted(host["pnics"]) == ["vmnic0", "vmnic1"]
    assert host["vswitches"]["vSwitch0"]["uplinks"] == ("vmnic0",)
    assert host["portgroups"]["Management Network"]["active"] == ("vmnic0",)
    assert host["portgroups"]["VM Network"]["active"] is None  # empty sub-objects: inherited
    assert host["vmks"]["vmk0"]["portgroup"] == "Management Network"


def test_differences_name_each_path() -> None:
    before = {"h": {"vswitches": {"a": {"mtu": 1500}}, "vmks": {}}}
    after = {"h": {"vswitches": {"a": {"mtu": 9000}, "b": {"mtu": 1500}}, "vmks": {}}}
    assert differences(before, after) == [
        "h/vswitches/a/mtu: 1500 -> 9000",
        "h/vswitches/b: new {'mtu': 1500}",
    ]
    assert differences(after, before)[1] == "h/vswitches/b: gone (was {'mtu': 1500})"
