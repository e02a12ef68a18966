"""A host that lies (`[[fault]] kind = "ignored"`: success, nothing changed) at every step of apply, of the
rollback, of revert and of recover's toggle: each reports a failure, and what it reports agrees with the
independent reader (tests/hostview): it claims the starting state only when the hosts show it, and
otherwise names what is left."""

from __future__ import annotations

from typing import Any

import pytest

from tests.engine.test_faults_twin import HOSTS, INNER_CALLS, STEP_CALLS, promised_problems
from tests.engine.twinlab import SUPERNET, TWO_LINKS, collect, demo_spec, fault
from tests.hostview.reader import differences, read_lab
from vmesh_tui.core.design import DesignOptions
from vmesh_tui.engine import results
from vmesh_tui.engine.planning import PlanRequest

REMOVALS = ("RemoveVirtualNic", "RemovePortGroup", "RemoveVirtualSwitch")
# what an ignored removal leaves: a kept vmk blocks its portgroup and vSwitch, a kept vSwitch stays; a kept
# portgroup goes with its vSwitch (RemoveVirtualSwitch drops the portgroups on it, as ESXi does)
# how apply notices each ignored step (the words of the failure it reports)
CAUGHT_BY = {
    "AddVirtualSwitch": "NotFound",
    "AddPortGroup": "NotFound",
    "AddVirtualNic": "is not a VMkernel NIC",
    "SelectVnicForNicType": "does not show it",
}
LEAVES_SOMETHING = {"RemoveVirtualNic": True, "RemovePortGroup": False, "RemoveVirtualSwitch": True}


async def _apply(twin: Any, layout: str = "per-link") -> Any:
    request = PlanRequest(SUPERNET, options=DesignOptions(layout=layout), manual_links=TWO_LINKS)
    _, planned = await collect(twin.engine.plan(request))
    events, applied = await collect(twin.engine.apply(planned))
    return events, applied


def _named(left: list[str], reported: tuple[str, ...]) -> list[str]:
    """The leftovers the independent reader sees that the report does not name (host and object)."""
    missed = []
    for line in left:
        host, _, rest = line.partition("/")
        name = rest.split("/")[1].split(":")[0] if rest.count("/") else rest
        if not any(host in r and name in r for r in reported):
            missed.append(line)
    return missed


@pytest.mark.parametrize(
    ("host", "method", "nth"), [(h, m, n) for h in HOSTS for m, n in STEP_CALLS + INNER_CALLS]
)
async def test_apply_catches_a_step_the_host_ignored(
    make_twin: Any, host: str, method: str, nth: int
) -> None:
    twin = make_twin(demo_spec(faults=(fault(host, method, nth, "ignored"),)))
    start = read_lab(twin.lab)
    _, applied = await _apply(twin)
    assert applied.outcome == results.ROLLED_BACK, applied
    assert applied.message.startswith(f"{host}: "), applied.message
    # the next call of the same link finds its vSwitch or portgroup missing, or its vmk not a vmk; nothing
    # later trips over an ignored vMotion tag: only the read after the steps sees it
    assert CAUGHT_BY[method] in applied.message, applied.message
    after = read_lab(twin.lab)
    assert after == start, differences(start, after)
    assert applied.differences == () and "back to their starting state" in applied.message


@pytest.mark.parametrize(("host", "method"), [(h, m) for h in HOSTS for m in REMOVALS])
async def test_rollback_says_what_an_ignored_undo_left(make_twin: Any, host: str, method: str) -> None:
    # the last step of esx-b fails, so both hosts roll back every step; one undo is ignored
    faults = (fault("esx-b.lab.local", "AddVirtualNic", 2, "fault"), fault(host, method, 1, "ignored"))
    twin = make_twin(demo_spec(faults=faults))
    start = read_lab(twin.lab)
    _, applied = await _apply(twin)
    left = differences(start, read_lab(twin.lab))
    assert bool(left) == LEAVES_SOMETHING[method], left  # the lie took effect (for a portgroup: not)
    if left:  # "rollback incomplete" (exit 6), never "rolled back" (exit 1)
        assert applied.outcome == results.ROLLBACK_INCOMPLETE, applied
        assert "back to their starting state" not in applied.message and applied.differences, applied
        assert _named(left, applied.differences) == [], (left, applied.differences)
    else:  # the host dropped the object with its vSwitch anyway: then, and only then, a clean claim
        assert applied.outcome == results.ROLLED_BACK, applied
        assert applied.differences == () and "back to their starting state" in applied.message


@pytest.mark.parametrize("nth", [1, 2])
@pytest.mark.parametrize(("host", "method"), [(h, m) for h in HOSTS for m in REMOVALS])
async def test_revert_says_what_an_ignored_removal_left(
    make_twin: Any, host: str, method: str, nth: int
) -> None:
    twin = make_twin(demo_spec(faults=(fault(host, method, nth, "ignored"),)))
    start = read_lab(twin.lab)
    _, applied = await _apply(twin)
    assert applied.outcome == results.APPLIED, applied
    assert promised_problems(start, read_lab(twin.lab)) == []
    _, reverted = await collect(twin.engine.revert())
    left = differences(start, read_lab(twin.lab))
    assert bool(left) == LEAVES_SOMETHING[method], left  # the lie took effect (for a portgroup: not)
    if left:
        assert not reverted.ok and reverted.differences + reverted.problems, reverted
        assert _named(left, reverted.differences + reverted.problems) == [], (left, reverted)
        assert reverted.message.startswith("revert incomplete"), reverted.message
        # the journal stays open, so the next revert (the host behaves now) finishes it
        _, again = await collect(twin.engine.revert())
        assert again.ok, again
        assert read_lab(twin.lab) == start
    else:
        assert reverted.ok and reverted.differences == (), reverted


@pytest.mark.parametrize("nth", [1, 2], ids=["to-standby", "back-to-active"])
async def test_recover_catches_an_ignored_toggle(make_twin: Any, nth: int) -> None:
    from tests.engine.test_reboot_twin import _reboot

    b = "esx-b.lab.local"
    twin = make_twin(demo_spec(faults=(fault(b, "UpdatePortGroup", nth, "ignored"),)))
    _, applied = await _apply(twin, "shared")
    assert applied.outcome == results.APPLIED, applied
    as_applied = read_lab(twin.lab)
    _reboot(twin, b)
    _, recovered = await collect(twin.engine.recover())
    assert not recovered.ok, recovered
    assert "does not show it" in recovered.message and "vmesh-vmotion-1" in recovered.message, (
        recovered.message
    )
    after = read_lab(twin.lab)  # whatever the lie, every failover order ends as the apply left it
    assert after == as_applied, differences(as_applied, after)
