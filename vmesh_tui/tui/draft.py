"""The wizard's one immutable draft: everything the admin chose so far, replaced (never mutated) per step."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:
    from vmesh_tui.core.addressing import Link
    from vmesh_tui.core.model import HostState
    from vmesh_tui.core.pairing import Pairing
    from vmesh_tui.engine.planning import PlanResult


def _who_where(url: str, user: str) -> str:
    """``https://root@esx-a/sdk`` -> ``root@esx-a``; a port other than 443 stays."""
    parts = urlsplit(url if "://" in url else f"https://{url}")
    try:
        port = parts.port
    except ValueError:
        return url
    host = parts.hostname or url
    shown = f"[{host}]" if ":" in host else host
    return f"{unquote(parts.username or user)}@{shown}" + (f":{port}" if port and port != 443 else "")


@dataclass(frozen=True)
class ConnectSpec:
    """Where to connect: ESXi host URLs, or a vCenter URL and a cluster. Never holds a password."""

    hosts: tuple[str, ...] = ()
    vcenter: str = ""
    cluster: str = ""
    user: str = "root"

    @property
    def uses_vcenter(self) -> bool:
        return bool(self.vcenter)

    def describe(self) -> str:
        """``root@esx-a, root@esx-b:8443`` (or the vCenter and its cluster): who logs in where."""
        if self.uses_vcenter:
            return f"vCenter {_who_where(self.vcenter, self.user)}, cluster {self.cluster}"
        return ", ".join(_who_where(url, self.user) for url in self.hosts) or "no hosts"


@dataclass(frozen=True)
class Draft:
    """What the wizard has gathered: the connection, the hosts read, the cables, the addressing choices,
    and the engine's PlanResult (``plan``) once previewed. ``applied`` is set after a successful apply."""

    connect: ConnectSpec = ConnectSpec()
    hosts: tuple[HostState, ...] = ()
    pairing: Pairing | None = None
    supernet: str = "172.16.90.0/24"
    prefix: int = 30
    mtu: int = 9000
    layout: str = "per-link"
    netstack: str = "default"
    speed_mb: int | None = None
    links: tuple[Link, ...] = ()
    plan: PlanResult | None = None
    applied: bool = False

    def with_(self, **changes: Any) -> Draft:
        """A copy with ``changes``; the wizard's only way to move forward."""
        return replace(self, **changes)

    def host_map(self) -> dict[str, HostState]:
        return {host.name: host for host in self.hosts}

    def rewound(self) -> Draft:
        """The draft for reading the hosts again: the connection and the addressing choices stay; hosts,
        cables, links and the plan are read and made afresh."""
        return self.with_(hosts=(), pairing=None, links=(), plan=None, applied=False)


class Back:
    """Outcome of a wizard screen: go one step back, keeping ``draft`` (the screen's edits) if given."""

    def __init__(self, draft: Draft | None = None) -> None:
        self.draft = draft


BACK = Back()


class Rewind:
    """Outcome of a wizard screen (or of the final status): read the hosts again, then Cabling."""
