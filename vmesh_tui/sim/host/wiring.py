"""What a SimHost asks of the wires it is plugged into, and the ping request and result those wires carry.

The fabric package implements :class:`Wiring`; the host package only knows this Protocol, so the host
model never imports the fabric that sits above it.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

from pyVmomi import vim


class PingReply(NamedTuple):
    host: str  # the address that answered
    ttl: int
    seq: int
    size: int  # bytes received: payload + 8 (ICMP header), as ping prints them
    rtt: float  # milliseconds


@dataclass(frozen=True)
class PingRequest:
    """One esxcli network diag ping: from host ``source`` to address ``target``, with its options."""

    source: str
    target: str
    interface: str | None = None
    size: int = 56
    df: bool = False
    count: int = 3
    netstack: str | None = None
    wait: float | None = None  # accepted and not slept


@dataclass(frozen=True)
class PingOutcome:
    sent: int
    received: int
    duplicated: int = 0
    packet_lost_pct: int = 100
    rtt_min: float = 0.0
    rtt_avg: float = 0.0
    rtt_max: float = 0.0
    replies: list[PingReply] = field(default_factory=list)
    error: str | None = None


class Wiring(Protocol):
    """The cables and switches of a lab, as one host sees them (vmesh_tui.sim.fabric.fabric.Fabric)."""

    def negotiated(self, host: str, device: str) -> tuple[int, bool] | None:
        """(speedMb, full duplex) of the NIC's link, or None when it is down."""
        ...

    def all_locked(self) -> AbstractContextManager[None]:
        """Hold every host's lock, taken in host-name order."""
        ...

    def network_hint(self, host: str, device: str) -> vim.host.PhysicalNic.NetworkHint:
        """What CDP heard on the NIC; the caller holds every host's lock."""
        ...

    def ping(self, request: PingRequest) -> PingOutcome:
        """esxcli network diag ping from host ``request.source`` to address ``request.target``."""
        ...
