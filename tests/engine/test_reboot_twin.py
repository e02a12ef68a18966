"""Reboot: the shared-vSwitch layout loses its steering after a reboot until recover toggles the
failover order; the per-link layout survives a reboot untouched."""

from __future__ import annotations

import time
from typing import Any

from tests.engine.twinlab import SUPERNET, TWO_LINKS, collect
from tests.hostview.reader import differences, read_lab
from vmesh_tui.core.design import DesignOptions
from vmesh_tui.engine import results
from vmesh_tui.engine.planning import PlanRequest


def _reboot(twin: Any, host: str) -> None:
    """Reboot through the API and wait until the host answers again (as an admin would)."""
    twin.client.reboot(host)
    deadline = time.monotonic() + 30
    while True:
        try:
            twin.client.read_all()
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


async def _apply(twin: Any, layout: str) -> None:
    request = PlanRequest(SUPERNET, options=DesignOptions(layout=layout), manual_links=TWO_LINKS)
    _, planned = await collect(twin.engine.plan(request))
    _, applied = await collect(twin.engine.apply(planned))
    assert applied.outcome == results.APPLIED, applied
    _, check = await collect(twin.engine.validate())
    assert check.ok, check


async def test_shared_layout_reboot_then_recover(make_twin: Any) -> None:
    twin = make_twin()
    await _apply(twin, "shared")
    applied = read_lab(twin.lab)
    _reboot(twin, "esx-b.lab.local")
    _, broken = await collect(twin.engine.validate())
    assert not broken.ok
    _, recovered = await collect(twin.engine.recover())
    assert recovered.ok, recovered
    assert recovered.rebooted == ("esx-b.lab.local",)
    assert recovered.before is not None and not recovered.before.ok
    assert recovered.after is not None and recovered.after.ok
    assert all(t.startswith("esx-b.lab.local/") for t in recovered.toggled) and recovered.toggled
    after = read_lab(twin.lab)  # the toggles put every failover order back as it was
    assert after == applied, differences(applied, after)


async def test_per_link_layout_survives_reboot(make_twin: Any) -> None:
    twin = make_twin()
    await _apply(twin, "per-link")
    before = read_lab(twin.lab)
    _reboot(twin, "esx-a.lab.local")
    _, check = await collect(twin.engine.validate())
    assert check.ok, check
    _, recovered = await collect(twin.engine.recover())
    assert recovered.ok and recovered.toggled == ()
    after = read_lab(twin.lab)
    assert after == before, differences(before, after)
