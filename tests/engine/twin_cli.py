"""The vmesh-tui command as an admin runs it, as a child process against a Twin (its VMESH_HOME and password).

``VMESH_TEST_CRASH_AFTER`` is set only where a test asks for a crash; ``status`` gets no --host arguments.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

from tests.engine.twinlab import TWO_LINKS

LINK_ARGS = [arg for a, b in TWO_LINKS for arg in ("--link", f"{a}={b}")]


def cli_env(twin: Any, crash_after: int | str | None = None) -> dict[str, str]:
    """The environment of a command on ``twin``: its state dir, its password, a crash point when asked."""
    env = dict(os.environ, VMESH_HOME=str(twin.home), VMESH_PASSWORD=twin.password)
    env.pop("VMESH_TEST_CRASH_AFTER", None)
    if crash_after is not None:
        env["VMESH_TEST_CRASH_AFTER"] = str(crash_after)
    return env


def cli_command(twin: Any, *args: str) -> list[str]:
    """``python -m vmesh_tui ARGS`` with the twin's hosts (none for ``status``)."""
    hosts = twin.host_args() if args[0] != "status" else []
    return [sys.executable, "-m", "vmesh_tui", *args, *hosts]


def run_cli(twin: Any, *args: str, crash_after: int | str | None = None) -> subprocess.CompletedProcess[str]:
    """Run one command to its end (at most 120 s); its output captured."""
    return subprocess.run(
        cli_command(twin, *args), env=cli_env(twin, crash_after), capture_output=True, text=True, timeout=120
    )


def start_cli(twin: Any, *args: str) -> subprocess.Popen[str]:
    """Start one command and leave it running (stdout and stderr piped), e.g. to interrupt it."""
    return subprocess.Popen(
        cli_command(twin, *args), env=cli_env(twin), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def cli_journals(twin: Any) -> list[dict[str, Any]]:
    """The journals as ``status --json`` lists them."""
    journals: list[dict[str, Any]] = json.loads(run_cli(twin, "status", "--json").stdout)["journals"]
    return journals
