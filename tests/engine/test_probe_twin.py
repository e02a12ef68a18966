"""The cable probe against the twin over HTTPS: what it finds, and that every host ends as it started
(judged by stock pyVmomi on networkInfo), after success, faults, lost replies and cancellation."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from tests.engine.probehelp import (
    CROSSED,
    CROSSED_CABLES,
    MESH3,
    MESH_CABLES,
    A,
    B,
    lab_spec,
    read_networks,
    vswitch_names,
)
from tests.engine.twinlab import SUPERNET, collect, fault
from vmesh_tui.engine import results
from vmesh_tui.engine.journal import all_journals
from vmesh_tui.engine.lock import HostSetLock
from vmesh_tui.engine.planning import PlanRequest
from vmesh_tui.engine.probe import ProbeOptions

QUICK = ProbeOptions(timeout_s=4.0, poll_s=0.2)


async def test_probe_finds_crossed_cables_names_switch_and_dark_nics_and_leaves_hosts_as_they_were(
    make_twin: Any,
) -> None:
    twin = make_twin(lab_spec(CROSSED))
    before = read_networks(twin.lab)
    events, result = await collect(twin.engine.probe(QUICK))
    assert result.ok, result
    report = result.report
    assert [(c.a, c.b, c.source, c.verified) for c in report.pairing.cables] == [
        (a, b, "cdp", True) for a, b in CROSSED_CABLES
    ]
    codes = {f.ref: (f.code, f.peer) for f in report.nics}
    assert codes[f"{A}/vmnic5"] == ("switch", "core port GigabitEthernet1/0/3")
    assert codes[f"{B}/vmnic5"] == ("switch", "core port GigabitEthernet1/0/4")
    assert codes[f"{B}/vmnic3"] == ("peer-in-use", f"{A}/vmnic6")
    assert codes[f"{B}/vmnic6"] == ("dark", "")
    assert f"{A}/vmnic3" not in codes  # no link: never probed
    assert set(report.probed) == {
        *(f"{A}/vmnic{n}" for n in (1, 2, 4, 5)),
        *(f"{B}/vmnic{n}" for n in (1, 2, 3, 4, 5, 6)),
    }
    assert read_networks(twin.lab) == before
    assert {e.kind for e in events} >= {"step_done", "probe_wait"}
    (journal,) = all_journals(twin.home / "state")
    assert (journal.kind, journal.status, journal.closed) == ("probe", "probed", True)
    # the dark NIC kept the probe waiting until the timeout
    assert result.waited_s >= QUICK.timeout_s


async def test_mesh_probe_then_plan_apply_validate_revert(make_twin: Any) -> None:
    twin = make_twin(lab_spec(MESH3))
    before = read_networks(twin.lab)
    _, probed = await collect(twin.engine.probe(QUICK))
    assert probed.ok and probed.waited_s < QUICK.timeout_s, probed  # every NIC heard: no wait for timeout
    assert sorted(c.ends for c in probed.report.pairing.cables) == MESH_CABLES
    assert read_networks(twin.lab) == before
    _, planned = await collect(twin.engine.plan(PlanRequest(SUPERNET, pairing=probed.report.pairing)))
    assert not planned.errors and len(planned.links) == 6
    _, applied = await collect(twin.engine.apply(planned))
    assert applied.outcome == results.APPLIED, applied
    _, check = await collect(twin.engine.validate())
    assert check.ok and len(check.links) == 6, check
    _, reverted = await collect(twin.engine.revert())
    assert reverted.ok, reverted
    assert read_networks(twin.lab) == before


async def test_fault_on_one_hosts_add_removes_the_other_and_reports(make_twin: Any) -> None:
    twin = make_twin(lab_spec(CROSSED, faults=(fault(B, "AddVirtualSwitch", 1, "fault"),)))
    before = read_networks(twin.lab)
    _, result = await collect(twin.engine.probe(QUICK))
    assert not result.ok and "could not start" in result.message, result
    assert result.differences == () and result.problems == ()
    assert read_networks(twin.lab) == before
    (journal,) = all_journals(twin.home / "state")
    assert journal.closed


async def test_lost_replies_on_add_and_remove_are_recognised(make_twin: Any) -> None:
    faults = (fault(A, "AddVirtualSwitch", 1, "lost"), fault(B, "RemoveVirtualSwitch", 1, "lost"))
    twin = make_twin(lab_spec(MESH3.parent / "crossed.toml", faults=faults))
    before = read_networks(twin.lab)
    events, result = await collect(twin.engine.probe(QUICK))
    assert result.ok, result
    assert len(result.report.pairing.cables) == 3
    assert sum("reply was lost" in e.message for e in events if e.kind == "warning") == 2
    assert read_networks(twin.lab) == before


async def test_a_failed_remove_is_tried_again_from_the_hosts_state(make_twin: Any) -> None:
    twin = make_twin(lab_spec(CROSSED, faults=(fault(A, "RemoveVirtualSwitch", 1, "fault"),)))
    before = read_networks(twin.lab)
    events, result = await collect(twin.engine.probe(QUICK))
    assert result.ok, result
    assert any(e.kind == "step_failed" for e in events)
    assert any(e.kind == "step_rolled_back" and e.host == A for e in events)
    assert read_networks(twin.lab) == before


async def test_cancel_stops_the_wait_and_removes_the_vswitches(make_twin: Any) -> None:
    twin = make_twin(lab_spec(CROSSED))
    before = read_networks(twin.lab)
    cancel = threading.Event()
    seen = []
    async for event in twin.engine.probe(ProbeOptions(timeout_s=60.0, poll_s=0.2), cancel):
        seen.append(event)
        if event.kind == "probe_wait":
            assert vswitch_names(twin.lab)[A][-1] == "vmesh-probe"
            cancel.set()
    result = seen[-1].result
    assert result.cancelled and result.ok and result.waited_s < 10, result
    assert "cancelled" in result.message
    assert read_networks(twin.lab) == before


async def test_cancelling_the_task_still_removes_the_vswitches(make_twin: Any) -> None:
    twin = make_twin(lab_spec(CROSSED))
    before = read_networks(twin.lab)
    listening = asyncio.Event()

    async def consume() -> None:
        async for event in twin.engine.probe(ProbeOptions(timeout_s=60.0, poll_s=0.2)):
            if event.kind == "probe_wait":
                listening.set()

    task = asyncio.ensure_future(consume())
    await asyncio.wait_for(listening.wait(), 30)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert read_networks(twin.lab) == before
    (journal,) = all_journals(twin.home / "state")
    assert journal.closed and journal.status == "probed"


async def test_probe_is_refused_while_another_run_holds_the_lock(make_twin: Any) -> None:
    twin = make_twin(lab_spec(CROSSED))
    with HostSetLock(twin.home / "state", [B]):
        _, result = await collect(twin.engine.probe(QUICK))
    assert result.refused and not result.ok and "is changing" in result.message
    assert all("vmesh-probe" not in names for names in vswitch_names(twin.lab).values())


async def test_a_probe_vswitch_no_journal_knows_is_refused_and_left_alone(
    make_twin: Any, tmp_path: Any
) -> None:
    """esx-b already has a vSwitch vmesh-probe (an admin's, or a probe of other hosts): the probe changes
    nothing and says that no interrupted probe explains it (so `revert` and probing again cannot help)."""
    lab = tmp_path / "foreign.toml"
    lab.write_text(CROSSED.read_text() + '\n[[host.vswitch]]\nname = "vmesh-probe"\nuplinks = ["vmnic6"]\n')
    twin = make_twin(lab_spec(lab))
    before = read_networks(twin.lab)
    _, result = await collect(twin.engine.probe(QUICK))
    assert result.refused and not result.ok, result
    assert result.message.startswith(f"{B}: a vSwitch vmesh-probe is there that no interrupted probe")
    assert "`vmesh-tui status`" in result.message and "probe again" not in result.message
    assert read_networks(twin.lab) == before
    assert all_journals(twin.home / "state") == []
