"""The offline zipapp (tools/build_zipapp.py): built once, then run as on a jump host with no index, by a
Python that has nothing installed (a venv made without pip) and an empty HOME, on 3.9 and on this Python:
--version, a headless discover of the twin, and the demo's first screens."""

from __future__ import annotations

import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from tests.install.support import (
    NO_INDEX,
    REPO,
    bare_env,
    check_discover,
    demo_screens,
    find_python,
    skip_unless_ci,
    twin,
)

pytestmark = pytest.mark.slow

# pyVmomi 9.1 refuses Python 3.9 at import; the zipapp carries 9.0 for it and 9.1 for the others.
PYVMOMI_SERIES = {"3.9": "9.0."}
DEFAULT_PYVMOMI_SERIES = "9.1."


@pytest.fixture(scope="module")
def zipapp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("zipapp") / "vmesh-tui.pyz"
    done = subprocess.run(
        [sys.executable, str(REPO / "tools" / "build_zipapp.py"), "--output", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0 and any(sign in done.stderr + done.stdout for sign in NO_INDEX):
        skip_unless_ci("no package index to fetch the zipapp's wheels from")
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    return out


def test_zipapp_holds_one_cryptography_and_both_pyvmomis(zipapp: Path) -> None:
    """Each Python's set: pyVmomi 9.0 for 3.9 beside 9.1, cffi per version, one abi3 cryptography for all."""
    wheels = {name.split("/")[1] for name in zipfile.ZipFile(zipapp).namelist() if name.startswith(".deps/")}
    assert len([w for w in wheels if w.startswith("cryptography-")]) == 1, sorted(wheels)
    assert {w.split("-")[1][:3] for w in wheels if w.startswith("pyvmomi-")} == {"9.0", "9.1"}
    assert {w.split("-")[2] for w in wheels if w.startswith("cffi-")} == {f"cp3{m}" for m in range(9, 14)}
    assert zipapp.stat().st_size < 20_000_000  # 15.7 MB on 2026-12-01; the README states the figure


def _this_python() -> str:
    return "{}.{}".format(*sys.version_info[:2])


@pytest.mark.parametrize("version", sorted({"3.9", _this_python()}))
def test_zipapp_runs_offline_on_a_bare_python(zipapp: Path, tmp_path: Path, version: str) -> None:
    python = find_python(version)
    if python is None:
        skip_unless_ci(f"Python {version} is not installed")
    bare = tmp_path / "bare"
    subprocess.run([str(python), "-m", "venv", "--without-pip", str(bare)], check=True, timeout=120)
    home = tmp_path / "home"
    home.mkdir()
    env = bare_env(home)
    command = [str(bare / "bin" / "python"), str(zipapp)]

    started = time.monotonic()
    done = subprocess.run([*command, "--version"], capture_output=True, text=True, env=env, timeout=300)
    first_run = time.monotonic() - started
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert lines[0].startswith("vmesh-tui ")
    assert lines[1].startswith(f"Python {version}.")
    assert any(
        line.startswith(f"pyVmomi {PYVMOMI_SERIES.get(version, DEFAULT_PYVMOMI_SERIES)}") for line in lines
    )
    assert any(line.startswith("cryptography ") and "not installed" not in line for line in lines)
    print(f"Python {version}: first run (unpacks) {first_run:.1f} s")

    with twin() as served:
        check_discover(command, env, served, tmp_path)
    first, cabling = demo_screens(command, env)
    assert "esx-a.lab.local" in cabling and "esx-b.lab.local" in cabling
    print(f"Python {version}: demo's first screen after {first:.1f} s")
