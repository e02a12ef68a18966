"""Snapshots of key screens at 80x24 (pytest-textual-snapshot). Update with --snapshot-update."""

from __future__ import annotations

from typing import Any

from tests.tui.twinapp import make_app, wait_screen
from vmesh_tui.tui.app import VmeshApp
from vmesh_tui.tui.draft import ConnectSpec, Draft

SIZE = (80, 24)


def no_connection(*_: Any) -> Any:
    raise AssertionError("the connect screen snapshot must not connect")


def test_connect_screen(snap_compare: Any) -> None:
    spec = ConnectSpec(hosts=("https://root@esx-a.lab.local/sdk", "https://root@esx-b.lab.local/sdk"))
    app = VmeshApp(no_connection, Draft(connect=spec))
    assert snap_compare(app, terminal_size=SIZE)


def test_cabling_screen(snap_compare: Any, twin: Any) -> None:
    async def to_cabling(pilot: Any) -> None:
        await wait_screen(pilot, "CablingScreen")

    assert snap_compare(make_app(twin), terminal_size=SIZE, run_before=to_cabling)


def test_addressing_screen_with_31_warning(snap_compare: Any, twin: Any) -> None:
    async def to_addressing(pilot: Any) -> None:
        await wait_screen(pilot, "CablingScreen")
        await pilot.press("n")
        await wait_screen(pilot, "AddressingScreen")
        await pilot.press("tab", "space")

    assert snap_compare(make_app(twin), terminal_size=SIZE, run_before=to_addressing)


def test_preview_screen(snap_compare: Any, twin: Any) -> None:
    async def to_preview(pilot: Any) -> None:
        await wait_screen(pilot, "CablingScreen")
        await pilot.press("n")
        await wait_screen(pilot, "AddressingScreen")
        await pilot.press("ctrl+n")
        await wait_screen(pilot, "PreviewScreen")

    assert snap_compare(make_app(twin), terminal_size=SIZE, run_before=to_preview)
