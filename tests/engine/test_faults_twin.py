"""Fault matrix: a fault or a lost reply at every step of each host, served by the twin.

A fault must roll both hosts back to exactly their starting state (exit 1 in the CLI, "rolled_back" here),
leaving nothing over and the journal closed; a lost reply must be recognised and the apply succeed, with
no duplicate and no orphan. The hosts are judged by the independent reader (tests/hostview), never by the
tool's own read.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.engine.twinlab import SUPERNET, TWO_LINKS, collect, demo_spec, fault
from tests.hostview.promise import link_objects, missing_from, only_added
from tests.hostview.reader import differences, read_lab
from vmesh_tui.engine import results
from vmesh_tui.engine.journal import all_journals
from vmesh_tui.engine.planning import PlanRequest

HOSTS = ("esx-a.lab.local", "esx-b.lab.local")
# the plan of two links, per host: (WSDL method, nth call) of each step in order
STEP_CALLS = (
    ("AddVirtualSwitch", 1),
    ("AddVirtualSwitch", 2),
    ("AddPortGroup", 1),
    ("AddPortGroup", 2),
    ("AddVirtualNic", 1),
    ("AddVirtualNic", 2),
)
# the second call inside a vmk step (its vMotion tag) must also be all or nothing
INNER_CALLS = (("SelectVnicForNicType", 2),)
CASES = [(h, m, n, k) for h in HOSTS for (m, n) in STEP_CALLS + INNER_CALLS for k in ("fault", "lost")]
# the two links of TWO_LINKS as the README promises them, per host: (n, vmnic, address/prefix)
PROMISED = {
    "esx-a.lab.local": ((1, "vmnic1", "172.31.250.1/30"), (2, "vmnic2", "172.31.250.5/30")),
    "esx-b.lab.local": ((1, "vmnic1", "172.31.250.2/30"), (2, "vmnic2", "172.31.250.6/30")),
}
OWNED = {"vmesh-1", "vmesh-2", "vmesh-vmotion-1", "vmesh-vmotion-2"}


def promised_problems(start: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """Where the hosts differ from the two promised links on top of their starting state."""
    problems = []
    for host, links in PROMISED.items():
        for n, vmnic, cidr in links:
            problems += [f"{host}: {p}" for p in missing_from(now[host], link_objects(n, vmnic, cidr))]
        problems += [f"{host}: {p}" for p in only_added(start[host], now[host], OWNED)]
    return problems


@pytest.mark.parametrize(("host", "method", "nth", "kind"), CASES)
async def test_fault_at_every_step(make_twin: Any, host: str, method: str, nth: int, kind: str) -> None:
    twin = make_twin(demo_spec(faults=(fault(host, method, nth, kind),)))
    start = read_lab(twin.lab)
    _, planned = await collect(twin.engine.plan(PlanRequest(SUPERNET, manual_links=TWO_LINKS)))
    methods_in_plan = [s.kind for s in planned.plan.for_host(host)]
    assert len(methods_in_plan) == len(STEP_CALLS), methods_in_plan
    events, outcome = await collect(twin.engine.apply(planned))
    (journal,) = all_journals(twin.home / "state")
    if kind == "fault":
        assert outcome.outcome == results.ROLLED_BACK, outcome
        assert outcome.differences == ()
        assert any(e.kind == "step_failed" and e.host == host for e in events)
        after = read_lab(twin.lab)
        assert after == start, differences(start, after)
        assert journal.closed and journal.status == "rolled_back"
    else:
        assert outcome.outcome == results.APPLIED, outcome
        assert promised_problems(start, read_lab(twin.lab)) == []
        _, reverted = await collect(twin.engine.revert())
        assert reverted.ok, reverted
        after = read_lab(twin.lab)
        assert after == start, differences(start, after)
