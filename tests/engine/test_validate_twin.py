"""Validation failures explained in the admin's terms, and commit-confirmed apply, against the twin."""

from __future__ import annotations

import dataclasses
from typing import Any

from tests.engine.twinlab import SUPERNET, TWO_LINKS, collect, demo_spec
from tests.hostview.reader import differences, read_lab
from vmesh_tui.engine import results
from vmesh_tui.engine.journal import all_journals
from vmesh_tui.engine.planning import PlanRequest

A, B = "esx-a.lab.local", "esx-b.lab.local"


def _crossed_spec() -> Any:
    from vmesh_tui.sim.lab.spec import CableSpec

    spec = demo_spec()
    cables = [c for c in spec.cables if not c.a.endswith(("/vmnic1", "/vmnic2"))]
    cables += [CableSpec(f"{A}/vmnic1", f"{B}/vmnic2"), CableSpec(f"{A}/vmnic2", f"{B}/vmnic1")]
    return dataclasses.replace(spec, cables=tuple(cables))


def _small_mtu_spec() -> Any:
    spec = demo_spec()
    host_b = spec.host(B)
    nics = tuple(dataclasses.replace(n, max_mtu=1500) if n.device == "vmnic2" else n for n in host_b.nics)
    hosts = tuple(dataclasses.replace(h, nics=nics) if h.name == B else h for h in spec.hosts)
    return dataclasses.replace(spec, hosts=hosts)


async def _apply_two_links(twin: Any, confirm: float | None = None) -> Any:
    _, planned = await collect(twin.engine.plan(PlanRequest(SUPERNET, manual_links=TWO_LINKS)))
    _, applied = await collect(twin.engine.apply(planned, confirm))
    return applied


async def test_crossed_cables_are_named(make_twin: Any) -> None:
    twin = make_twin(_crossed_spec())
    assert (await _apply_two_links(twin)).outcome == results.APPLIED
    _, check = await collect(twin.engine.validate())
    assert not check.ok
    first = check.links[0]
    assert not first.ok and "crossed" in first.detail
    assert f"{A}/vmnic1" in first.detail and f"{B}/vmnic2" in first.detail


async def test_mtu_too_small_says_where(make_twin: Any) -> None:
    twin = make_twin(_small_mtu_spec())
    assert (await _apply_two_links(twin)).outcome == results.APPLIED
    _, check = await collect(twin.engine.validate())
    by_nic = {c.b: c for c in check.links}
    assert by_nic[f"{B}/vmnic1"].ok
    bad = by_nic[f"{B}/vmnic2"]
    assert not bad.ok and "9000" in bad.detail and "vmnic2" in bad.detail


async def test_commit_confirmed_reverts_when_validation_fails(make_twin: Any) -> None:
    twin = make_twin(_crossed_spec())
    start = read_lab(twin.lab)
    applied = await _apply_two_links(twin, confirm=0.5)
    assert applied.outcome == results.UNCONFIRMED
    assert applied.validation is not None and not applied.validation.ok
    after = read_lab(twin.lab)
    assert after == start, differences(start, after)
    (journal,) = all_journals(twin.home / "state")
    assert journal.closed and journal.status == "reverted"


async def test_commit_confirmed_keeps_a_passing_change(make_twin: Any) -> None:
    twin = make_twin()
    applied = await _apply_two_links(twin, confirm=5)
    assert applied.outcome == results.APPLIED
    assert applied.validation is not None and applied.validation.ok


async def test_commit_confirmed_never_claims_a_revert_that_failed(make_twin: Any) -> None:
    from tests.engine.twinlab import fault

    spec = dataclasses.replace(_crossed_spec(), faults=(fault(B, "RemoveVirtualNic", 1, "fault"),))
    twin = make_twin(spec)
    start = read_lab(twin.lab)
    applied = await _apply_two_links(twin, confirm=0.5)
    assert applied.outcome == results.REVERT_FAILED and not applied.ok
    assert "was reverted" not in applied.message and "did not complete" in applied.message
    left = [d for d in applied.differences if d.endswith(" was added")]  # what the revert left behind
    assert left == [f"{B}: vSwitch vmesh-2 was added", f"{B}: portgroup vmesh-vmotion-2 was added",
                    f"{B}: vmk vmesh-vmotion-2 was added"], applied.differences  # fmt: skip
    failed = [d for d in applied.differences if not d.endswith(" was added")]
    assert len(failed) == 3 and all(d.startswith(f"{B}: could not remove ") for d in failed), failed
    assert "RemoveVirtualNic" in failed[0] and "vmk2 on vmesh-vmotion-2" in failed[0], failed
    left_seen = differences(
        start, read_lab(twin.lab)
    )  # exactly the three objects it names, read independently
    assert sorted(line.split(":")[0] for line in left_seen) == [
        f"{B}/portgroups/vmesh-vmotion-2", f"{B}/vmks/vmk2", f"{B}/vswitches/vmesh-2"
    ], left_seen  # fmt: skip
    assert applied.validation is not None and not applied.validation.ok
    (journal,) = all_journals(twin.home / "state")
    assert not journal.closed
    _, reverted = await collect(twin.engine.revert())
    assert reverted.ok, reverted
    after = read_lab(twin.lab)
    assert after == start, differences(start, after)
