"""No dead ends at 80x24: back into the wizard from Validate and Status, the re-read offered after a refused
stale apply, Validate pointing to recovery after a reboot, read-only honest, esc labelled for what it does."""

from __future__ import annotations

import contextlib
import ssl
from typing import Any

import pytest
from pyVim.connect import Disconnect, SmartConnect
from pyVmomi import vim

from tests.tui.test_operations_twin import walk_to_apply
from tests.tui.twinapp import confirm_apply, make_app, screen_text, wait_for, wait_screen, walk_to_preview

pytestmark = pytest.mark.usefixtures("twin")


def footer(app: Any) -> str:
    return screen_text(app).splitlines()[-1]


def add_vswitch_behind_the_tools_back(lab: Any, host_name: str, name: str) -> None:
    """Plain pyVmomi, not the tool's adapter: another admin adds a vSwitch while the plan is open."""
    host = next(h for h in lab.hosts if h.name == host_name)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    port = int(host.url.rsplit(":", 1)[1].split("/")[0])
    si = SmartConnect(host="127.0.0.1", port=port, user=host.user, pwd=host.password, sslContext=context)
    try:
        system = si.content.rootFolder.childEntity[0].hostFolder.childEntity[0].host[0]
        system.configManager.networkSystem.AddVirtualSwitch(
            name, vim.host.VirtualSwitch.Specification(numPorts=64)
        )
    finally:
        with contextlib.suppress(Exception):
            Disconnect(si)


async def test_validate_and_final_status_lead_back_to_cabling_with_the_hosts_read_again(twin: Any) -> None:
    app = make_app(twin)
    async with app.run_test(size=(80, 24)) as pilot:
        await walk_to_apply(pilot)
        assert app.screen.state == "applied", screen_text(app)
        await pilot.press("n")
        await wait_screen(pilot, "ValidateScreen")
        await wait_for(pilot, lambda: "pass both ways" in screen_text(app), 60)
        assert "c Cabling" in footer(app) and "Back" not in footer(app), footer(app)
        await pilot.press("c")  # a recabling: read the hosts again
        await wait_screen(pilot, "CablingScreen")
        assert any(v.name == "vmesh-1" for h in app.draft.hosts for v in h.vswitches)  # read after the apply
        assert "uplink of vmesh-1" in screen_text(app)
        assert not app.draft.applied and app.draft.plan is None
        await pilot.press("n")
        await wait_screen(pilot, "AddressingScreen")
        await pilot.press("ctrl+n")
        await wait_screen(pilot, "PreviewScreen")
        assert screen_text(app).count(" as is") == 8, screen_text(app)  # what the hosts now have
        assert "Nothing to change: the hosts already match" in screen_text(app)
        bar = footer(app)  # nothing to apply: the footer offers n (validate), not a (apply)
        assert "n Validate" in bar and "Apply" not in bar, bar
        await pilot.press("n")
        await wait_screen(pilot, "ApplyScreen")
        await wait_for(pilot, lambda: "Press n to validate" in screen_text(app), 30)
        await pilot.press("n")
        await wait_screen(pilot, "ValidateScreen")
        await wait_for(pilot, lambda: "pass both ways" in screen_text(app), 60)
        await pilot.press("n")  # the last screen: status, whose esc quits and whose c reads again
        await wait_screen(pilot, "StatusScreen")
        bar = footer(app)
        assert "esc Quit" in bar and "c Cabling" in bar and "q Quit" not in bar, bar
        await pilot.press("c")
        await wait_screen(pilot, "CablingScreen")
        assert app.is_running and app.return_code is None


async def test_status_from_the_palette_leads_back_to_cabling(twin: Any) -> None:
    app = make_app(twin)
    async with app.run_test(size=(80, 24)) as pilot:
        await walk_to_preview(pilot)
        app.open_status()
        await wait_screen(pilot, "StatusScreen")
        assert "esc Back" in footer(app) and "c Cabling" in footer(app), footer(app)
        await pilot.press("c")
        await wait_screen(pilot, "CablingScreen")
        await pilot.press("escape")  # the wizard goes on from there as before
        await wait_screen(pilot, "DiscoverScreen")


async def test_a_refused_stale_apply_offers_the_reread_and_it_shows_the_change(twin: Any) -> None:
    app = make_app(twin)
    async with app.run_test(size=(80, 24)) as pilot:
        await walk_to_preview(pilot)
        add_vswitch_behind_the_tools_back(twin, "esx-a.lab.local", "vmesh-1")
        await confirm_apply(pilot)
        await wait_for(pilot, lambda: app.screen.state == "refused", 60)
        text = screen_text(app)
        status = str(app.screen.query_one("#status").render())
        assert "Not applied. The hosts changed since the plan was made" in status, text
        assert status.endswith("r: re-read them.") and text.count("not applied: nothing was changed") == 2, (
            text
        )
        assert "r Re-read hosts" in footer(app) and "esc Back" in footer(app), footer(app)
        await pilot.press("r")
        await wait_screen(pilot, "CablingScreen")
        esx_a = app.draft.host_map()["esx-a.lab.local"]
        assert esx_a.vswitch("vmesh-1") is not None  # the plan is made from the hosts as they are now
        await pilot.press("n")
        await wait_screen(pilot, "AddressingScreen")
        await pilot.press("ctrl+n")
        await wait_screen(pilot, "PreviewScreen")
        # the plan removes that vmesh-1 and adds it again (its esxcli says so): the summary says re-created
        assert "re-created" in screen_text(app) and "MTU 1500->9000, uplinks none->vmnic1" in screen_text(app)


async def test_validate_points_to_recovery_when_a_host_rebooted_since_the_apply(twin: Any) -> None:
    app = make_app(twin)
    async with app.run_test(size=(80, 24)) as pilot:
        await walk_to_apply(pilot, shared=True)  # several NICs on one vSwitch: the reboot quirk bites
        assert app.screen.state == "applied", screen_text(app)
        await pilot.press("n")
        await wait_screen(pilot, "ValidateScreen")
        await wait_for(pilot, lambda: "pass both ways" in screen_text(app), 60)
        assert "Recovery" not in footer(app)
        twin.reboot("esx-b.lab.local")
        await pilot.press("r")
        await wait_for(pilot, lambda: "rebooted since the apply" in screen_text(app), 90)
        text = screen_text(app)
        assert "esx-b.lab.local rebooted since the apply" in text and "ctrl+r: recovery" in text, text
        assert "^r Recovery" in footer(app), footer(app)

        def explained() -> str:
            return str(app.screen.query_one("#explanation").render())

        assert "Recovery (ctrl+r) does that" not in explained()  # link 1 passes: no reboot note there
        await pilot.press("down")
        await pilot.pause(0.2)  # link 2 fails through esx-b: the reboot and its cure come first
        assert explained().splitlines()[1].startswith("esx-b.lab.local rebooted since the apply"), explained()
        assert "Recovery (ctrl+r) does that" in " ".join(screen_text(app).split()), screen_text(app)  # shown
        await pilot.press("ctrl+r")
        await wait_screen(pilot, "RecoveryScreen")


async def test_read_only_offers_neither_revert_nor_recovery(twin: Any) -> None:
    app = make_app(twin, read_only=True, demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_screen(pilot, "CablingScreen")
        await wait_for(pilot, lambda: "Link" in footer(app))  # drawn (under load a frame may lag)
        assert "Probe" not in footer(app) and "Link" in footer(app), footer(app)  # the probe changes hosts
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: "Recovery" in screen_text(app))
        assert "Demo: reboot a host" not in screen_text(app)  # not even a simulated host is changed
        await pilot.press("escape")
        await walk_to_preview(pilot)
        app.open_status()
        await wait_screen(pilot, "StatusScreen")
        await wait_for(pilot, lambda: "c Cabling" in footer(app))
        bar = footer(app)
        assert "Revert" not in bar and "Recovery" not in bar and "c Cabling" in bar, bar
        await pilot.press("escape")
        await wait_screen(pilot, "PreviewScreen")
        app.open_recovery()
        await wait_screen(pilot, "RecoveryScreen")
        await wait_for(pilot, lambda: "esc Back" in footer(app))
        assert "Recover" not in footer(app) and "esc Back" in footer(app), footer(app)


async def test_esc_is_labelled_for_what_it_does_on_every_step(twin: Any) -> None:
    app = make_app(twin, auto=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_screen(pilot, "ConnectScreen")
        assert "esc Quit" in footer(app), footer(app)  # the first step: esc leaves
        await pilot.press("enter")
        await wait_screen(pilot, "CablingScreen")
        assert "esc Back" in footer(app)
        await pilot.press("n")
        await wait_screen(pilot, "AddressingScreen")
        assert "esc Back" in footer(app)
        await pilot.press("ctrl+n")
        await wait_screen(pilot, "PreviewScreen")
        assert "esc Back" in footer(app)
        await confirm_apply(pilot)
        assert "esc" not in footer(app)  # while hosts change there is no way back, and none is shown
        await wait_for(pilot, lambda: app.screen.state == "applied", 60)
        assert "esc" not in footer(app) and "n Validate" in footer(app)
        await pilot.press("escape")
        await pilot.pause(0.2)
        assert type(app.screen).__name__ == "ApplyScreen"  # esc does nothing where none is shown
    assert app.return_code is None


async def test_below_80x24_the_app_says_so_and_recovers_when_enlarged(twin: Any) -> None:
    app = make_app(twin)
    async with app.run_test(size=(60, 20)) as pilot:
        await wait_screen(pilot, "CablingScreen")
        text = screen_text(app)
        assert "This terminal is 60x20; vmesh-tui needs at least 80x24" in text, text
        assert "vmnic1 1G igb" not in text  # no half-drawn patch panel
        await pilot.resize_terminal(80, 24)
        await pilot.pause(0.3)
        text = screen_text(app)
        assert "needs at least" not in text and text.count("vmnic1 1G igb") == 2, text
