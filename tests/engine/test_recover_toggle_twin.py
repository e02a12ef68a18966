"""recover's toggle never leaves a portgroup without an active uplink: the second update is retried, then
the original order restored from the host's state; the toggles are journaled, and a half-done toggle is
finished by the next recover."""

from __future__ import annotations

from typing import Any

from tests.engine.test_reboot_twin import _apply, _reboot
from tests.engine.twinlab import collect, demo_spec, fault
from tests.hostview.reader import differences, read_lab
from vmesh_tui.engine.journal import all_journals

B = "esx-b.lab.local"


def _no_active(twin: Any) -> list[str]:
    """The tool's portgroups on B with an override but no active uplink (read independently)."""
    groups = read_lab(twin.lab)[B]["portgroups"]
    return [name for name, g in groups.items() if name.startswith("vmesh-") and not g["active"]]


async def test_a_failed_second_update_is_retried(make_twin: Any) -> None:
    twin = make_twin(demo_spec(faults=(fault(B, "UpdatePortGroup", 2, "fault"),)))
    await _apply(twin, "shared")
    _reboot(twin, B)
    _, recovered = await collect(twin.engine.recover())
    assert recovered.ok, recovered
    assert _no_active(twin) == []
    assert len(recovered.toggled) == 2
    (journal,) = all_journals(twin.home / "state")
    toggles = [r for r in journal.records_for(B) if r.step.action == "update"]
    assert [r.status for r in toggles].count("failed") == 1 and len(toggles) == 5
    assert journal.status == "applied" and not journal.interrupted


async def test_an_order_that_cannot_be_restored_is_reported_and_fixed_next_time(make_twin: Any) -> None:
    faults = tuple(fault(B, "UpdatePortGroup", n, "fault") for n in (2, 3, 4))
    twin = make_twin(demo_spec(faults=faults))
    start = read_lab(twin.lab)
    await _apply(twin, "shared")
    _reboot(twin, B)
    _, recovered = await collect(twin.engine.recover())
    assert not recovered.ok
    assert "no active uplink" in recovered.message and "recover again" in recovered.message
    (left,) = _no_active(twin)
    assert left in recovered.message
    _, again = await collect(twin.engine.recover())
    assert again.ok, again
    assert _no_active(twin) == []
    _, reverted = await collect(twin.engine.revert())
    assert reverted.ok, reverted.problems
    after = read_lab(twin.lab)
    assert after == start, differences(start, after)
