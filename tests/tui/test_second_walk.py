"""What a second admin walk at 80x24 found after the first walk's fixes, each held here."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.tui.test_operations_twin import apply_then_back_to_cabling, walk_to_apply
from tests.tui.twinapp import make_app, screen_text, wait_for, wait_screen

pytestmark = pytest.mark.usefixtures("twin")


async def test_ascii_mode_masks_the_password_with_stars(twin: Any) -> None:
    app = make_app(twin, ascii_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_screen(pilot, "CablingScreen")
        await pilot.press("escape")
        await wait_screen(pilot, "DiscoverScreen")
        await pilot.press("escape")
        await wait_screen(pilot, "ConnectScreen")
        text = screen_text(app)
        stars = "*" * len(twin.hosts[0].password)
        assert re.search(rf"Password +{re.escape(stars)} ", text), text
        assert text.isascii(), [line for line in text.splitlines() if not line.isascii()]


def footer_text(app: Any) -> str:
    return " ".join(screen_text(app).splitlines()[-1].split())


async def test_after_a_probe_the_detail_shows_both_neighbours_and_the_preview_no_mtu_doubt(twin: Any) -> None:
    app = make_app(twin)
    app.probe_timeout_s = 20.0  # the demo lab advertises CDP every 5 s
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_screen(pilot, "CablingScreen")
        await pilot.press("p")
        await wait_screen(pilot, "ConfirmScreen")
        await pilot.press("y")
        await wait_screen(pilot, "CablingScreen")
        await wait_for(pilot, lambda: "s left" in screen_text(app), 20)
        assert footer_text(app).startswith("esc Cancel probe"), footer_text(app)  # not Back: it cancels
        await wait_for(pilot, lambda: not app.screen.probing, 40)
        # the footer redraws on the next refresh after the probe ends: wait for it, the check is the same
        await wait_for(pilot, lambda: footer_text(app).startswith("esc Back "), 5)
        assert footer_text(app).startswith("esc Back "), footer_text(app)
        text = screen_text(app)
        assert "Probe: 4 cable(s) verified" in text, text
        detail = " ".join(str(app.screen.query_one("#detail").render()).split())
        for ref, heard in (("esx-a.lab.local/vmnic1", "esx-b"), ("esx-b.lab.local/vmnic1", "esx-a")):
            assert f"{ref}: 1G" in detail and f"CDP sees {heard}.lab.local/vmnic1" in detail, detail
        flat = " ".join(text.split())  # every line of the detail is on screen, none cut below its box
        assert "CDP sees esx-b.lab.local/vmnic1" in flat and "CDP sees esx-a.lab.local/vmnic1" in flat, text
        await pilot.press("n")
        await wait_screen(pilot, "AddressingScreen")
        await pilot.press("ctrl+n")
        await wait_screen(pilot, "PreviewScreen")
        text = screen_text(app)  # each NIC hears its own peer's temporary vSwitch, which the plan replaces
        assert "esx-a.lab.local: 12 change(s)" in text and "reporting an MTU" not in text, text
        app.open_status()
        await wait_screen(pilot, "StatusScreen")
        text = screen_text(app)  # the probe's vSwitches came and went: nothing of it is in effect
        assert re.search(r"probed +probe +0\b", text), text


async def test_recovery_reads_once_and_validate_and_status_show_the_hosts_after_it(twin: Any) -> None:
    app = make_app(twin)
    async with app.run_test(size=(80, 24)) as pilot:
        await walk_to_apply(pilot, shared=True)  # several NICs on one vSwitch: the reboot quirk bites
        assert app.screen.state == "applied", screen_text(app)
        await pilot.press("n")
        await wait_screen(pilot, "ValidateScreen")
        await wait_for(pilot, lambda: "pass both ways" in screen_text(app), 60)
        twin.reboot("esx-b.lab.local")
        await pilot.press("r")
        await wait_for(pilot, lambda: "rebooted since the apply" in screen_text(app), 90)
        await pilot.press("down")  # link 2 fails both ways: its explanation names the link once, above
        await pilot.pause(0.2)
        explained = " ".join(str(app.screen.query_one("#explanation").render()).split())
        assert explained.startswith("Link 2: esx-a.lab.local/vmnic2") and "no replies from" in explained
        assert "link 2:" not in explained, explained
        await pilot.press("ctrl+r")
        await wait_screen(pilot, "RecoveryScreen")
        await wait_for(pilot, lambda: "g: run recovery" in screen_text(app), 60)
        await pilot.press("g")
        await wait_screen(pilot, "ConfirmScreen")
        await pilot.press("y")
        await wait_screen(pilot, "RecoveryScreen")
        await wait_for(pilot, lambda: "toggled 4 portgroups" in screen_text(app), 90)
        text = screen_text(app)
        assert text.lower().count("rebooted since the apply") == 1, text  # the line at the top says it
        log = "\n".join(str(line.text) for line in app.screen.query_one("#step-log").lines)
        assert log.count("vmesh-vmotion-2: active uplink set to standby") == 1, log
        assert log.count("vmesh-vmotion-2: failover order restored") == 1, log
        assert "After: " in text and "no failing link reported" in text.split("After: ")[1], text
        await pilot.press("escape")
        await wait_screen(pilot, "ValidateScreen")  # what it showed was from before the recovery
        await wait_for(pilot, lambda: "All 4 link(s) pass both ways" in screen_text(app), 60)
        assert "FAIL" not in screen_text(app) and "^r Recovery" not in footer_text(app), screen_text(app)
        await pilot.press("n")
        await wait_screen(pilot, "StatusScreen")
        text = screen_text(app)  # 9 objects per host; the 8 toggle updates touched objects already counted
        assert re.search(r"applied \(open\) +4 +18\b", text), text


async def test_recovery_with_nothing_applied_offers_nothing_to_run(twin: Any) -> None:
    app = make_app(twin)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_screen(pilot, "CablingScreen")
        app.open_recovery()
        await wait_screen(pilot, "RecoveryScreen")
        await wait_for(pilot, lambda: "Nothing to recover" in screen_text(app), 60)
        text = screen_text(app)
        assert "no run of this tool is open on these hosts" in text, text
        assert "g Recover" not in footer_text(app) and "esc Back" in footer_text(app), footer_text(app)
        await pilot.press("g")
        await pilot.pause(0.3)
        assert type(app.screen).__name__ == "RecoveryScreen" and "failing: ?" not in screen_text(app)


async def test_an_unlinked_applied_link_is_removed_and_the_others_keep_their_numbers(twin: Any) -> None:
    # since 8f366f6 the plan keeps the numbers of applied links (before, links 2-4 became 1-3, re-created)
    app = make_app(twin)
    async with app.run_test(size=(80, 24)) as pilot:
        await apply_then_back_to_cabling(pilot)
        await pilot.press("u")  # unlink vmnic1's cable: link 1
        await pilot.press("n")
        await wait_screen(pilot, "AddressingScreen")
        in_use = " ".join(str(app.screen.query_one("#in-use").render()).split())  # its own: reused
        assert in_use == "In use on the hosts (avoided): 192.168.10.0/24 (vmk0@esx-a, vmk0@esx-b)", in_use
        await pilot.press("ctrl+n")
        await wait_screen(pilot, "PreviewScreen")
        text = screen_text(app)
        kept = ("  2 vmesh-2", "  3 vmesh-3")
        rows = [line.rstrip() for line in text.splitlines() if line.startswith(kept)]
        assert len(rows) == 4 and all(row.endswith("yes     as is") for row in rows), text
        assert text.count("remove vswitch vmesh-1 (no longer in the plan)") == 2, text
        assert "re-created" not in text and "vmnic1 -" not in text, text
        await pilot.press("t")
        await pilot.pause(0.2)
        text = screen_text(app)  # the tree marks link 1's objects for removal, nothing else
        assert "vSwitch vmesh-2 MTU 9000 uplinks vmnic2" in text and "re-created" not in text, text
        assert "remove vmk vmesh-vmotion-1" in text, text


async def test_a_re_linked_cable_reads_as_re_created_not_removed(twin: Any) -> None:
    app = make_app(twin)
    async with app.run_test(size=(80, 24)) as pilot:
        await apply_then_back_to_cabling(pilot)
        screen: Any = app.screen
        await pilot.press("u")  # unlink links 1 and 2 (vmnic1, vmnic2), then cable esx-a/vmnic1 to
        await pilot.pause(0.1)  # esx-b/vmnic2: a new cable takes the lowest free number, 1, and
        await pilot.press("u")  # links 3 and 4 keep theirs (an applied link is never renumbered)
        await pilot.pause(0.1)
        for ref in ("esx-a.lab.local/vmnic1", "esx-b.lab.local/vmnic2"):
            index = next(i for i, r in enumerate(screen.rows) if r.lone == ref)
            screen.query_one("#panel").highlighted = index
            await pilot.press("space")
            await pilot.pause(0.1)
        await pilot.press("n")
        await wait_screen(pilot, "AddressingScreen")
        in_use = " ".join(str(app.screen.query_one("#in-use").render()).split())  # its own: reused
        assert in_use == "In use on the hosts (avoided): 192.168.10.0/24 (vmk0@esx-a, vmk0@esx-b)", in_use
        await pilot.press("ctrl+n")
        await wait_screen(pilot, "PreviewScreen")
        text = screen_text(app)
        assert "removed and added again: uplinks vmnic1->vmnic2" in text, text
        rows = [line.rstrip() for line in text.splitlines()]
        recreated = [r.endswith("yes     re-created") for r in rows if r.startswith("  1 vmesh-1 vmnic2")]
        assert recreated == [True], text
        for row in ("  3 vmesh-3 vmnic5", "  4 vmesh-4 vmnic6"):  # on both hosts, untouched
            assert ["yes     as is" in r for r in rows if r.startswith(row)] == [True, True], text
        assert "remove vswitch vmesh-1" not in text and "vmesh-vmotion-1 (no longer" not in text, text
        await pilot.press("t")
        await pilot.pause(0.2)
        text = screen_text(app)  # the planned vSwitch is added again, not marked for removal
        assert "vSwitch vmesh-1 MTU 9000 uplinks vmnic2 [re-created: uplinks" in text, text
        assert "remove vswitch vmesh-1" not in text, text
        assert "remove vmk vmesh-vmotion-2" in text  # link 2 is gone for good


def test_networks_in_use_are_listed_in_address_order() -> None:
    from vmesh_tui.core.model import HostState, Vmk
    from vmesh_tui.tui.screens.addressing import in_use_line

    host = HostState(
        "esx-a.lab.local",
        vmks=(
            Vmk("vmk2", "NFS", "10.0.0.12", 30),
            Vmk("vmk1", "iSCSI", "10.0.0.4", 30),
            Vmk("vmk0", "Management Network", "192.168.10.11", 24),
        ),
    )
    assert in_use_line([host]) == (
        "In use on the hosts (avoided): 10.0.0.4/30 (vmk1@esx-a); 10.0.0.12/30 (vmk2@esx-a); "
        "192.168.10.0/24 (vmk0@esx-a)"
    )


async def test_help_lists_only_the_keys_that_work_here(twin: Any) -> None:
    app = make_app(twin, read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_screen(pilot, "CablingScreen")
        await pilot.press("question_mark")
        await wait_screen(pilot, "HelpScreen")
        text = screen_text(app)  # read-only: no probe (it changes the hosts), as the footer shows none
        assert "Help - Cabling" in text and "u                unlink" in text and "probe:" not in text, text
        await pilot.press("escape")
        await pilot.press("n")
        await wait_screen(pilot, "AddressingScreen")
        await pilot.press("ctrl+n")
        await wait_screen(pilot, "PreviewScreen")
        await pilot.press("question_mark")
        await wait_screen(pilot, "HelpScreen")
        text = screen_text(app)
        assert "Help - Preview" in text and "apply (asks first" not in text, text
    app = make_app(twin)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_screen(pilot, "CablingScreen")
        await pilot.press("question_mark")
        await wait_screen(pilot, "HelpScreen")
        assert "probe:" in screen_text(app)  # where it works, it is listed


async def test_cabling_footer_names_what_esc_does_while_filtering(twin: Any) -> None:
    app = make_app(twin)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_screen(pilot, "CablingScreen")
        assert footer_text(app).startswith("esc Back "), footer_text(app)
        await pilot.press("slash", *"tg3")
        await pilot.pause(0.2)
        assert footer_text(app).startswith("esc Clear filter"), footer_text(app)
        await pilot.press("escape")  # clears the filter and stays
        await pilot.pause(0.2)
        assert type(app.screen).__name__ == "CablingScreen" and "vmnic1 1G igb" in screen_text(app)
        assert footer_text(app).startswith("esc Back "), footer_text(app)
        await pilot.press("escape")
        await wait_screen(pilot, "DiscoverScreen")


async def test_after_linking_the_cursor_is_on_the_new_cable(twin: Any) -> None:
    app = make_app(twin)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_screen(pilot, "CablingScreen")
        await pilot.press("u")  # the first line: vmnic1 - vmnic1
        await pilot.pause(0.1)
        screen: Any = app.screen
        for ref in ("esx-a.lab.local/vmnic1", "esx-b.lab.local/vmnic1"):
            index = next(i for i, r in enumerate(screen.rows) if r.lone == ref)
            screen.query_one("#panel").highlighted = index
            await pilot.press("space")
            await pilot.pause(0.1)
        row = screen.current()
        assert row is not None and row.cable is not None, screen_text(app)
        assert set(row.cable.ends) == {"esx-a.lab.local/vmnic1", "esx-b.lab.local/vmnic1"}
        detail = str(screen.query_one("#detail").render())
        assert detail.startswith("esx-a.lab.local/vmnic1: 1G") and "esx-b.lab.local/vmnic1: 1G" in detail


async def test_the_addressing_table_fits_without_a_scrollbar(twin: Any) -> None:
    app = make_app(twin)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_screen(pilot, "CablingScreen")
        await pilot.press("n")
        await wait_screen(pilot, "AddressingScreen")
        table: Any = app.screen.query_one("#links")
        assert not table.show_horizontal_scrollbar  # it drew an empty bar and a stray corner mark
        text = screen_text(app)
        assert "esx-a.lab.local IP  esx-b.lab.local IP" in text and "172.16.90.14" in text, text
        assert "\u258f" not in "\n".join(text.splitlines()[:-1]), text
