"""Helpers for tests against the ESXi twin over HTTPS: labs built from the demo lab, a connected engine."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from vmesh_tui.engine.events import Event
from vmesh_tui.engine.session import Engine
from vmesh_tui.sim.lab.load import demo_lab
from vmesh_tui.sim.lab.spec import FaultSpec
from vmesh_tui.sim.runner import start_lab
from vmesh_tui.vsphere.client import HostsClient
from vmesh_tui.vsphere.knownhosts import KnownHosts
from vmesh_tui.vsphere.targets import parse_host_url

SUPERNET = "172.31.250.0/24"
TWO_LINKS = (
    ("esx-a.lab.local/vmnic1", "esx-b.lab.local/vmnic1"),
    ("esx-a.lab.local/vmnic2", "esx-b.lab.local/vmnic2"),
)


def demo_spec(**changes: Any) -> Any:
    return dataclasses.replace(demo_lab(), **changes)


def cdp_every(spec: Any, interval_s: float, holdtime_s: float | None = None) -> Any:
    """The lab with every host advertising CDP every ``interval_s`` seconds (hold time 3 intervals)."""
    hold = holdtime_s if holdtime_s is not None else 3 * interval_s
    hosts = tuple(dataclasses.replace(h, cdp_interval_s=interval_s, cdp_holdtime_s=hold) for h in spec.hosts)
    return dataclasses.replace(spec, hosts=hosts)


def fault(host: str, method: str, nth: int, kind: str, delay_s: float = 0.0) -> Any:
    return FaultSpec(host=host, method=method, nth=nth, kind=kind, delay_s=delay_s)


class Twin:
    """A served lab plus a connected adapter and an engine on a private state dir."""

    def __init__(self, spec: Any, home: Path, timeout: float = 20.0) -> None:
        self.lab = start_lab(spec)
        self.home = home
        self.urls = [h.url.replace("https://", f"https://{h.user}@") for h in self.lab.hosts]
        self.password = self.lab.hosts[0].password
        known = KnownHosts(home / "config" / "known_hosts")
        targets = [parse_host_url(url) for url in self.urls]
        self.client = HostsClient.connect(targets, self.password, known, accept_new=True, timeout=timeout)
        self.engine = Engine(self.client, home / "state")

    def host_args(self) -> list[str]:
        return [arg for url in self.urls for arg in ("--host", url)] + ["--accept-new-certs"]

    def close(self) -> None:
        self.client.close()
        self.lab.stop()


@contextlib.contextmanager
def twins(home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Twin]]:
    """``make(spec=None, timeout=20.0) -> Twin`` (the demo lab by default) with VMESH_HOME at ``home`` and
    VMESH_PASSWORD the twin's; every twin made is closed at the end."""
    monkeypatch.setenv("VMESH_HOME", str(home))
    made: list[Twin] = []

    def make(spec: Any = None, timeout: float = 20.0) -> Twin:
        twin = Twin(spec if spec is not None else demo_spec(), home, timeout)
        monkeypatch.setenv("VMESH_PASSWORD", twin.password)
        made.append(twin)
        return twin

    try:
        yield make
    finally:
        for twin in made:
            twin.close()


async def collect(events: AsyncIterator[Event]) -> tuple[list[Event], Any]:
    """All events of an operation and the result of its final "done" event."""
    seen = [event async for event in events]
    assert seen and seen[-1].kind == "done", [e.kind for e in seen]
    return seen, seen[-1].result
