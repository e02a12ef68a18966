"""The front door: arguments of the bare command and `demo`, routed by cli.py, without starting a UI."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from vmesh_tui import cli
from vmesh_tui.launch import _address_port, _user_of, add_arguments, run


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="vmesh-tui")
    add_arguments(parser)
    return parser.parse_args(argv)


def test_bare_command_options() -> None:
    args = parse("--host", "https://root@a/sdk", "--host", "https://root@b/sdk", "--read-only", "--ascii")
    assert args.host == ["https://root@a/sdk", "https://root@b/sdk"]
    assert args.read_only and args.ascii and args.command is None


def test_demo_subcommand_and_cli_routing() -> None:
    args = parse("demo", "--read-only")
    assert args.command == "demo" and args.demo_read_only
    assert cli._module_for(["demo"]) == "vmesh_tui.launch"
    assert cli._module_for(["--host", "https://root@a/sdk"]) == "vmesh_tui.launch"


def test_vcenter_needs_a_cluster(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(parse("--vcenter", "https://administrator@vc/sdk")) == 2
    assert "--cluster" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("url", "user", "where"),
    [
        ("https://admin@10.0.0.1:8443/sdk", "admin", ("10.0.0.1", 8443)),
        ("https://esx-a/sdk", "root", ("esx-a", 443)),
        ("https://administrator@vsphere.local@vc/sdk", "administrator@vsphere.local", ("vc", 443)),
        # a password in the URL never reaches the form's User field (it was shown as root:S3cret)
        ("https://root:S3cret@esx-a/sdk", "root", ("esx-a", 443)),
        ("https://root%3AS3cret@esx-a:444/sdk", "root", ("esx-a", 444)),
    ],
)
def test_url_parts(url: str, user: str, where: tuple[str, int]) -> None:
    assert _user_of(url) == user
    assert _address_port(url) == where


def test_help_is_quick_and_imports_no_ui() -> None:
    code = (
        "import sys; from vmesh_tui import launch; print('textual' in sys.modules, 'pyVmomi' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_the_tui_loads_neither_pyvmomi_nor_the_adapter_nor_the_twin() -> None:
    code = (
        "import sys, json; import vmesh_tui.tui.app, vmesh_tui.tui.screens as s; s.wizard_steps(False);"
        "print(json.dumps(sorted(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded = set(json.loads(out))
    assert not {"pyVmomi", "pyVim", "vmesh_tui.vsphere", "vmesh_tui.sim"} & loaded
    assert "vmesh_tui.tui.screens.apply" in loaded


FIRST_PAINT_PROBE = r"""
import asyncio, json, sys
from vmesh_tui.tui.app import VmeshApp
from vmesh_tui.tui.draft import ConnectSpec, Draft
from vmesh_tui.tui.screens.connect import ConnectScreen

seen = {}
mount = ConnectScreen.on_mount

def probe(self):
    mount(self)
    seen["modules"] = sorted(sys.modules)
    seen["workers"] = [w.group for w in self.app.workers if w.group == "connect"]

ConnectScreen.on_mount = probe

def refuse(spec, password, ask):
    raise OSError("no hosts here")

async def main():
    spec = ConnectSpec(hosts=("https://root@a.lab/sdk", "https://root@b.lab/sdk"))
    app = VmeshApp(refuse, Draft(connect=spec), password="pw", auto_connect=True)
    async with app.run_test(size=(80, 24)) as pilot:
        while "modules" not in seen:
            await pilot.pause(0.02)

asyncio.run(main())
print(json.dumps(seen))
"""


def test_the_first_screen_is_drawn_before_the_rest_loads_and_before_auto_connect() -> None:
    """Start-up: mounting Connect imports neither the other steps nor the engine, and connects later."""
    out = subprocess.run(
        [sys.executable, "-c", FIRST_PAINT_PROBE], capture_output=True, text=True, check=True
    ).stdout
    seen = json.loads(out.splitlines()[-1])
    loaded = set(seen["modules"])
    later = {"vmesh_tui.tui.screens.cabling", "vmesh_tui.tui.screens.apply", "vmesh_tui.engine.session"}
    later |= {"vmesh_tui.core.model", "vmesh_tui.engine.journal", "vmesh_tui.tui.widgets.help"}
    later |= {"vmesh_tui.tui.widgets.confirm"}
    assert not later & loaded, later & loaded
    assert seen["workers"] == []  # auto-connect starts after the first refresh, not inside on_mount


def test_the_quick_journal_check_looks_where_the_engine_keeps_journals(tmp_path: Path) -> None:
    from vmesh_tui.engine.journal import journal_dir
    from vmesh_tui.tui.screens.connect import JOURNALS

    assert journal_dir(tmp_path) == tmp_path / JOURNALS
