"""Crash matrix of the probe: `discover --probe` killed with SIGKILL after each of its steps (the add and the
remove of the temporary vSwitch on each host): once the step is journaled done, and (``mid:N``) after the
host made the change but before the journal says so.

Then `status` shows the interrupted probe, and either `revert` or the next probe removes what it left; the
hosts end exactly as they started, read with stock pyVmomi. Two hosts, four steps: 8 crash points, each
followed by revert and by a second probe (16 cases, about 1 minute) with ``VMESH_FULL_MATRIX=1``; by
default a slice of 4 that still covers both phases, both kill modes and both follow-ups.
"""

from __future__ import annotations

import json
import os
import signal
from typing import Any

import pytest

from tests.engine.probehelp import read_networks, vswitch_names
from tests.engine.twin_cli import run_cli
from tests.engine.twinlab import cdp_every, demo_spec

STEPS = 4  # add on each of the two hosts, then remove on each
CRASH_POINTS = [*range(1, STEPS + 1), *(f"mid:{n}" for n in range(1, STEPS + 1))]
FULL = [(point, then) for point in CRASH_POINTS for then in ("revert", "probe")]
SLICE = [(1, "revert"), ("mid:2", "probe"), (3, "probe"), ("mid:4", "revert")]
CASES = FULL if os.environ.get("VMESH_FULL_MATRIX") == "1" else SLICE
PROBE = ("discover", "--probe", "--probe-timeout", "10", "--json")


@pytest.mark.slow
@pytest.mark.parametrize(("crash_after", "then"), CASES)
def test_killed_probe_leaves_nothing_after_revert_or_the_next_probe(
    make_twin: Any, crash_after: int | str, then: str
) -> None:
    twin = make_twin(cdp_every(demo_spec(), 1.0))
    before = read_networks(twin.lab)
    killed = run_cli(twin, *PROBE, crash_after=crash_after)
    assert killed.returncode == -signal.SIGKILL, killed.stderr

    (journal,) = json.loads(run_cli(twin, "status", "--json").stdout)["journals"]
    assert (journal["kind"], journal["status"], journal["closed"]) == ("probe", "interrupted", False)
    step = int(str(crash_after).rpartition(":")[2])
    left_on = [h for h, names in vswitch_names(twin.lab).items() if "vmesh-probe" in names]
    if step <= 2:  # the adds: at least the crashed step's host has the vSwitch
        assert left_on, "the kill after an add should leave a probe vSwitch"

    if then == "revert":
        done = run_cli(twin, "revert", "--yes", "--json")
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["differences"] == []
    else:
        done = run_cli(twin, *PROBE)
        assert done.returncode == 0, done.stderr
        found = json.loads(done.stdout)
        assert len(found["cables"]) == 4 and all(c["verified"] for c in found["cables"])
        if left_on:  # the probe removes what is left first; else a fresh read closes the journal (stale.py)
            assert "earlier probe" in done.stderr
        else:
            assert "was closed by a probe" in done.stderr, done.stderr
    assert read_networks(twin.lab) == before
    journals = json.loads(run_cli(twin, "status", "--json").stdout)["journals"]
    assert all(j["closed"] for j in journals), journals
