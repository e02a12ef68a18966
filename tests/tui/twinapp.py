"""Helpers that open the real app on the ESXi twin over HTTPS (no fakes): pins, specs, waiting."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.app import App
from textual.pilot import Pilot

from tests.hostview.reader import read_lab
from vmesh_tui.launch import _address_port, make_connector
from vmesh_tui.tui.app import VmeshApp
from vmesh_tui.tui.draft import ConnectSpec, Draft

DEMO_LAB = Path(__file__).resolve().parents[2] / "vmesh_tui" / "sim" / "lab" / "demo.toml"


def screen_text(app: App[object]) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def lab_with_faults(tmp_path: Path, faults: str) -> Path:
    """The demo lab plus ``[[fault]]`` tables (LAB_FORMAT.md), written to a file."""
    path = tmp_path / "lab.toml"
    path.write_text(DEMO_LAB.read_text(encoding="utf-8") + "\n" + faults, encoding="utf-8")
    return path


def pin(lab: Any) -> None:
    """Trust the twin's certificates, as `vmesh-tui demo` does."""
    from vmesh_tui.engine import paths
    from vmesh_tui.vsphere.knownhosts import KnownHosts

    known = KnownHosts(paths.known_hosts_path())
    for host in lab.hosts:
        address, port = _address_port(host.url)
        known.remember(address, port, host.thumbprint)


def spec_for(lab: Any) -> ConnectSpec:
    urls = tuple(h.url.replace("https://", f"https://{h.user}@", 1) for h in lab.hosts)
    return ConnectSpec(hosts=urls, user=lab.hosts[0].user)


def make_app(
    lab: Any, *, pinned: bool = True, read_only: bool = False, auto: bool = True, **kw: Any
) -> VmeshApp:
    from vmesh_tui.engine import paths

    if pinned:
        pin(lab)
    return VmeshApp(
        make_connector(),
        Draft(connect=spec_for(lab)),
        password=lab.hosts[0].password,
        config_dir=paths.config_dir(),
        read_only=read_only,
        auto_connect=auto,
        **kw,
    )


async def wait_for(pilot: Pilot[Any], check: Callable[[], bool], timeout: float = 20.0) -> None:
    """Let the app run until ``check()`` holds; fail with the screen's text when it never does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        await pilot.pause(0.05)
        if check():
            return
    raise AssertionError(f"timed out; the screen shows:\n{screen_text(pilot.app)}")


async def wait_screen(pilot: Pilot[Any], name: str, timeout: float = 20.0) -> None:
    await wait_for(
        pilot,
        lambda: type(pilot.app.screen).__name__ == name and bool(screen_text(pilot.app).strip()),
        timeout,
    )
    await pilot.pause(0.05)


async def walk_to_preview(pilot: Pilot[Any]) -> None:
    """From the proposed cables, accept them and the default addressing, and open the preview."""
    await wait_screen(pilot, "CablingScreen")
    await pilot.press("n")
    await wait_screen(pilot, "AddressingScreen")
    await pilot.press("ctrl+n")
    await wait_screen(pilot, "PreviewScreen")


async def confirm_apply(pilot: Pilot[Any]) -> None:
    """From the preview, ask to apply, confirm, and wait for the apply screen."""
    await pilot.press("a")
    await wait_screen(pilot, "ConfirmScreen")
    await pilot.press("y")
    await wait_screen(pilot, "ApplyScreen")


def read_hosts(lab: Any) -> dict[str, Any]:
    """The hosts' actual state, read by the independent reader (stock pyVmomi, not the tool's adapter)."""
    return read_lab(lab)
