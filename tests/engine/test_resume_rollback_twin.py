"""A resumed apply that fails rolls back the killed run's steps too, back to the journal's starting state.

Regression: the rollback used to undo only the resumed run's steps and compare with the state at resume
time, so it reported "back to their starting state" while the killed run's vmesh-* objects stayed and
the journal went back to "applied".
"""

from __future__ import annotations

import json
import signal
from typing import Any

from tests.engine.test_crash_twin import APPLY
from tests.engine.twin_cli import LINK_ARGS, run_cli
from tests.engine.twinlab import SUPERNET, demo_spec, fault
from tests.hostview.reader import differences, read_lab


def test_failed_resume_undoes_the_killed_runs_steps_too(make_twin: Any) -> None:
    # esx-b's 5th step is its first AddVirtualNic: never reached by a run killed after 4 steps in all
    twin = make_twin(demo_spec(faults=(fault("esx-b.lab.local", "AddVirtualNic", 1, "fault"),)))
    start = read_lab(twin.lab)
    killed = run_cli(twin, "apply", "--supernet", SUPERNET, *LINK_ARGS, "--yes", "--json", crash_after=4)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert read_lab(twin.lab) != start

    resumed = run_cli(twin, *APPLY)
    assert resumed.returncode == 1, resumed.stderr
    result = json.loads(resumed.stdout)
    assert result["outcome"] == "rolled_back" and result["differences"] == [], result
    assert "back to their starting state" in result["message"]
    after = read_lab(twin.lab)
    assert after == start, differences(start, after)

    (journal,) = json.loads(run_cli(twin, "status", "--json").stdout)["journals"]
    assert journal["status"] == "rolled_back" and journal["closed"] is True, journal
    assert run_cli(twin, "revert", "--yes", "--json").returncode == 0
