"""Connecting the adapter to a running twin lab (pins taken from the lab's own thumbprints)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from vmesh_tui.vsphere.client import HostsClient
from vmesh_tui.vsphere.knownhosts import KnownHosts
from vmesh_tui.vsphere.targets import Target, parse_host_url


def twin_targets(lab: Any) -> list[Target]:
    return [parse_host_url(h.url.replace("https://", f"https://{h.user}@")) for h in lab.hosts]


def pinned_known_hosts(lab: Any, path: Path) -> KnownHosts:
    known = KnownHosts(path)
    for host, target in zip(lab.hosts, twin_targets(lab)):
        known.remember(target.address, target.port, host.thumbprint)
    return known


def connect_twin(lab: Any, tmp_path: Path, timeout: float = 10.0) -> HostsClient:
    tmp_path.mkdir(parents=True, exist_ok=True)
    known = pinned_known_hosts(lab, tmp_path / "known_hosts")
    return HostsClient.connect(twin_targets(lab), lab.hosts[0].password, known, timeout=timeout)


def requests_of(lab: Any) -> dict[str, dict[str, int]]:
    return {name: dict(counts) for name, counts in lab.stats()["hosts"].items()}
