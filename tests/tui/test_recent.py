"""Recent connections: remembered newest first, deduplicated, private, and never with a password."""

from __future__ import annotations

import stat
from pathlib import Path

from vmesh_tui.tui.draft import ConnectSpec
from vmesh_tui.tui.recent import MAX_RECENT, RecentHosts


def test_remember_and_load_newest_first(tmp_path: Path) -> None:
    recent = RecentHosts(tmp_path / "config" / "recent.json")
    first = ConnectSpec(hosts=("https://root@a/sdk", "https://root@b/sdk"))
    second = ConnectSpec(vcenter="https://administrator@vc/sdk", cluster="C1", user="administrator")
    recent.remember(first)
    recent.remember(second)
    recent.remember(first)
    assert recent.load() == [first, second]
    assert stat.S_IMODE(recent.path.stat().st_mode) == 0o600


def test_keeps_a_bounded_list(tmp_path: Path) -> None:
    recent = RecentHosts(tmp_path / "recent.json")
    for n in range(MAX_RECENT + 3):
        recent.remember(ConnectSpec(hosts=(f"https://root@h{n}/sdk", "https://root@x/sdk")))
    loaded = recent.load()
    assert len(loaded) == MAX_RECENT
    assert loaded[0].hosts[0] == f"https://root@h{MAX_RECENT + 2}/sdk"


def test_no_password_field_is_ever_written(tmp_path: Path) -> None:
    recent = RecentHosts(tmp_path / "recent.json")
    recent.remember(ConnectSpec(hosts=("https://root@a/sdk", "https://root@b/sdk")))
    assert "password" not in recent.path.read_text()


def test_unreadable_file_is_an_empty_list(tmp_path: Path) -> None:
    path = tmp_path / "recent.json"
    path.write_text("{not json")
    assert RecentHosts(path).load() == []
