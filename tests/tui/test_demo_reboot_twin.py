"""The demo's palette reboot does what an admin does: maintenance mode, a reboot without force, out again."""

from __future__ import annotations

from typing import Any

from tests.tui.twinapp import make_app, wait_for

HOST = "esx-b.lab.local"  # the lab's last host, the one the palette reboots


async def test_palette_reboot_goes_through_maintenance_mode(twin: Any) -> None:
    endpoint = twin.endpoint(HOST)
    booted = endpoint.sim.boot_time
    app = make_app(twin, demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.engine is not None, 30)
        app.demo_reboot()
        served = lambda: twin.stats()["hosts"][HOST]  # noqa: E731
        await wait_for(pilot, lambda: served().get("ExitMaintenanceMode_Task") == 1, 60)
    counts = served()
    assert counts.get("EnterMaintenanceMode_Task") == counts.get("RebootHost_Task") == 1
    assert endpoint.sim.boot_time > booted, "the host rebooted"
    assert endpoint.sim.in_maintenance is False, "and left maintenance mode once back"
