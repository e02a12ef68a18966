"""`vmesh-tui --version` names Python, pyVmomi and Textual as those packages report themselves, quickly."""

from __future__ import annotations

import json
import platform
import subprocess
import sys
from pathlib import Path

import pyVmomi
import textual

REPO = Path(__file__).resolve().parents[1]


def _version_lines() -> list[str]:
    done = subprocess.run(
        [sys.executable, "-m", "vmesh_tui", "--version"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and done.stderr == "", done.stderr
    return done.stdout.splitlines()


def _project_version() -> str:
    text = (REPO / "pyproject.toml").read_text()
    line = next(line for line in text.splitlines() if line.startswith("version = "))
    return line.split('"')[1]


def test_version_names_python_pyvmomi_and_textual() -> None:
    lines = _version_lines()
    assert lines[0] == f"vmesh-tui {_project_version()}"
    assert lines[1].startswith(f"Python {platform.python_version()} (cpython, ")
    assert lines[1].endswith(f", {sys.executable})")
    assert f"pyVmomi {pyVmomi.version_info_str}" in lines
    assert f"Textual {textual.__version__}" in lines
    # the [test] extra brings cryptography, so the demo's dependency shows as installed
    assert any(line.startswith("cryptography ") and "not installed" not in line for line in lines)


def test_version_loads_neither_the_ui_nor_pyvmomi_nor_the_twin() -> None:
    probe = (
        "import json, sys\n"
        "from vmesh_tui.cli import main\n"
        "main(['--version'])\n"
        "heavy = ('textual', 'pyVmomi', 'rich', 'cryptography', 'vmesh_tui.sim', 'vmesh_tui.vsphere')\n"
        "hits = [m for m in sys.modules if any(m == h or m.startswith(h + '.') for h in heavy)]\n"
        "print(json.dumps(sorted(hits)))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, cwd=REPO)
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stdout.splitlines()[-1])
    assert loaded == []
