"""The wizard on the ESXi twin over HTTPS at 80x24: what each screen shows and what the hosts end up with."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import OptionList

from tests.tui.twinapp import confirm_apply, make_app, read_hosts, screen_text, wait_for, wait_screen

pytestmark = pytest.mark.usefixtures("twin")


async def to_cabling(pilot: Any) -> None:
    await wait_screen(pilot, "CablingScreen")


async def to_preview(pilot: Any) -> None:
    await to_cabling(pilot)
    await pilot.press("n")
    await wait_screen(pilot, "AddressingScreen")
    await pilot.press("ctrl+n")
    await wait_screen(pilot, "PreviewScreen")


async def test_walk_applies_and_validates(twin: Any) -> None:
    app = make_app(twin)
    async with app.run_test(size=(80, 24)) as pilot:
        await to_cabling(pilot)
        text = screen_text(app)
        assert "esx-a.lab.local" in text and "esx-b.lab.local" in text
        assert text.count("name ?") == 4  # vmnic1/2/5/6 paired by name, unverified
        assert text.count("(uplink of vSwitch0)") == 4, text  # management NICs greyed with a reason
        await pilot.press("n")
        await wait_screen(pilot, "AddressingScreen")
        text = screen_text(app)
        assert "172.16.90.1 " in text and "172.16.90.14" in text
        await pilot.press("ctrl+n")
        await wait_screen(pilot, "PreviewScreen")
        assert "1 vmesh-1 vmnic1 -      new 172.16.90.1/30  9000 yes     new" in screen_text(app)
        await pilot.press("t")
        text = screen_text(app)
        assert "vSwitch vmesh-1 MTU 9000 uplinks vmnic1 [new]" in text
        assert "172.16.90.1/30 MTU 9000 vMotion [new]" in text
        await pilot.press("e")
        assert "esxcli network vswitch standard add -v vmesh-1" in screen_text(app)
        await pilot.press("a")
        await wait_screen(pilot, "ConfirmScreen")
        await pilot.press("n")  # declined: nothing changes
        await wait_screen(pilot, "PreviewScreen")
        assert not any(v.startswith("vmesh-") for h in read_hosts(twin).values() for v in h["vswitches"])
        await confirm_apply(pilot)
        await wait_for(pilot, lambda: app.screen.state in ("applied", "rolled back", "failed"), timeout=60)
        assert app.screen.state == "applied", screen_text(app)
        assert "12/12" in screen_text(app)
        for host in read_hosts(twin).values():
            owned = {n: v for n, v in host["vswitches"].items() if n.startswith("vmesh-")}
            assert sorted(owned) == ["vmesh-1", "vmesh-2", "vmesh-3", "vmesh-4"]
            assert {v["mtu"] for v in owned.values()} == {9000}
            vmotion = [k for k in host["vmks"].values() if k["vmotion"]]
            assert len(vmotion) == 4
            assert {k["mask"] for k in vmotion} == {"255.255.255.252"} and {k["mtu"] for k in vmotion} == {
                9000
            }
        await pilot.press("n")
        await wait_screen(pilot, "ValidateScreen")
        await wait_for(pilot, lambda: "pass both ways" in screen_text(app) or "fail" in screen_text(app), 60)
        text = screen_text(app)
        assert "All 4 link(s) pass both ways" in text
        assert text.count("OK") >= 8 and "FAIL" not in text
        await pilot.press("n")  # finish: what was applied where, from the journal
        await wait_screen(pilot, "StatusScreen")
        assert "esx-a, esx-b" in screen_text(app) and "applied" in screen_text(app)
        await pilot.press("escape")  # the last screen: leaving ends the app, so it asks first
        await wait_screen(pilot, "ConfirmScreen")
        await pilot.press("y")
        await pilot.pause(0.2)
    assert app.return_code == 0


async def test_cabling_keys_unlink_and_link(twin: Any) -> None:
    app = make_app(twin)
    async with app.run_test(size=(80, 24)) as pilot:
        await to_cabling(pilot)
        screen: Any = app.screen
        await pilot.press("u")  # first line: the vmnic1 cable
        assert len(screen.pairing.cables) == 3
        assert "unlinked" in screen_text(app)

        async def highlight(ref: str) -> None:
            index = next(i for i, row in enumerate(screen.rows) if row.lone == ref)
            await pilot.press("home", *(["down"] * index))
            assert screen.query_one("#panel", OptionList).highlighted == index

        await highlight("esx-a.lab.local/vmnic1")
        await pilot.press("space")
        assert screen.marked == "esx-a.lab.local/vmnic1"
        await highlight("esx-b.lab.local/vmnic1")
        await pilot.press("space")
        cables = {(c.a, c.b, c.source) for c in screen.pairing.cables}
        assert ("esx-a.lab.local/vmnic1", "esx-b.lab.local/vmnic1", "manual") in cables
        assert len(cables) == 4
        await highlight("esx-a.lab.local/vmnic0")  # management uplink: the core refuses, said inline
        await pilot.press("space")
        await highlight("esx-b.lab.local/vmnic0")
        await pilot.press("space")
        assert "vSwitch0" in screen_text(app) and len(screen.pairing.cables) == 4


async def test_addressing_errors_inline_as_typed(twin: Any) -> None:
    app = make_app(twin)
    async with app.run_test(size=(80, 24)) as pilot:
        await to_cabling(pilot)
        await pilot.press("n")
        await wait_screen(pilot, "AddressingScreen")
        await pilot.press("ctrl+u", *"10.9.9.0/29")
        text = screen_text(app)
        assert "holds 2 /30 links but 4 are needed" in text
        await pilot.press("ctrl+n")
        assert type(app.screen).__name__ == "AddressingScreen"  # no way forward with an error
        await pilot.press("ctrl+u", *"192.168.10.0/24")
        assert "overlaps" in screen_text(app)  # vmk0's management network
        await pilot.press("ctrl+u", *"10.9.9.0/24", "tab", "space")  # prefix -> /31
        text = screen_text(app)
        assert "/31" in text and "not confirmed" in text
        assert "10.9.9.0" in text and "10.9.9.1 " in text


async def test_read_only_never_offers_apply(twin: Any) -> None:
    app = make_app(twin, read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await to_preview(pilot)
        text = screen_text(app)
        assert "READ-ONLY" in text and "Apply" not in text.splitlines()[-1]
        await pilot.press("a")
        assert type(app.screen).__name__ == "PreviewScreen"
        await pilot.press("n")  # read-only stops at Preview: nothing was applied, so nothing to validate
        await pilot.pause(0.2)
        assert type(app.screen).__name__ == "PreviewScreen"
        assert "Read-only: nothing was applied, so there is nothing to validate" in screen_text(app)
    assert not any(v.startswith("vmesh-") for h in read_hosts(twin).values() for v in h["vswitches"])


async def test_cabling_filter_narrows_and_esc_clears(twin: Any) -> None:
    app = make_app(twin)
    async with app.run_test(size=(80, 24)) as pilot:
        await to_cabling(pilot)
        screen: Any = app.screen
        everything = len(screen.rows)
        await pilot.press("slash", *"vmnic5")
        only = [("esx-a.lab.local/vmnic5", "esx-b.lab.local/vmnic5")]
        assert [(r.left, r.right) for r in screen.rows] == only
        await pilot.press("enter", "u")  # keys work on the filtered list
        assert len(screen.pairing.cables) == 3
        await pilot.press("escape")
        assert len(screen.rows) == everything + 1  # the unlinked cable is now two lone NICs
        assert type(app.screen).__name__ == "CablingScreen"
