"""Crash matrix: `python -m vmesh_tui apply` killed with SIGKILL after each step: once the step is journaled
done, and (``mid:N``) after the host made the change but before the journal says so.

The next `status` shows the interrupted journal; `revert` converges to the starting state and, separately,
`apply` again converges to the full result, both decided from the hosts' actual state. The hosts are
judged by the independent reader (tests/hostview).
"""

from __future__ import annotations

import json
import signal
from typing import Any

import pytest

from tests.engine.test_faults_twin import promised_problems
from tests.engine.twin_cli import LINK_ARGS, run_cli
from tests.engine.twinlab import SUPERNET
from tests.hostview.reader import differences, read_lab

TOTAL_STEPS = 12  # two links, three steps per link end
APPLY = ("apply", "--supernet", SUPERNET, *LINK_ARGS, "--yes", "--json")


CRASH_POINTS = [*range(1, TOTAL_STEPS + 1), *(f"mid:{n}" for n in range(1, TOTAL_STEPS + 1))]


@pytest.mark.slow
@pytest.mark.parametrize("crash_after", CRASH_POINTS)
@pytest.mark.parametrize("then", ["revert", "apply"])
def test_killed_apply_converges(make_twin: Any, crash_after: int | str, then: str) -> None:
    twin = make_twin()
    start = read_lab(twin.lab)
    killed = run_cli(
        twin, "apply", "--supernet", SUPERNET, *LINK_ARGS, "--yes", "--json", crash_after=crash_after
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr

    status = json.loads(run_cli(twin, "status", "--json").stdout)
    (journal,) = status["journals"]
    done_at_least = crash_after if isinstance(crash_after, int) else int(crash_after[4:]) - 1
    assert journal["status"] == "interrupted" and journal["steps_done"] >= done_at_least
    if isinstance(crash_after, str):  # killed with a call answered and not journaled: it may have happened
        assert journal["in_flight"] >= 1, journal

    if then == "revert":
        reverted = run_cli(twin, "revert", "--yes", "--json")
        assert reverted.returncode == 0, reverted.stderr
        assert json.loads(reverted.stdout)["differences"] == []
        after = read_lab(twin.lab)
        assert after == start, differences(start, after)
    else:
        resumed = run_cli(twin, *APPLY)
        assert resumed.returncode == 0, resumed.stderr
        assert promised_problems(start, read_lab(twin.lab)) == []
        validated = run_cli(twin, "validate", "--json")
        assert validated.returncode == 0, validated.stdout
        assert all(link["ok"] for link in json.loads(validated.stdout)["links"])
        again = json.loads(run_cli(twin, *APPLY).stdout)
        assert again["outcome"] == "nothing_to_do"
        assert run_cli(twin, "revert", "--yes").returncode == 0
        after = read_lab(twin.lab)
        assert after == start, differences(start, after)
