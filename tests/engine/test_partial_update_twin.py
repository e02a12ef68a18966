"""An update step whose first call got no reply but landed, against the twin, judged by the independent
reader (tests/hostview): the engine never finishes an update on a guess. runner._finish_partial refuses
it (the object existed before the step and now shows neither as it was nor as the step wants), the step
fails, and the rollback puts every host back exactly as the run found it.

The step: esx-a's vmk on vmesh-vmotion-1 lost its vMotion tag by hand after an apply; a re-apply at MTU
1500 plans one update of it with two change calls: UpdateVirtualNic (the MTU; its reply is lost and the
change lands, the twin's "lost" fault), then SelectVnicForNicType (the tag), which must never be sent."""

from __future__ import annotations

from typing import Any

from tests.engine.twinlab import SUPERNET, TWO_LINKS, collect, demo_spec, fault
from tests.hostview.reader import differences, read_lab
from tests.sim.test_server_scenarios import Host
from vmesh_tui.core.design import DesignOptions
from vmesh_tui.engine import results
from vmesh_tui.engine.journal import UNDONE, all_journals
from vmesh_tui.engine.planning import PlanRequest

A = "esx-a.lab.local"
UNTAGGED = "vmesh-vmotion-1"  # its vmk loses the vMotion tag by hand


def _untag_by_hand(twin: Any) -> str:
    """What an admin might do: take the vMotion tag off the vmk on UNTAGGED (stock pyVmomi)."""
    (device,) = [d for d, v in read_lab(twin.lab)[A]["vmks"].items() if v["portgroup"] == UNTAGGED]
    host = Host(twin.lab.host(A))
    try:
        host.system.configManager.virtualNicManager.DeselectVnicForNicType("vmotion", device)
    finally:
        host.close()
    return device


def _sent(twin: Any, method: str) -> int:
    return int(twin.lab.stats()["hosts"][A].get(method, 0))


async def test_an_update_whose_first_call_landed_unanswered_is_refused_and_rolled_back(
    make_twin: Any,
) -> None:
    twin = make_twin(demo_spec(faults=(fault(A, "UpdateVirtualNic", 1, "lost"),)))
    _, planned = await collect(twin.engine.plan(PlanRequest(SUPERNET, manual_links=TWO_LINKS)))
    _, applied = await collect(twin.engine.apply(planned))
    assert applied.outcome == results.APPLIED, applied
    device = _untag_by_hand(twin)
    start = read_lab(twin.lab)
    assert start[A]["vmks"][device]["mtu"] == 9000 and not start[A]["vmks"][device]["vmotion"]

    request = PlanRequest(SUPERNET, options=DesignOptions(mtu=1500), manual_links=TWO_LINKS)
    _, replanned = await collect(twin.engine.plan(request))
    (update,) = [
        s for s in replanned.plan.steps if s.host == A and s.kind == "update_vmk" and s.target == UNTAGGED
    ]
    assert (update.before.mtu, update.after.mtu) == (9000, 1500), update  # type: ignore[union-attr]
    assert update.after.services - update.before.services == {"vmotion"}, update  # type: ignore[union-attr]
    selects, updates = _sent(twin, "SelectVnicForNicType"), _sent(twin, "UpdateVirtualNic")
    events, outcome = await collect(twin.engine.apply(replanned))

    # refused, not finished: the tag call was never sent; the landed MTU change was undone by the rollback
    assert outcome.outcome == results.ROLLED_BACK, outcome
    assert "not what the tool expects" in outcome.message and "rolled back" in outcome.message
    assert "partly done: finishing it" not in " ".join(e.message for e in events)
    assert _sent(twin, "SelectVnicForNicType") == selects
    assert _sent(twin, "UpdateVirtualNic") - updates == 2  # the lost one, then the rollback's 9000
    assert any(e.kind == "step_rolled_back" and e.host == A and device in e.message for e in events)
    (journal,) = all_journals(twin.home / "state")  # the first apply's, which the re-apply continued
    assert journal.id == outcome.journal_id and journal.status == "applied" and not journal.in_flight
    (record,) = [r for r in journal.records if r.step == update]
    # failed, never in flight (the read showed the lost call landed), then undone by the rollback
    assert record.status == UNDONE

    # the message claims no more than a fresh, independent read shows: every host exactly as it started
    now = read_lab(twin.lab)
    assert outcome.differences == () and now == start, differences(start, now)
