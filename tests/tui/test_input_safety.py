"""A damaged recent-connections file is ignored with a notice; a crash report never shows local variables."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import pytest

from vmesh_tui.tui.app import VmeshApp
from vmesh_tui.tui.draft import ConnectSpec
from vmesh_tui.tui.recent import RecentHosts

SECRET = "Top-Secret-Pa55"


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"\x89PNG\r\n\x1a\n\x00\xff",
        json.dumps({"hosts": ["https://root@a/sdk"]}).encode(),
        json.dumps(
            [{"hosts": 5}, {"hosts": ["https://root@a/sdk", "https://root@b/sdk"], "user": 7}]
        ).encode(),
        json.dumps([{"hosts": "https://root@a/sdk"}, ["x"], None]).encode(),
    ],
)
def test_a_damaged_recent_file_is_ignored_with_a_notice(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "recent.json"
    path.write_bytes(content)
    recent = RecentHosts(path)
    assert recent.load() == []
    assert str(path) in recent.problem and "ignored" in recent.problem
    good = ConnectSpec(hosts=("https://root@c/sdk", "https://root@d/sdk"))
    recent.remember(good)  # the damaged file is replaced by what could be read of it
    assert RecentHosts(path).load() == [good]


async def test_the_connect_screen_says_the_recent_file_was_ignored(vmesh_home: Path) -> None:
    config = vmesh_home / "config"
    config.mkdir(parents=True)
    (config / "recent.json").write_text(json.dumps([{"hosts": 5}]))
    app = VmeshApp(lambda *_: None, config_dir=config)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        notes = [str(n.message) for n in app._notifications]
        assert any("recent connections" in note and "ignored" in note for note in notes), notes


async def test_a_crash_report_shows_no_local_variables(capfd: pytest.CaptureFixture[str]) -> None:
    """Textual's default report renders every frame's locals (show_locals): a password among them would
    be printed on the terminal."""
    app = VmeshApp(lambda *_: None)

    def connect_with(password: str) -> Any:
        spec = {"user": "root", "password": password}
        raise RuntimeError(f"boom while connecting as {spec['user']}")

    with pytest.raises(RuntimeError, match="boom"):
        async with app.run_test(size=(80, 24)) as pilot:
            app.call_later(connect_with, SECRET)
            await pilot.pause()
    out, err = capfd.readouterr()
    report = out + err  # Textual prints its crash report on the terminal as the app ends
    assert "RuntimeError" in report and "boom while connecting" in report
    assert SECRET not in report


@pytest.mark.parametrize("userinfo", [f"root:{SECRET}", f"root%3A{SECRET}"])
async def test_a_password_in_a_host_url_is_never_drawn(vmesh_home: Path, userinfo: str) -> None:
    """Seen: `vmesh-tui --host https://root:SECRET@host/sdk` refused the URL, masked, but filled the User
    field with "root:SECRET" in clear on the Connect screen. The app is built as launch.run builds it."""
    from tests.tui.twinapp import screen_text
    from vmesh_tui.launch import add_arguments, connect_spec, make_connector
    from vmesh_tui.tui.draft import Draft

    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(["--host", f"https://{userinfo}@127.0.0.1:1/sdk", "--host", "127.0.0.1:2"])
    app = VmeshApp(make_connector(), Draft(connect=connect_spec(args)), password="pw", auto_connect=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.pause(0.3)
        text = screen_text(app)
        assert "contains a password" in text, text  # the refusal is on screen ...
        assert SECRET not in text, text  # ... and the secret nowhere
