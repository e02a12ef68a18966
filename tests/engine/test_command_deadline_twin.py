"""A whole command has a deadline (--deadline) besides each call's: a host that answers every call just in
time cannot hold a command for ever. Stopped before a change: exit 5, nothing changed; stopped during an
apply: exit 6, the journal says what ran or may have happened, and revert brings the hosts back."""

from __future__ import annotations

import json
import time
from typing import Any

from tests.engine.twin_cli import LINK_ARGS, run_cli
from tests.engine.twinlab import SUPERNET, demo_spec, fault
from tests.hostview.reader import read_lab

A = "esx-a.lab.local"


def test_a_slow_read_past_the_command_deadline_exits_5(make_twin: Any) -> None:
    twin = make_twin(demo_spec(faults=(fault(A, "RetrievePropertiesEx", 2, "delay", 8.0),)))
    began = time.monotonic()
    run = run_cli(twin, "discover", "--deadline", "2", "--json")
    assert run.returncode == 5, run.stderr
    assert time.monotonic() - began < 7.0  # not the 8 s the host takes
    assert "--deadline 2 s" in run.stderr and "nothing was changed" in run.stderr


def test_an_apply_past_its_deadline_stops_journaled_and_reverts_cleanly(make_twin: Any) -> None:
    twin = make_twin(demo_spec(faults=(fault(A, "AddVirtualSwitch", 2, "delay", 8.0),)))
    start = read_lab(twin.lab)
    began = time.monotonic()
    run = run_cli(twin, "apply", "--supernet", SUPERNET, *LINK_ARGS, "--yes", "--deadline", "4")
    assert run.returncode == 6, run.stdout + run.stderr
    assert "--deadline 4 s" in run.stderr and "vmesh-tui revert" in run.stderr
    (journal,) = json.loads(run_cli(twin, "status", "--json").stdout)["journals"]
    assert journal["status"] == "interrupted" and journal["in_flight"] == 1
    time.sleep(max(0.0, began + 9.0 - time.monotonic()))  # the delayed call has landed
    reverted = run_cli(twin, "revert", "--yes", "--json")
    assert reverted.returncode == 0, reverted.stdout + reverted.stderr
    assert read_lab(twin.lab) == start
