"""Regressions for the TUI review findings: quitting, going back, cancelling late, wording at 80x24."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from textual.containers import VerticalScroll
from textual.widgets import RichLog, Static

from tests.tui.test_operations_twin import owned_vswitches, walk_to_apply
from tests.tui.twinapp import (
    confirm_apply,
    lab_with_faults,
    make_app,
    pin,
    screen_text,
    spec_for,
    wait_for,
    wait_screen,
    walk_to_preview,
)
from vmesh_tui.launch import make_connector
from vmesh_tui.tui.app import VmeshApp


async def test_ctrl_q_asks_first_while_hosts_change_and_palette_has_one_quit() -> None:
    app = VmeshApp(make_connector())
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_screen(pilot, "ConnectScreen")
        app.busy = True  # what ApplyScreen sets while it changes the hosts
        await pilot.press("ctrl+q")
        await wait_screen(pilot, "ConfirmScreen")
        assert "Hosts are being changed. Quit anyway?" in screen_text(app)
        await pilot.press("n")
        await wait_screen(pilot, "ConnectScreen")
        assert app.is_running and app.return_code is None
        app.busy = False
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: "Recovery" in screen_text(app))
        text = "\n".join(screen_text(app).splitlines()[:-1])  # the palette, without the footer
        assert text.count("Quit") == 1, text  # ours, which asks first; not Textual's beside it
        assert "leave vmesh-tui" in text
        await pilot.press("escape")
        await pilot.pause(0.1)
        await pilot.press("ctrl+q")  # not busy: quits at once
        await pilot.pause(0.2)
    assert app.return_code == 0


async def test_after_a_successful_apply_there_is_no_back_and_the_footer_says_so(twin: Any) -> None:
    app = make_app(twin)
    async with app.run_test(size=(80, 24)) as pilot:
        await walk_to_apply(pilot)
        assert app.screen.state == "applied", screen_text(app)
        footer = screen_text(app).splitlines()[-1]
        assert "Back" not in footer and "n Validate" in footer, footer  # the plan is spent: no way back
        await pilot.press("escape")
        await pilot.pause(0.3)
        assert type(app.screen).__name__ == "ApplyScreen"
        await pilot.press("n")
        await wait_screen(pilot, "ValidateScreen")
        assert app.draft.applied  # the wizard holds the applied draft, so its guard works from here on
        await wait_for(pilot, lambda: "pass both ways" in screen_text(app), 60)
        footer = screen_text(app).splitlines()[-1]
        assert "Back" not in footer and "c Cabling" in footer, footer
        await pilot.press("escape")  # from Validate: never back to Apply or a stale Preview
        await pilot.pause(0.5)
        assert type(app.screen).__name__ == "ValidateScreen", screen_text(app)
        assert "stale" not in screen_text(app)


async def test_esc_from_cabling_goes_back_and_keeps_the_edited_cables(twin: Any) -> None:
    app = make_app(twin)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_screen(pilot, "CablingScreen")
        await pilot.press("u")  # unlink the first proposed cable
        assert len(app.screen.pairing.cables) == 3
        await pilot.press("escape")
        await wait_screen(pilot, "DiscoverScreen")
        await pilot.pause(1.0)
        assert type(app.screen).__name__ == "DiscoverScreen", screen_text(app)  # waits, no bounce
        assert "esx-a.lab.local" in screen_text(app) and "enter: back to the cables" in screen_text(app)
        assert "In use on the hosts (avoided): 192.168.10.0/24 (vmk0@esx-a, vmk0@esx-b)" in screen_text(app)
        await pilot.press("enter")
        await wait_screen(pilot, "CablingScreen")
        assert len(app.screen.pairing.cables) == 3  # the manual edit survived the visit
        await pilot.press("escape")
        await wait_screen(pilot, "DiscoverScreen")
        await pilot.press("escape")
        await wait_screen(pilot, "ConnectScreen")


async def test_cancel_confirmed_after_the_apply_finished_says_too_late(tmp_path: Path) -> None:
    from vmesh_tui.sim.runner import start_lab

    faults = '[[fault]]\nhost = "esx-a.lab.local"\nmethod = "AddVirtualNic"\nkind = "delay"\ndelay_s = 2\n'
    lab = start_lab(lab_with_faults(tmp_path, faults))
    try:
        app = make_app(lab)
        async with app.run_test(size=(80, 24)) as pilot:
            await walk_to_preview(pilot)
            await confirm_apply(pilot)
            apply_screen: Any = app.screen
            await wait_for(pilot, lambda: "add vmk" in screen_text(app), 30)
            await pilot.press("c")
            await wait_screen(pilot, "ConfirmScreen")
            await wait_for(pilot, lambda: apply_screen.state == "applied", 60)  # finishes meanwhile
            await pilot.press("y")
            await wait_screen(pilot, "ApplyScreen")
            text = screen_text(app)
            assert "Too late to cancel: the apply finished. Revert it from Status." in text, text
            assert apply_screen.state == "applied"
        assert owned_vswitches(lab)["esx-a.lab.local"] == ["vmesh-1", "vmesh-2", "vmesh-3", "vmesh-4"]
    finally:
        lab.stop()


async def test_preview_groups_repeated_warnings_and_the_findings_scroll(twin: Any) -> None:
    app = make_app(twin)
    async with app.run_test(size=(80, 24)) as pilot:
        await walk_to_preview(pilot)
        text = screen_text(app)
        assert "4 cables are assumed from NIC names" in text, text
        assert text.count("assumed from NIC names") == 1
        findings = app.screen.query_one("#findings-scroll", VerticalScroll)
        many = "\n".join(f"warning: finding number {i}" for i in range(10))
        app.screen.query_one("#findings", Static).update(many)
        await pilot.pause(0.2)
        assert findings.size.height <= 6 and findings.max_scroll_y > 0  # capped, and it scrolls
        assert "finding number 9" not in screen_text(app)
        findings.focus()
        await pilot.press("end")
        await pilot.pause(0.2)
        assert "finding number 9" in screen_text(app)


async def test_recovery_says_per_link_has_nothing_to_toggle(twin: Any) -> None:
    app = make_app(twin)
    async with app.run_test(size=(80, 24)) as pilot:
        await walk_to_apply(pilot)  # per-link, the default
        assert app.screen.state == "applied", screen_text(app)
        twin.reboot("esx-b.lab.local")
        app.open_recovery()
        await wait_screen(pilot, "RecoveryScreen")
        await wait_for(pilot, lambda: "g: run recovery" in screen_text(app), 60)
        text = screen_text(app)
        assert "Rebooted since the apply: esx-b.lab.local" in text
        assert "one vSwitch per link, the cure for the reboot quirk" in text, text
        assert text.count("Rebooted since the apply") == 1, text  # said once, not again in the log
        for number, nic in enumerate(
            ("vmnic1", "vmnic2", "vmnic5", "vmnic6"), start=1
        ):  # numbered, once each
            assert text.count(f"link {number}: esx-a/{nic} - esx-b/{nic}: pass") == 1, text
        assert "no failing link" in text.split("Before:")[1].splitlines()[0]


async def test_final_status_esc_asks_before_quitting() -> None:
    app = VmeshApp(make_connector())
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_screen(pilot, "ConnectScreen")
        app.open_status(final=True)
        await wait_screen(pilot, "StatusScreen")
        assert "esc Quit" in screen_text(app).splitlines()[-1]  # labelled for what it does
        await pilot.press("escape")
        await wait_screen(pilot, "ConfirmScreen")
        assert "Leave vmesh-tui?" in screen_text(app)
        await pilot.press("n")
        await wait_screen(pilot, "StatusScreen")
        assert app.return_code is None
        await pilot.press("escape")
        await wait_screen(pilot, "ConfirmScreen")
        await pilot.press("y")
        await pilot.pause(0.2)
    assert app.return_code == 0


async def apply_and_revert_outside_the_tui(lab: Any) -> str:
    """A first run, applied and reverted through the engine itself: a closed run in the journals."""
    from vmesh_tui.core.pairing import propose_cables
    from vmesh_tui.tui.draft import Draft
    from vmesh_tui.tui.screens.preview import build

    pin(lab)
    engine = make_connector()(spec_for(lab), lab.hosts[0].password, lambda prompt: False)
    try:
        states = engine.client.read_all()
        hosts = tuple(states[name] for name in sorted(states))
        planned = build(Draft(hosts=hosts, pairing=propose_cables(hosts)))
        events = [event async for event in engine.apply(planned)]
        assert events[-1].result.ok, events[-1].result
        journal_id = engine.journal().id
        reverted = [event async for event in engine.revert()]
        assert reverted[-1].result.ok, reverted[-1].result
        return str(journal_id)
    finally:
        engine.client.close()


async def test_status_revert_names_the_run_it_reverts_and_explains_open(twin: Any) -> None:
    first = await apply_and_revert_outside_the_tui(twin)
    app = make_app(twin)
    async with app.run_test(size=(80, 24)) as pilot:
        await walk_to_apply(pilot)
        assert app.screen.state == "applied", screen_text(app)
        app.open_status()
        await wait_screen(pilot, "StatusScreen")
        screen: Any = app.screen
        second = screen.journals[0].id
        assert [j.id for j in screen.journals] == [second, first]
        text = screen_text(app)
        assert "applied (open): applied and still in effect; v reverts it" in text, text
        await pilot.press("down")  # highlight the older, reverted run
        await pilot.pause(0.1)
        assert "reverted: undone by a revert; closed, nothing left to undo" in screen_text(app)
        await pilot.press("v")
        await wait_screen(pilot, "ConfirmScreen")
        dialog: Any = app.screen
        assert dialog.question.startswith(f"Revert run {second} (esx-a, esx-b)"), dialog.question
        assert f"The highlighted run {first} is not that run" in dialog.detail, dialog.detail
        await pilot.press("n")
        await wait_screen(pilot, "StatusScreen")


async def test_apply_log_keeps_done_whole_and_status_reads_as_sentences(twin: Any) -> None:
    app = make_app(twin)
    async with app.run_test(size=(80, 24)) as pilot:
        await walk_to_apply(pilot)
        assert app.screen.state == "applied", screen_text(app)
        log = app.screen.query_one("#step-log", RichLog)
        room = log.scrollable_content_region.width  # the width left of the scrollbar
        log.write("[esx-z.lab.local] 7/12 " + "x" * (room - 50) + " vmk4 (172.16.90.13/30) done")
        await pilot.pause(0.2)
        tail = screen_text(app).split("esx-z.lab.local] 7/12 ", 1)[1].split("\n")
        assert re.match(r"x+ vmk4 \(172.16.90.13/30\)\s*$", tail[0]), tail[:2]  # the word wraps whole,
        assert tail[1].strip() == "done", tail[:2]  # never losing its last letter to the scrollbar
        text = screen_text(app)
        lines = [line.rstrip(" ▏▁▔█▇▆▅▄▃▂") for line in text.splitlines()]
        assert not [line for line in lines if re.search(r"\b(don|do)$", line)], text  # no cut "done"
        assert "Applied 24 steps. Press n to validate every link." in text, text


def test_recent_connections_read_as_user_at_host_port() -> None:
    from vmesh_tui.tui.draft import ConnectSpec
    from vmesh_tui.tui.screens.connect import recent_label

    spec = ConnectSpec(hosts=("https://root@127.0.0.1:4431/sdk", "esx-b.lab.local"), user="root")
    assert recent_label(spec) == "root@127.0.0.1:4431, root@esx-b.lab.local:443"
    vc = ConnectSpec(vcenter="https://vc.lab.local/sdk", cluster="gold", user="admin@vsphere.local")
    assert recent_label(vc) == "admin@vsphere.local@vc.lab.local:443 cluster gold"


async def test_recent_line_on_the_connect_screen(vmesh_home: Path) -> None:
    from vmesh_tui.engine import paths
    from vmesh_tui.tui.draft import ConnectSpec
    from vmesh_tui.tui.recent import RecentHosts

    spec = ConnectSpec(hosts=("https://root@127.0.0.1:4431/sdk", "https://root@127.0.0.1:4432/sdk"))
    RecentHosts(paths.config_dir() / "recent.json").remember(spec)
    app = VmeshApp(make_connector(), config_dir=paths.config_dir())
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_screen(pilot, "ConnectScreen")
        text = screen_text(app)
        assert "root@127.0.0.1:4431, root@127.0.0.1:4432" in text, text
        assert "root@ https://" not in text


def test_every_help_fits_the_dialog_with_aligned_continuations() -> None:
    from vmesh_tui.tui.screens import wizard_steps
    from vmesh_tui.tui.screens.recovery import RecoveryScreen
    from vmesh_tui.tui.screens.status import StatusScreen
    from vmesh_tui.tui.widgets.help import MAX_LINES, TEXT_WIDTH, help_lines

    for screen in [*wizard_steps(False), StatusScreen, RecoveryScreen]:
        lines = help_lines(list(screen.HELP_KEYS), screen.STEP or screen.__name__)
        assert len(lines) <= MAX_LINES == 20, (screen.__name__, len(lines))
        assert max(len(line) for line in lines) <= TEXT_WIDTH
        keys = [line for line in lines if line.startswith("  ")]
        indents = {len(line) - len(line.lstrip()) for line in keys if line[2:3] == " "}
        assert len(indents) <= 1, (screen.__name__, indents)  # continuations line up under the text


async def test_help_at_80x24_needs_no_scrolling() -> None:
    app = VmeshApp(make_connector())
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_screen(pilot, "ConnectScreen")
        await pilot.press("f1")
        await wait_screen(pilot, "HelpScreen")
        dialog = app.screen.query_one("#dialog", VerticalScroll)
        assert dialog.max_scroll_y == 0 and dialog.size.height <= 22
        text = screen_text(app)
        assert "esc closes" in text and "quit (asks first" in text and "--read-only" in text, text
