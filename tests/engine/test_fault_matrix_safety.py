"""Fault matrix, second part: calls that time out and land late, hosts that cannot be read during the
rollback. (A full disk mid-apply is in test_local_state_twin.) Judged by an independent reader.

Late: one call of a host is answered (and carried out) after the client's deadline while the other host
fails its last step, so the apply must roll back what landed late too. Unreadable: a host cannot be read
for the whole rollback while the other fails a step; every readable host is rolled back, the other named.
A small slice runs by default; VMESH_FULL_MATRIX=1 runs every case (about 2 minutes on 2 cores).
"""

from __future__ import annotations

import os
import time
from typing import Any

import pytest

from tests.engine.test_faults_twin import HOSTS, INNER_CALLS, STEP_CALLS
from tests.engine.test_unknown_fate_twin import LANDS, TIMEOUT, WAIT
from tests.engine.twinlab import SUPERNET, TWO_LINKS, collect, demo_spec, fault
from tests.hostview.reader import read_lab
from vmesh_tui.engine import results
from vmesh_tui.engine.planning import PlanRequest

FULL = os.environ.get("VMESH_FULL_MATRIX") == "1"
LATE = [(h, m, n) for h in HOSTS for (m, n) in STEP_CALLS + INNER_CALLS]  # the vmk step's 2nd call too
LATE_SLICE = [("esx-a.lab.local", "AddVirtualSwitch", 2), ("esx-b.lab.local", "SelectVnicForNicType", 2)]
UNREADABLE = [
    (h, m, n)
    for h in HOSTS
    for (m, n) in (("AddVirtualSwitch", 2), ("AddPortGroup", 1), ("AddVirtualNic", 2))
]
UNREADABLE_SLICE = [("esx-b.lab.local", "AddPortGroup", 1)]


def _other(host: str) -> str:
    return HOSTS[1 - HOSTS.index(host)]


async def _apply(twin: Any) -> Any:
    _, planned = await collect(twin.engine.plan(PlanRequest(SUPERNET, manual_links=TWO_LINKS)))
    _, outcome = await collect(twin.engine.apply(planned))
    return outcome


@pytest.mark.parametrize(("host", "method", "nth"), LATE if FULL else LATE_SLICE)
async def test_a_call_that_lands_late_is_rolled_back_with_the_rest(
    make_twin: Any, host: str, method: str, nth: int
) -> None:
    faults = (fault(host, method, nth, "delay", LANDS), fault(_other(host), "AddVirtualNic", 2, "fault"))
    twin = make_twin(demo_spec(faults=faults), timeout=TIMEOUT)
    twin.engine.landing_wait_s = WAIT
    start = read_lab(twin.lab)
    began = time.monotonic()
    outcome = await _apply(twin)
    assert outcome.outcome == results.ROLLED_BACK and outcome.differences == (), outcome
    time.sleep(max(0.0, began + LANDS + 1.0 - time.monotonic()))
    assert read_lab(twin.lab) == start


@pytest.mark.parametrize(("host", "method", "nth"), LATE if FULL else LATE_SLICE[:1])
async def test_a_call_that_lands_late_without_other_failures_completes_the_apply(
    make_twin: Any, host: str, method: str, nth: int
) -> None:
    twin = make_twin(demo_spec(faults=(fault(host, method, nth, "delay", LANDS),)), timeout=TIMEOUT)
    twin.engine.landing_wait_s = WAIT
    start = read_lab(twin.lab)
    outcome = await _apply(twin)
    assert outcome.outcome == results.APPLIED, outcome
    for name, view in read_lab(twin.lab).items():  # each object once: nothing was sent twice
        assert sorted(n for n in view["vswitches"] if n.startswith("vmesh-")) == ["vmesh-1", "vmesh-2"]
        owned = [v for v in view["vmks"].values() if v["portgroup"].startswith("vmesh-")]
        assert len(owned) == 2 and all(v["vmotion"] for v in owned), name
    _, reverted = await collect(twin.engine.revert())
    assert reverted.ok and read_lab(twin.lab) == start


@pytest.mark.parametrize(("failing", "method", "nth"), UNREADABLE if FULL else UNREADABLE_SLICE)
async def test_an_unreadable_host_is_named_and_every_other_host_rolled_back(
    make_twin: Any, failing: str, method: str, nth: int
) -> None:
    unreadable = _other(failing)
    blind = tuple(fault(unreadable, "RetrievePropertiesEx", n, "fault") for n in range(3, 9))
    twin = make_twin(demo_spec(faults=(fault(failing, method, nth, "fault"), *blind)))
    start = read_lab(twin.lab)
    outcome = await _apply(twin)
    assert outcome.outcome == results.ROLLBACK_INCOMPLETE, outcome
    assert any(d.startswith(f"{unreadable} could not be read") for d in outcome.differences), outcome
    assert read_lab(twin.lab)[failing] == start[failing]
    _, reverted = await collect(twin.engine.revert())
    assert reverted.ok, reverted
    assert read_lab(twin.lab) == start
