"""What the install tests share: finding a Python, an empty environment, the twin in a subprocess, a
headless discover checked against the demo lab's file, and the demo's first screens in tmux."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
# The demo lab (vmesh_tui/sim/lab/demo.toml) cables vmnic1, 2, 5 and 6 of its two hosts back to back.
DEMO_HOSTS = {"esx-a.lab.local", "esx-b.lab.local"}
DEMO_CABLES = {(f"esx-a.lab.local/vmnic{n}", f"esx-b.lab.local/vmnic{n}") for n in (1, 2, 5, 6)}


# What pip (for pipx, build and pex) prints when no package index answers.
NO_INDEX = ("Failed to establish a new connection", "Could not find a version", "No matching distribution")


def skip_unless_ci(reason: str) -> None:
    """Skip locally when something is missing; under CI=true it is a failure, never a skip."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: this test must run)")
    pytest.skip(reason)


def find_python(version: str) -> str | None:
    """A working pythonX.Y: pyenv's newest X.Y.* first (its root from `pyenv root`, $PYENV_ROOT or
    ~/.pyenv), else pythonX.Y on PATH; as .ci/pythons looks."""
    candidates: list[str] = []
    pyenv = shutil.which("pyenv")
    root = subprocess.run([pyenv, "root"], capture_output=True, text=True).stdout.strip() if pyenv else ""
    root = root or os.environ.get("PYENV_ROOT") or str(Path.home() / ".pyenv")
    found = Path(root, "versions").glob(f"{version}.*")
    for home in sorted(found, key=lambda p: [int(x) for x in re.findall(r"\d+", p.name)], reverse=True):
        candidates.append(str(home / "bin" / f"python{version}"))
    on_path = shutil.which(f"python{version}")
    if on_path:
        candidates.append(on_path)
    check = f"import sys; assert '%d.%d' % sys.version_info[:2] == '{version}'"
    for candidate in candidates:
        if os.access(candidate, os.X_OK) and subprocess.run([candidate, "-c", check]).returncode == 0:
            return candidate
    return None


def bare_env(home: Path, **extra: str) -> dict[str, str]:
    """An environment with nothing of this one's: an empty HOME, no index, no PYTHONPATH, no proxy."""
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "PIP_NO_INDEX": "1",
        "LANG": "C.UTF-8",
        "TERM": "xterm-256color",
        **extra,
    }


@contextmanager
def twin() -> Iterator[dict[str, Any]]:
    """`vmesh-tui sim --demo --json` from this test's own install; yields its JSON line, stops it after."""
    process = subprocess.Popen(
        [sys.executable, "-m", "vmesh_tui", "sim", "--demo", "--json"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    try:
        assert process.stdout is not None
        yield json.loads(process.stdout.readline())
    finally:
        process.terminate()
        process.wait(timeout=30)


def pin_and_host_args(served: dict[str, Any], vmesh_home: Path) -> list[str]:
    """Write the twin's thumbprints as known hosts (the file's documented `host:port sha256` lines) and
    return the --host arguments that reach its hosts."""
    config = vmesh_home / "config"
    config.mkdir(parents=True, exist_ok=True)
    lines, args = [], []
    for host in served["hosts"]:
        netloc = host["url"].split("://", 1)[1].split("/", 1)[0]
        lines.append(f"{netloc} {host['thumbprint']}\n")
        args += ["--host", f"https://{host['user']}@{netloc}/sdk"]
    (config / "known_hosts").write_text("".join(lines))
    return args


def check_discover(command: Sequence[str], env: dict[str, str], served: dict[str, Any], tmp: Path) -> None:
    """`discover --json` through `command` finds the demo lab's two hosts and four cables."""
    vmesh_home = tmp / "vmesh-home"
    args = pin_and_host_args(served, vmesh_home)
    env = {**env, "VMESH_HOME": str(vmesh_home), "VMESH_PASSWORD": served["hosts"][0]["password"]}
    done = subprocess.run(
        [*command, "discover", *args, "--json"], capture_output=True, text=True, env=env, timeout=180
    )
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout)
    assert {host["name"] for host in found["hosts"]} == DEMO_HOSTS
    assert {(cable["a"], cable["b"]) for cable in found["cables"]} == DEMO_CABLES


def demo_screens(command: Sequence[str], env: dict[str, str], timeout: float = 120.0) -> tuple[float, str]:
    """Run `command demo` in an 80x24 tmux window; return the seconds to its first drawn screen and the
    cabling screen once the in-process twin has been discovered (generous: the first run may unpack)."""
    if shutil.which("tmux") is None:
        skip_unless_ci("tmux is not installed")
    socket = f"vmesh-install-{os.getpid()}-{time.monotonic_ns()}"
    exports = " ".join(f"{key}={value}" for key, value in env.items())
    line = f"env -i {exports} {' '.join(command)} demo; sleep 60"
    tmux = ["tmux", "-L", socket]
    subprocess.run([*tmux, "new-session", "-d", "-s", "demo", "-x", "80", "-y", "24", line], check=True)
    started = time.monotonic()
    first = 0.0
    try:
        deadline = started + timeout
        while time.monotonic() < deadline:
            screen = subprocess.run(
                [*tmux, "capture-pane", "-p", "-t", "demo"], capture_output=True, text=True
            ).stdout
            if not first and "vmesh-tui  step" in screen:
                first = time.monotonic() - started
            if "step 3/7 Cabling" in screen and "vmnic1" in screen:
                return first, screen
            time.sleep(0.1)
        raise AssertionError(f"the demo never reached the cabling screen; the terminal shows:\n{screen}")
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)
