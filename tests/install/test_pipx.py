"""`pipx install` from the built wheel into a private PIPX_HOME, as an admin installs it: --version, a
headless discover of the twin without the demo's extra (real hosts never need cryptography), the demo
refused with what to install, then, once the extra is injected, the demo's first screens."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

from tests.install.support import NO_INDEX, REPO, check_discover, demo_screens, skip_unless_ci, twin

pytestmark = pytest.mark.slow


def _run(command: list[str], env: dict[str, str], timeout: float = 600) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=timeout)
    if done.returncode != 0 and any(sign in done.stderr + done.stdout for sign in NO_INDEX):
        skip_unless_ci("no package index to install from")
    return done


def test_pipx_install_from_the_wheel(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    built = _run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(REPO)], dict(os.environ)
    )
    assert built.returncode == 0, built.stderr[-3000:]
    (wheel,) = dist.glob("vmesh_tui-*.whl")
    env = {
        **os.environ,
        "PIPX_HOME": str(tmp_path / "pipx"),
        "PIPX_BIN_DIR": str(tmp_path / "bin"),
        "PIPX_MAN_DIR": str(tmp_path / "man"),
        "VMESH_HOME": str(tmp_path / "vmesh-home"),
    }
    env.pop("VIRTUAL_ENV", None)
    pipx = [sys.executable, "-m", "pipx"]
    installed = _run([*pipx, "install", str(wheel)], env)
    assert installed.returncode == 0, installed.stderr[-3000:]
    tool = [str(tmp_path / "bin" / "vmesh-tui")]

    version = subprocess.run([*tool, "--version"], capture_output=True, text=True, env=env, timeout=60)
    assert version.returncode == 0, version.stderr
    lines = version.stdout.splitlines()
    assert lines[0].startswith("vmesh-tui ")
    assert lines[1].startswith(f"Python {platform.python_version()} ")
    assert any(line.startswith("pyVmomi 9.") for line in lines)
    assert any(line.startswith("Textual 8.") for line in lines)
    assert any(line.startswith("cryptography not installed") for line in lines)

    with twin() as served:
        check_discover(tool, env, served, tmp_path)

    refused = subprocess.run([*tool, "demo"], capture_output=True, text=True, env=env, timeout=60)
    assert refused.returncode == 2
    assert "Traceback" not in refused.stderr
    assert "vmesh-tui[demo]" in refused.stderr and "pipx inject vmesh-tui cryptography" in refused.stderr

    injected = _run([*pipx, "inject", "vmesh-tui", "cryptography"], env)
    assert injected.returncode == 0, injected.stderr[-3000:]
    terminal = {"PATH": "/usr/bin:/bin", "HOME": env.get("HOME", "/root"), "LANG": "C.UTF-8"}
    first, cabling = demo_screens(tool, {**terminal, "TERM": "xterm-256color"})
    assert "esx-a.lab.local" in cabling and "esx-b.lab.local" in cabling
    print(f"pipx install: demo's first screen after {first:.1f} s")
