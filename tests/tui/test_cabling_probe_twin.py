"""The cable probe on the Cabling screen at 80x24, on twin labs over HTTPS: the confirmation, the progress
line, the patch panel afterwards, esc cancelling, and a three-host mesh applied and validated from it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from tests.engine.probehelp import CROSSED, MESH3, read_networks
from tests.tui.twinapp import confirm_apply, make_app, screen_text, wait_for, wait_screen


@pytest.fixture
def lab(request: pytest.FixtureRequest) -> Iterator[Any]:
    from vmesh_tui.sim.runner import start_lab

    running = start_lab(request.param)
    try:
        yield running
    finally:
        running.stop()


async def probe(pilot: Any, timeout: float = 30.0) -> str:
    """Press p, read the confirmation, say yes, wait for the probe to end; the confirmation's text."""
    await wait_screen(pilot, "CablingScreen")
    await pilot.press("p")
    await wait_screen(pilot, "ConfirmScreen")
    question = screen_text(pilot.app)
    await pilot.press("y")
    await wait_screen(pilot, "CablingScreen")
    await wait_for(pilot, lambda: not pilot.app.screen.probing, timeout)
    return question


@pytest.mark.parametrize("lab", [CROSSED], indirect=True)
async def test_probe_shows_verified_cables_switch_and_dark_nics(lab: Any) -> None:
    before = read_networks(lab)
    app = make_app(lab)
    app.probe_timeout_s = 4.0
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_screen(pilot, "CablingScreen")
        assert "cdp" not in screen_text(app)  # before: guesses by name only
        question = await probe(pilot)
        assert "Probe the cables with CDP (up to 4 s)?" in question
        assert "vmesh-probe on 2 host(s)" in question and "esx-a: vmnic1, vmnic2, vmnic4, vmnic5" in question
        assert "no portgroups or vmks" in question and "esc cancels" in question
        said = " ".join(" ".join(line.strip(" █▊▎").split()) for line in question.splitlines())  # unwrapped
        assert "a NIC cabled to a physical switch advertises CDP (host name, vmnic) to that switch" in said
        text = screen_text(app)
        lines = text.splitlines()
        assert any("vmnic2 1G" in line and "cdp" in line and "vmnic4 1G" in line for line in lines), text
        assert sum("cdp" in line for line in lines) == 3, text
        assert text.count("(on a switch)") == 2 and "(dark)" in text and "(far end in use)" in text, text
        assert "Probe: 3 cable(s) verified, 2 on a switch, 1 dark (4 s); hosts as before." in text
        assert max(len(line) for line in lines) <= 80
        # probing again takes the same NICs: the hosts will be read afresh, where free NICs hear nothing
        await pilot.press("p")
        await wait_screen(pilot, "ConfirmScreen")
        again = screen_text(app)
        assert "on 2 host(s)" in again and "esx-a: vmnic1, vmnic2, vmnic4, vmnic5" in again, again
        await pilot.press("n")
        await wait_for(pilot, lambda: "Not probed: nothing changed." in screen_text(app))
    assert read_networks(lab) == before


@pytest.mark.parametrize("lab", [CROSSED], indirect=True)
async def test_probe_first_removes_what_an_interrupted_probe_left(lab: Any) -> None:
    before = read_networks(lab)
    hosts = [a for h in lab.hosts for a in ("--host", h.url.replace("https://", f"https://{h.user}@"))]
    env = dict(os.environ, VMESH_PASSWORD=lab.hosts[0].password, VMESH_TEST_CRASH_AFTER="2")
    argv = [sys.executable, "-m", "vmesh_tui", "discover", "--probe", *hosts, "--accept-new-certs"]
    killed = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
    assert killed.returncode == -signal.SIGKILL, killed.stderr  # both hosts have vmesh-probe now
    app = make_app(lab)
    app.probe_timeout_s = 4.0
    async with app.run_test(size=(80, 24)) as pilot:
        question = await probe(pilot)
        said = " ".join(" ".join(line.strip(" █").split()) for line in question.splitlines())  # unwrapped
        assert "First removes the vmesh-probe an interrupted probe left on esx-a, esx-b." in said, question
        assert "esx-a: vmnic1, vmnic2, vmnic4, vmnic5; esx-b: vmnic1, vmnic2, vmnic3" in said, question
        assert "Probe: 3 cable(s) verified, 2 on a switch, 1 dark" in screen_text(app)
    assert read_networks(lab) == before


@pytest.mark.parametrize("lab", [CROSSED], indirect=True)
async def test_esc_cancels_the_probe_and_cleans_up(lab: Any) -> None:
    before = read_networks(lab)
    app = make_app(lab)
    app.probe_timeout_s = 60.0
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_screen(pilot, "CablingScreen")
        await pilot.press("p")
        await wait_screen(pilot, "ConfirmScreen")
        await pilot.press("y")
        await wait_for(pilot, lambda: "s left" in screen_text(app), 20)
        line = next(x for x in screen_text(app).splitlines() if "s left" in x)
        assert "esc cancels and removes its vSwitches" in screen_text(app)
        assert line.strip().startswith("probe ") and "NICs found  esc cancels" in line
        footer = screen_text(app).splitlines()[-1]  # while it runs: esc cancels, nothing else is offered
        assert "esc Cancel" in footer and not any(k in footer for k in ("Back", "Next", "Probe", "Link")), (
            footer
        )
        await pilot.press("n", "p")  # no way on, and no second probe, while it runs
        assert app.screen.probing and type(app.screen).__name__ == "CablingScreen"
        await pilot.press("escape")
        await wait_for(pilot, lambda: not app.screen.probing, 20)
        assert type(app.screen).__name__ == "CablingScreen"  # esc cancelled; it did not go back
        assert "Probe cancelled (" in screen_text(app)
        await wait_for(pilot, lambda: "esc Back" in screen_text(app).splitlines()[-1])
        footer = screen_text(app).splitlines()[-1]
        assert all(k in footer for k in ("n Next", "p Probe")) and "Cancel" not in footer, footer
    assert read_networks(lab) == before


@pytest.mark.parametrize("lab", [MESH3], indirect=True)
async def test_mesh_found_by_the_probe_applies_and_validates(lab: Any) -> None:
    app = make_app(lab)
    app.probe_timeout_s = 10.0
    async with app.run_test(size=(80, 24)) as pilot:
        await probe(pilot)
        screen: Any = app.screen
        assert len(screen.pairing.cables) == 6 and all(c.verified for c in screen.pairing.cables)
        assert "Probe: 6 cable(s) verified, 0 on a switch, 0 dark" in screen_text(app)
        await pilot.press("n")
        await wait_screen(pilot, "AddressingScreen")
        await pilot.press("ctrl+n")
        await wait_screen(pilot, "PreviewScreen")
        await confirm_apply(pilot)
        await wait_for(pilot, lambda: app.screen.state in ("applied", "rolled back", "failed"), timeout=60)
        assert app.screen.state == "applied", screen_text(app)
        await pilot.press("n")
        await wait_screen(pilot, "ValidateScreen")
        await wait_for(pilot, lambda: "pass both ways" in screen_text(app) or "fail" in screen_text(app), 60)
        assert "All 6 link(s) pass both ways" in screen_text(app)
        # c re-reads the hosts: the six cables are the tool's own now, and re-planning them changes nothing
        await pilot.press("c")
        await wait_screen(pilot, "CablingScreen", 30)
        text = screen_text(app)
        cables = app.screen.pairing.cables
        assert len(cables) == 6 and {(c.source, c.verified) for c in cables} == {("applied", False)}
        assert "6 cable(s), 6 in use by vmesh-tui, 6 unverified. n: next" in text, text
        assert text.count(" applied ? ") == 6 and "(free)" not in text, text
        await pilot.press("p")
        await wait_for(pilot, lambda: "Nothing to probe" in screen_text(app))
        assert "Nothing to probe: no host has a free NIC with link; 6 in use by vmesh-tui." in screen_text(
            app
        )
        await pilot.press("n")
        await wait_screen(pilot, "AddressingScreen")
        await pilot.press("ctrl+n")
        await wait_screen(pilot, "PreviewScreen")
        await wait_for(pilot, lambda: "Nothing to change: the hosts already match" in screen_text(app), 30)


@pytest.mark.parametrize("lab", [CROSSED], indirect=True)
async def test_quitting_during_the_probe_stops_it_and_cleans_up_first(lab: Any) -> None:
    before = read_networks(lab)
    app = make_app(lab)
    app.probe_timeout_s = 60.0
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_screen(pilot, "CablingScreen")
        await pilot.press("p")
        await wait_screen(pilot, "ConfirmScreen")
        await pilot.press("y")
        await wait_for(pilot, lambda: "s left" in screen_text(app), 20)
        await pilot.press("ctrl+c")
        await wait_screen(pilot, "ConfirmScreen")
        assert "The cable probe is running. Stop it and quit?" in screen_text(app)
        await pilot.press("y")
        await wait_for(pilot, lambda: not app.is_running, 30)
    assert read_networks(lab) == before


@pytest.mark.parametrize("lab", [CROSSED], indirect=True)
async def test_status_closes_an_interrupted_probe_nothing_is_left_of_and_says_so(lab: Any) -> None:
    hosts = [a for h in lab.hosts for a in ("--host", h.url.replace("https://", f"https://{h.user}@"))]
    env = dict(os.environ, VMESH_PASSWORD=lab.hosts[0].password, VMESH_TEST_CRASH_AFTER="mid:4")
    argv = [sys.executable, "-m", "vmesh_tui", "discover", "--probe", "--probe-timeout", "4", *hosts]
    argv.append("--accept-new-certs")
    killed = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
    assert killed.returncode == -signal.SIGKILL, killed.stderr  # its vSwitches are removed already
    app = make_app(lab)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_screen(pilot, "CablingScreen")
        app.open_status()
        await wait_screen(pilot, "StatusScreen")
        await wait_for(
            pilot, lambda: "was closed by the Status screen" in " ".join(screen_text(app).split()), 30
        )
        text = screen_text(app)
        assert "probed" in text and "(open)" not in text, text
        assert "a fresh read showed nothing of it" in " ".join(text.split()), text
