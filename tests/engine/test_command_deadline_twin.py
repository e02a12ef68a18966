"""A whole command has a deadline (--deadline) besides each call's: a host that answers every call just in
time cannot hold a command for ever. Stopped before a change: exit 5, nothing changed; stopped during an
apply: exit 6, the journal says what ran or may have happened, and revert brings the hosts back."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from typing import Any

from tests.engine.twinlab import SUPERNET, TWO_LINKS, demo_spec, fault
from tests.hostview.reader import read_lab

A = "esx-a.lab.local"


def _cli(twin: Any, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, VMESH_HOME=str(twin.home), VMESH_PASSWORD=twin.password)
    hosts = twin.host_args() if args[0] != "status" else []
    command = [sys.executable, "-m", "vmesh_tui", *args, *hosts]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


def test_a_slow_read_past_the_command_deadline_exits_5(make_twin: Any) -> None:
    twin = make_twin(demo_spec(faults=(fault(A, "RetrievePropertiesEx", 2, "delay", 8.0),)))
    began = time.monotonic()
    run = _cli(twin, "discover", "--deadline", "2", "--json")
    assert run.returncode == 5, run.stderr
    assert time.monotonic() - began < 7.0  # not the 8 s the host takes
    assert "--deadline 2 s" in run.stderr and "nothing was changed" in run.stderr


def test_an_apply_past_its_deadline_stops_journaled_and_reverts_cleanly(make_twin: Any) -> None:
    twin = make_twin(demo_spec(faults=(fault(A, "AddVirtualSwitch", 2, "delay", 8.0),)))
    start = read_lab(twin.lab)
    links = [arg for a, b in TWO_LINKS for arg in ("--link", f"{a}={b}")]
    began = time.monotonic()
    run = _cli(twin, "apply", "--supernet", SUPERNET, *links, "--yes", "--deadline", "4")
    assert run.returncode == 6, run.stdout + run.stderr
    assert "--deadline 4 s" in run.stderr and "vmesh-tui revert" in run.stderr
    (journal,) = json.loads(_cli(twin, "status", "--json").stdout)["journals"]
    assert journal["status"] == "interrupted" and journal["in_flight"] == 1
    time.sleep(max(0.0, began + 9.0 - time.monotonic()))  # the delayed call has landed
    reverted = _cli(twin, "revert", "--yes", "--json")
    assert reverted.returncode == 0, reverted.stdout + reverted.stderr
    assert read_lab(twin.lab) == start
