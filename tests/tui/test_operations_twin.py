"""Apply failure and rollback, a UI that stays live during slow calls, recovery after a reboot, status and
revert: on the twin over HTTPS at 80x24, asserting on the screen and on the hosts' resulting state."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from tests.tui.twinapp import (
    confirm_apply,
    lab_with_faults,
    make_app,
    read_hosts,
    screen_text,
    wait_for,
    wait_screen,
    walk_to_preview,
)
from vmesh_tui.tui.widgets.choice import Choice


def owned_vswitches(lab: Any) -> dict[str, list[str]]:
    return {
        n: sorted(v for v in h["vswitches"] if v.startswith("vmesh-")) for n, h in read_hosts(lab).items()
    }


async def walk_to_apply(pilot: Any, *, shared: bool = False) -> None:
    await wait_screen(pilot, "CablingScreen")
    await pilot.press("n")
    await wait_screen(pilot, "AddressingScreen")
    if shared:
        pilot.app.screen.query_one("#layout", Choice).focus()
        await pilot.press("space")
    await pilot.press("ctrl+n")
    await wait_screen(pilot, "PreviewScreen")
    await confirm_apply(pilot)
    await wait_for(pilot, lambda: pilot.app.screen.state in ("applied", "rolled back", "failed"), timeout=60)


async def apply_then_back_to_cabling(pilot: Any) -> None:
    """Apply the demo's plan, then read the hosts again and stand on Cabling with the applied links shown."""
    await walk_to_apply(pilot)
    app = pilot.app
    assert app.screen.state == "applied", screen_text(app)
    app.rewind_wizard()
    await wait_screen(pilot, "CablingScreen")
    await wait_for(pilot, lambda: "vmesh-1" in screen_text(app))


async def test_failed_step_rolls_back_every_host(tmp_path: Path) -> None:
    from vmesh_tui.sim.runner import start_lab

    faults = '[[fault]]\nhost = "esx-b.lab.local"\nmethod = "AddVirtualNic"\nnth = 3\nkind = "fault"\n'
    lab = start_lab(lab_with_faults(tmp_path, faults))
    try:
        start = read_hosts(lab)
        app = make_app(lab)
        async with app.run_test(size=(80, 24)) as pilot:
            await walk_to_apply(pilot)
            text = screen_text(app)
            assert app.screen.state == "rolled back", text
            assert "FAIL" in text and "undone" in text
            status = str(app.screen.query_one("#status").render())
            assert "Not applied: step 11/12 on esx-b.lab.local failed" in status, status
            assert "every completed step was undone, nothing is left half-done" in status, status
            text = screen_text(app)
            assert "FAIL failed" not in text and text.count("rolled back") == 2, text  # once per host bar
            from textual.widgets import RichLog

            logged = "\n".join(str(line.text) for line in app.screen.query_one(RichLog).lines)
            assert logged.count("Injected HostConfigFault") == 1, logged  # the failure once, not three times
            assert not app.busy
        assert read_hosts(lab) == start
    finally:
        lab.stop()


async def test_screen_stays_live_while_a_host_is_slow(tmp_path: Path) -> None:
    from vmesh_tui.sim.runner import start_lab

    # esx-b's neighbour query answers after 6 s: a screen blocked by it would answer a key only then
    faults = '[[fault]]\nhost = "esx-b.lab.local"\nmethod = "QueryNetworkHint"\nkind = "delay"\ndelay_s = 6\n'
    lab = start_lab(lab_with_faults(tmp_path, faults))
    try:
        app = make_app(lab)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_screen(pilot, "DiscoverScreen")
            started = time.monotonic()
            await pilot.press("question_mark")
            await wait_screen(pilot, "HelpScreen", timeout=3.0)
            assert time.monotonic() - started < 3.0  # well inside the slow host's 6 s
            assert "read the hosts again" in screen_text(app)  # the help of the screen beneath
            await pilot.press("escape")
            await pilot.pause()
            assert type(app.screen).__name__ == "DiscoverScreen"  # discovery is still waiting for esx-b
            await wait_screen(pilot, "CablingScreen", timeout=30)  # and moves on by itself once it answers
    finally:
        lab.stop()


async def test_recovery_after_reboot_shows_before_and_after(twin: Any) -> None:
    app = make_app(twin)
    async with app.run_test(size=(80, 24)) as pilot:
        await walk_to_apply(pilot, shared=True)
        assert app.screen.state == "applied", screen_text(app)
        twin.reboot("esx-b.lab.local")
        app.open_recovery()
        await wait_screen(pilot, "RecoveryScreen")
        await wait_for(pilot, lambda: "g: run recovery" in screen_text(app), 60)
        text = screen_text(app)  # found before anything is changed: the rebooted host and the failing links
        assert "Rebooted since the apply: esx-b.lab.local" in text
        assert "failing" in text.split("Before:")[1].splitlines()[0]
        await pilot.press("g")
        await wait_screen(pilot, "ConfirmScreen")
        await pilot.press("y")
        await wait_for(pilot, lambda: "After:" in screen_text(app) and "After: -" not in screen_text(app), 90)
        text = screen_text(app)
        assert "Rebooted since the apply: esx-b.lab.local" in text
        assert "Before:" in text and "failing" in text.split("Before:")[1].splitlines()[0]
        assert "After: " in text and "no failing link" in text.split("After:")[1].splitlines()[0]
        status = str(app.screen.query_one("#status").render())  # what was done; the verdict is After's
        assert "Recovered: toggled 4 portgroups on esx-b.lab.local" in status and "pass" not in status, status


async def test_status_lists_the_run_and_reverts_it(twin: Any) -> None:
    start = read_hosts(twin)
    app = make_app(twin)
    async with app.run_test(size=(80, 24)) as pilot:
        await walk_to_apply(pilot)
        assert owned_vswitches(twin)["esx-a.lab.local"] == ["vmesh-1", "vmesh-2", "vmesh-3", "vmesh-4"]
        app.open_status()
        await wait_screen(pilot, "StatusScreen")
        text = screen_text(app)
        assert "esx-a, esx-b" in text and "applied" in text
        await pilot.press("v")
        await wait_screen(pilot, "ConfirmScreen")
        await pilot.press("y")
        await wait_for(pilot, lambda: "reverted" in screen_text(app).lower(), 60)
        assert "reverted" in screen_text(app)
    assert read_hosts(twin) == start


async def test_cancel_asks_then_rolls_back(tmp_path: Path) -> None:
    from vmesh_tui.sim.runner import start_lab

    fault = '[[fault]]\nhost = "esx-a.lab.local"\nmethod = "AddVirtualNic"\nnth = {}\nkind = "delay"\n'
    fault += "delay_s = 2\n"
    # every vmk add is slow (nth defaults to 1 only), so the cancel lands while the apply still runs
    lab = start_lab(lab_with_faults(tmp_path, "\n".join(fault.format(n) for n in range(1, 5))))
    try:
        start = read_hosts(lab)
        app = make_app(lab)
        async with app.run_test(size=(80, 24)) as pilot:
            await walk_to_preview(pilot)
            await confirm_apply(pilot)
            await wait_for(pilot, lambda: "add vmk" in screen_text(app), 30)
            await pilot.press("c")
            await wait_screen(pilot, "ConfirmScreen")
            assert "roll back every completed step?" in screen_text(app)
            await pilot.press("y")
            await wait_for(pilot, lambda: app.screen.state in ("rolled back", "failed"), 60)
            assert app.screen.state == "rolled back", screen_text(app)
            assert "Cancelled and rolled back" in screen_text(app)
        assert read_hosts(lab) == start
    finally:
        lab.stop()
