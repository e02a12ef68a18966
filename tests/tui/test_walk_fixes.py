"""What an admin met walking the TUI at 80x24, each fixed and held here: enter on a choice, a stale warning,
the status detail, help titles, host names kept lower case, the demo's folder and quit dialog, the connect
form's focus and recent list, the cabling filter, the networks already in use."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input

from tests.tui.test_operations_twin import walk_to_apply
from tests.tui.twinapp import make_app, screen_text, spec_for, wait_for, wait_screen
from vmesh_tui.tui.app import VmeshApp
from vmesh_tui.tui.backend import sentence
from vmesh_tui.tui.draft import Draft
from vmesh_tui.tui.widgets.choice import Choice


def status_line(app: Any) -> str:
    return str(app.screen.query_one("#status").render())


@pytest.mark.usefixtures("twin")
async def test_enter_on_a_choice_goes_to_the_preview_and_keeps_the_value(twin: Any) -> None:
    app = make_app(twin)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_screen(pilot, "CablingScreen")
        await pilot.press("n")
        await wait_screen(pilot, "AddressingScreen")
        speed = app.screen.query_one("#speed", Choice)
        speed.focus()
        await pilot.press("enter")  # the status line says "enter: preview", and so it is
        await wait_screen(pilot, "PreviewScreen")
        assert app.draft.speed_mb is None  # auto-negotiate, as it was: enter changed nothing


@pytest.mark.usefixtures("twin")
async def test_a_warning_goes_when_the_supernet_it_was_about_goes(twin: Any) -> None:
    app = make_app(twin)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_screen(pilot, "CablingScreen")
        await pilot.press("n")
        await wait_screen(pilot, "AddressingScreen")
        assert "In use on the hosts (avoided): 192.168.10.0/24 (vmk0@esx-a, vmk0@esx-b)" in screen_text(app)
        supernet = app.screen.query_one("#supernet", Input)
        assert app.focused is supernet
        await pilot.press("1")  # a key typed on arrival adds to the supernet, never replaces it whole
        assert supernet.value == "172.16.90.0/241", supernet.value
        await pilot.press("ctrl+u", *"8.8.8.0/24")
        assert "8.8.8.0/24 is outside the private ranges" in screen_text(app)
        await pilot.press("backspace", "backspace", "backspace")  # 8.8.8.0: not a network any more
        text = screen_text(app)
        assert "outside the private ranges" not in text and "8.8.8.0" in status_line(app), text
        await pilot.press("ctrl+u")  # empty
        assert "outside the private ranges" not in screen_text(app)


@pytest.mark.usefixtures("twin")
async def test_status_detail_shows_every_link_and_help_names_the_screen(twin: Any) -> None:
    app = make_app(twin)
    async with app.run_test(size=(80, 24)) as pilot:
        await walk_to_apply(pilot)
        assert app.screen.state == "applied", screen_text(app)
        app.open_status()
        await wait_screen(pilot, "StatusScreen")
        text = screen_text(app)
        for number, a_ip in ((1, "172.16.90.1"), (2, "172.16.90.5"), (3, "172.16.90.9"), (4, "172.16.90.13")):
            assert f"link {number}: esx-a/vmnic{(1, 2, 5, 6)[number - 1]} {a_ip} <->" in text, text
        await pilot.press("question_mark")
        await wait_screen(pilot, "HelpScreen")
        assert "Help - Status " in screen_text(app) and "StatusScreen" not in screen_text(app)
        await pilot.press("escape")
        app.open_recovery()
        await wait_screen(pilot, "RecoveryScreen")
        await pilot.press("question_mark")
        await wait_screen(pilot, "HelpScreen")
        assert "Help - Recovery " in screen_text(app) and "RecoveryScreen" not in screen_text(app)


def test_sentences_keep_host_and_device_names_as_they_are() -> None:
    assert sentence("esx-a.lab.local: add vmk on vmesh-vmotion-3 failed") == (
        "esx-a.lab.local: add vmk on vmesh-vmotion-3 failed."
    )
    assert sentence("vmk1 is gone") == "vmk1 is gone."
    assert sentence("applied 24 steps") == "Applied 24 steps."
    assert sentence("rolled back: nothing changed.") == "Rolled back: nothing changed."


def test_the_demo_leaves_no_folder_behind(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import tempfile

    from vmesh_tui import launch

    monkeypatch.delenv("VMESH_HOME", raising=False)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where mkdtemp makes the demo's folder
    seen: list[Path] = []

    def fake_app(args: Any) -> int:
        home = Path(os.environ["VMESH_HOME"])
        (home / "journals").mkdir(parents=True)
        (home / "journals" / "run.json").write_text("{}")  # what a demo run leaves
        seen.append(home)
        return 0

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    killed, alive, unknown = (tmp_path / f"vmesh-demo-{n}" for n in ("killed", "alive", "unknown"))
    for folder, pid in ((killed, gone.pid), (alive, os.getpid()), (unknown, None)):
        folder.mkdir()
        if pid is not None:
            (folder / "demo.pid").write_text(str(pid))
    monkeypatch.setattr(launch, "_run_demo_app", fake_app)
    assert launch.run_demo(launch.argparse.Namespace()) == 0
    assert seen and seen[0].parent == tmp_path and not seen[0].exists()
    assert sorted(tmp_path.iterdir()) == [alive, unknown]  # a killed demo's folder goes at the next start
    assert "VMESH_HOME" not in os.environ


async def test_the_demos_quit_dialog_says_its_runs_end_with_it() -> None:
    from vmesh_tui.launch import make_connector

    app = VmeshApp(make_connector(), demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_screen(pilot, "ConnectScreen")
        app.open_status(final=True)
        await wait_screen(pilot, "StatusScreen")
        await pilot.press("escape")
        await wait_screen(pilot, "ConfirmScreen")
        text = screen_text(app)
        assert "This is the demo" in text and "stay recorded" not in text, text


@pytest.mark.usefixtures("twin")
async def test_connect_starts_where_typing_is_needed_and_keeps_what_is_there(twin: Any) -> None:
    from vmesh_tui.engine import paths
    from vmesh_tui.launch import make_connector
    from vmesh_tui.tui.recent import RecentHosts

    RecentHosts(paths.config_dir() / "recent.json").remember(spec_for(twin))
    app = VmeshApp(make_connector(), Draft(connect=spec_for(twin)), config_dir=paths.config_dir())
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_screen(pilot, "ConnectScreen")
        assert app.focused is not None and app.focused.id == "password"  # the hosts came with --host
        host_a = app.screen.query_one("#host-a", Input)
        before = host_a.value
        host_a.focus()
        await pilot.press("x")  # focusing does not select the text: a key adds, never wipes
        assert host_a.value.startswith(before.rstrip()) and host_a.value != "x", host_a.value
        host_a.value = ""
        await pilot.press("ctrl+l", "enter")  # enter on the recent list takes the newest at once
        await pilot.pause(0.1)
        assert host_a.value == before and app.focused is not None and app.focused.id == "password"


@pytest.mark.usefixtures("twin")
async def test_cabling_filter_matches_what_is_drawn_and_says_when_nothing_does(twin: Any) -> None:
    app = make_app(twin)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_screen(pilot, "CablingScreen")
        screen: Any = app.screen
        await pilot.press("slash", *"tg3")  # the driver, as the panel shows it
        cabled = [(r.left, r.right) for r in screen.rows if r.cable is not None]
        assert cabled == [
            ("esx-a.lab.local/vmnic5", "esx-b.lab.local/vmnic5"),
            ("esx-a.lab.local/vmnic6", "esx-b.lab.local/vmnic6"),
        ]
        assert len(screen.rows) == 6  # plus vmnic4 and vmnic7 of each host, excluded (uplinks of vSwitch0/1)
        await pilot.press("ctrl+u", *"nothing-like-this")
        assert screen.rows == [] and "No line matches 'nothing-like-this'" in status_line(app)
        await wait_for(pilot, lambda: "esc clears" in screen_text(app))


@pytest.mark.usefixtures("twin")
async def test_only_speeds_every_cabled_nic_accepts_are_offered(twin: Any) -> None:
    app = make_app(twin)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_screen(pilot, "CablingScreen")
        await pilot.press("n")
        await wait_screen(pilot, "AddressingScreen")
        speed = app.screen.query_one("#speed", Choice)
        labels = [label for label, _ in speed.options]
        assert labels == ["auto-negotiate", "force 10/full", "force 100/full", "force 1000/full"], labels
        speed.focus()
        await pilot.press("left", "ctrl+n")  # the last one: 1000/full, which the 1 GbE NICs run
        await wait_screen(pilot, "PreviewScreen")
        assert app.draft.speed_mb == 1000 and "ERROR" not in screen_text(app)
