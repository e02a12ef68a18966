"""Fixes from the third acceptance walk of issue 13 (80x24, --ascii, 60x20, --read-only), each under Pilot
on the twin over HTTPS."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.engine.probehelp import CROSSED, read_networks
from tests.tui.twinapp import make_app, screen_text, wait_for, wait_screen


@pytest.fixture
def slow_cdp_lab(tmp_path: Path) -> Iterator[Any]:
    """The crossed lab with ESXi's real CDP interval (60 s): a probe cancelled at once has heard nothing."""
    from vmesh_tui.sim.runner import start_lab

    text = CROSSED.read_text().replace("cdp_interval_s = 1\n", "cdp_interval_s = 60\n")
    text = text.replace("cdp_holdtime_s = 3\n", "cdp_holdtime_s = 180\n")
    assert text.count("cdp_interval_s = 60") == 2, "the crossed lab changed: adapt this fixture"
    path = tmp_path / "slow-cdp.toml"
    path.write_text(text)
    running = start_lab(path)
    try:
        yield running
    finally:
        running.stop()


async def test_a_probe_cancelled_before_hearing_anything_keeps_the_cables_and_calls_nothing_dark(
    slow_cdp_lab: Any,
) -> None:
    before_hosts = read_networks(slow_cdp_lab)
    app = make_app(slow_cdp_lab)
    app.probe_timeout_s = 90.0
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_screen(pilot, "CablingScreen")
        before = app.screen.pairing.cables
        assert before and all(c.source == "name" for c in before), before  # guessed by name
        await pilot.press("p")
        await wait_screen(pilot, "ConfirmScreen")
        await pilot.press("y")
        await wait_for(pilot, lambda: "s left" in screen_text(app), 20)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not app.screen.probing, 30)
        text = screen_text(app)
        assert "Probe cancelled (" in text and "0 verified" in text, text
        assert "10 not heard;" in text, text
        assert "dark" not in text, text  # seconds of silence are no verdict on a NIC
        assert app.screen.pairing.cables == before  # the name guesses stay, to link on from
        assert text.count(" name ? ") == len(before), text  # and the panel draws them
    assert read_networks(slow_cdp_lab) == before_hosts


async def test_below_80x24_keys_take_no_step_blind(twin: Any) -> None:
    app = make_app(twin)
    async with app.run_test(size=(60, 20)) as pilot:
        await wait_screen(pilot, "CablingScreen")
        assert "needs at least 80x24" in screen_text(app)
        await pilot.press("n", "ctrl+n", "a", "y")  # what would go on to Preview and Apply, unseen
        await pilot.pause(0.3)
        assert type(app.screen).__name__ == "CablingScreen", type(app.screen).__name__
        await pilot.resize_terminal(80, 24)
        await pilot.pause(0.3)
        await pilot.press("n")  # enlarged: the keys work again
        await wait_screen(pilot, "AddressingScreen")
        await pilot.resize_terminal(60, 20)
        await pilot.pause(0.3)
        await pilot.press("ctrl+c")  # and quitting always works
        await wait_for(pilot, lambda: not app.is_running or app.return_code is not None, 10)


def footer(app: Any) -> str:
    return screen_text(app).splitlines()[-1]


async def test_status_offers_revert_only_while_a_run_is_open(twin: Any) -> None:
    from tests.tui.test_operations_twin import walk_to_apply

    app = make_app(twin)
    async with app.run_test(size=(80, 24)) as pilot:
        await walk_to_apply(pilot)
        app.open_status()
        await wait_screen(pilot, "StatusScreen")
        await wait_for(pilot, lambda: "v Revert" in footer(app))
        assert "v: revert the open run" in screen_text(app)
        await pilot.press("v")
        await wait_screen(pilot, "ConfirmScreen")
        await pilot.press("y")
        await wait_for(pilot, lambda: "Reverted" in screen_text(app), 60)
        await wait_for(pilot, lambda: "Revert" not in footer(app))  # nothing is left to revert
        assert "c Cabling" in footer(app) and "r Recovery" in footer(app), footer(app)
        await pilot.press("escape")  # Status was opened over Apply: esc goes back there
        await wait_screen(pilot, "ApplyScreen")
        app.open_status()  # opened afresh, it reads the journals: no open run
        await wait_screen(pilot, "StatusScreen")
        assert "No open run to revert." in screen_text(app) and "Revert" not in footer(app), screen_text(app)


async def test_the_preview_footer_names_where_t_and_e_lead(twin: Any) -> None:
    from tests.tui.twinapp import walk_to_preview

    app = make_app(twin)
    async with app.run_test(size=(80, 24)) as pilot:
        await walk_to_preview(pilot)
        assert "t Tree  e esxcli" in footer(app), footer(app)
        await pilot.press("t")
        await wait_for(pilot, lambda: "t Summary  e esxcli" in footer(app))
        assert "Tree view" in screen_text(app)
        await pilot.press("e")
        await wait_for(pilot, lambda: "t Tree  e Summary" in footer(app))
        assert "esxcli network vswitch standard add" in screen_text(app)
        await pilot.press("e")
        await wait_for(pilot, lambda: "t Tree  e esxcli" in footer(app))
        assert "Summary view" in screen_text(app)
