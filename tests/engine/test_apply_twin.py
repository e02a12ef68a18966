"""Apply, validate, re-apply and revert the demo lab through the adapter against the twin over HTTPS.

The hosts are judged by the independent reader (tests/hostview), never by the tool's own read."""

from __future__ import annotations

from typing import Any

from tests.engine.twinlab import SUPERNET, TWO_LINKS, collect, demo_spec
from tests.hostview.promise import link_objects, missing_from, only_added
from tests.hostview.reader import differences, read_lab
from vmesh_tui.core.design import DesignOptions
from vmesh_tui.core.model import Vmk, VSwitch
from vmesh_tui.core.steps import Action, Step
from vmesh_tui.engine import results
from vmesh_tui.engine.journal import all_journals
from vmesh_tui.engine.lock import HostSetLock
from vmesh_tui.engine.planning import PlanRequest


async def _plan(engine: Any, request: PlanRequest) -> Any:
    _, planned = await collect(engine.plan(request))
    return planned


async def test_demo_lab_end_to_end(make_twin: Any) -> None:
    twin = make_twin()
    start = read_lab(twin.lab)
    planned = await _plan(twin.engine, PlanRequest(SUPERNET))
    assert len(planned.links) == 4 and not planned.errors
    events, applied = await collect(twin.engine.apply(planned))
    assert applied.outcome == results.APPLIED, applied
    assert sum(e.kind == "step_done" for e in events) == len(planned.plan.steps)
    assert {e.host for e in events if e.kind == "step_done"} == set(start)
    now = read_lab(twin.lab)
    for host, last_octet in (("esx-a.lab.local", 1), ("esx-b.lab.local", 2)):
        for n, vmnic in enumerate(("vmnic1", "vmnic2", "vmnic5", "vmnic6"), start=1):
            cidr = f"172.31.250.{4 * (n - 1) + last_octet}/30"
            assert missing_from(now[host], link_objects(n, vmnic, cidr)) == [], (host, n)
        owned = {f"vmesh-{n}" for n in range(1, 5)} | {f"vmesh-vmotion-{n}" for n in range(1, 5)}
        assert only_added(start[host], now[host], owned) == []

    pings, check = await collect(twin.engine.validate())
    assert check.ok, check
    assert len(check.links) == 4 and all(link.ok for link in check.links)
    directions = {(e.data["link_index"], e.data["forward"]) for e in pings if e.kind == "ping"}
    assert directions == {(i, forward) for i in range(4) for forward in (True, False)}

    again = await _plan(twin.engine, PlanRequest(SUPERNET))
    assert again.plan.is_empty
    _, noop = await collect(twin.engine.apply(again))
    assert noop.outcome == results.NOTHING_TO_DO and "nothing to do" in noop.message

    _, reverted = await collect(twin.engine.revert())
    assert reverted.ok and reverted.differences == (), reverted
    after = read_lab(twin.lab)
    assert after == start, differences(start, after)
    (journal,) = all_journals(twin.home / "state")
    assert journal.closed and journal.status == "reverted"


async def test_stale_plan_is_refused(make_twin: Any) -> None:
    twin = make_twin()
    planned = await _plan(twin.engine, PlanRequest(SUPERNET, manual_links=TWO_LINKS))
    host = "esx-a.lab.local"
    start = read_lab(twin.lab)
    first_vmk = next(s for s in planned.plan.for_host(host) if isinstance(s.after, Vmk))
    assert first_vmk  # the plan wants vmks; someone else now takes a NIC the plan uses
    grabbed = planned.plan.for_host(host)[0].after
    twin.client.run_step(Step(host, Action.ADD, None, grabbed))
    _, refused = await collect(twin.engine.apply(planned))
    assert refused.outcome == results.REFUSED
    assert any("changed since the plan" in r for r in refused.reasons), refused.reasons
    assert isinstance(grabbed, VSwitch) and grabbed.name == "vmesh-1"
    changed = differences(start, read_lab(twin.lab))  # only the grabbing vSwitch, nothing of the plan
    assert len(changed) == 1 and changed[0].startswith(f"{host}/vswitches/vmesh-1: new "), changed


async def test_second_apply_on_same_hosts_is_refused(make_twin: Any) -> None:
    twin = make_twin()
    planned = await _plan(twin.engine, PlanRequest(SUPERNET, manual_links=TWO_LINKS))
    with HostSetLock(twin.home / "state", ["esx-b.lab.local"]):
        _, refused = await collect(twin.engine.apply(planned))
    assert refused.outcome == results.REFUSED and "esx-b.lab.local" in refused.message


async def test_three_host_mesh(make_twin: Any) -> None:
    spec = demo_spec()
    from vmesh_tui.sim.lab.spec import CableSpec

    third = _renamed_host(spec.hosts[1], "esx-c.lab.local")
    cables = (
        CableSpec("esx-a.lab.local/vmnic1", "esx-b.lab.local/vmnic1"),
        CableSpec("esx-a.lab.local/vmnic2", "esx-c.lab.local/vmnic2"),
        CableSpec("esx-b.lab.local/vmnic5", "esx-c.lab.local/vmnic5"),
    )
    twin = make_twin(demo_spec(hosts=(*spec.hosts, third), cables=cables, switches=()))
    start = read_lab(twin.lab)
    planned = await _plan(twin.engine, PlanRequest(SUPERNET, options=DesignOptions()))
    assert len(planned.links) == 3
    _, applied = await collect(twin.engine.apply(planned))
    assert applied.outcome == results.APPLIED
    _, check = await collect(twin.engine.validate())
    assert check.ok and len(check.links) == 3, check
    assert {h: len(v["vmks"]) for h, v in read_lab(twin.lab).items()} == {h: 3 for h in start}
    _, reverted = await collect(twin.engine.revert())
    assert reverted.ok, reverted
    after = read_lab(twin.lab)
    assert after == start, differences(start, after)


def _renamed_host(host: Any, name: str) -> Any:
    import dataclasses

    vmks = tuple(dataclasses.replace(v, ip="192.168.10.13/24") for v in host.vmks)
    return dataclasses.replace(host, name=name, vmks=vmks)


async def test_no_secret_reaches_the_state_or_config_files(make_twin: Any) -> None:
    import dataclasses

    secret = "Pw-7f3c9-never-on-disk"
    spec = demo_spec()
    twin = make_twin(
        dataclasses.replace(spec, hosts=tuple(dataclasses.replace(h, password=secret) for h in spec.hosts))
    )
    planned = await _plan(twin.engine, PlanRequest(SUPERNET, manual_links=TWO_LINKS))
    _, applied = await collect(twin.engine.apply(planned))
    assert applied.outcome == results.APPLIED, applied
    assert _owned_vswitches(twin) == {h.name: ["vmesh-1", "vmesh-2"] for h in twin.lab.hosts}
    _, reverted = await collect(twin.engine.revert())
    assert reverted.ok, reverted
    assert _owned_vswitches(twin) == {h.name: [] for h in twin.lab.hosts}
    files = [p for p in twin.home.rglob("*") if p.is_file()]
    assert any(p.suffix == ".json" for p in files)
    assert all(secret not in p.read_text(errors="replace") for p in files)


def _owned_vswitches(twin: Any) -> dict[str, list[str]]:
    """The vmesh-* vSwitches of each host, as the independent reader sees them."""
    found = {}
    for name, view in read_lab(twin.lab).items():
        found[name] = sorted(switch for switch in view["vswitches"] if switch.startswith("vmesh-"))
    return found


async def test_forced_link_speed_is_applied_and_restored_by_revert(make_twin: Any) -> None:
    from vmesh_tui.core.design import NicSpeed

    twin = make_twin()
    start = read_lab(twin.lab)
    speeds = (NicSpeed("esx-a.lab.local/vmnic1", 1000), NicSpeed("esx-b.lab.local/vmnic1", 1000))
    request = PlanRequest(SUPERNET, options=DesignOptions(nic_speeds=speeds), manual_links=TWO_LINKS)
    planned = await _plan(twin.engine, request)
    assert sum(s.kind == "update_pnic" for s in planned.plan.steps) == 2
    _, applied = await collect(twin.engine.apply(planned))
    assert applied.outcome == results.APPLIED, applied
    forced = read_lab(twin.lab)
    assert start["esx-a.lab.local"]["pnics"]["vmnic1"]["forced"] is None
    assert [forced[h]["pnics"]["vmnic1"]["forced"] for h in sorted(forced)] == [(1000, True), (1000, True)]
    _, reverted = await collect(twin.engine.revert())
    assert reverted.ok and reverted.differences == ()
    back = read_lab(twin.lab)
    assert back == start, differences(start, back)
