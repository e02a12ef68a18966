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


def test_a_symbolic_link_is_neither_read_nor_written_through(tmp_path: Path) -> None:
    """The file and a stale temporary name may be links out of the config dir: neither is followed."""
    outside = tmp_path / "elsewhere.json"
    outside.write_text('[{"hosts": ["https://root@planted/sdk", "https://root@x/sdk"]}]')
    config = tmp_path / "config"
    config.mkdir()
    (config / "recent.json").symlink_to(outside)
    (config / "recent.tmp").symlink_to(outside)
    recent = RecentHosts(config / "recent.json")
    assert recent.load() == [] and "cannot be read" in recent.problem, recent.problem
    mine = ConnectSpec(hosts=("https://root@a/sdk", "https://root@b/sdk"))
    recent.remember(mine)
    assert outside.read_text() == '[{"hosts": ["https://root@planted/sdk", "https://root@x/sdk"]}]'
    assert not recent.path.is_symlink() and recent.load() == [mine]
    assert stat.S_IMODE(recent.path.stat().st_mode) == 0o600
