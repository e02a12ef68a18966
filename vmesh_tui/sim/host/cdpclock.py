"""CDP in time: when each NIC of a host started and stopped advertising and listening.

A NIC advertises while it is an uplink of a vSwitch whose CDP operation is advertise or both, and listens
while that operation is listen or both. Advertisements go out every ``interval_s`` seconds, the first one
an interval after advertising starts (as a Cisco port or an ESXi vSwitch sends on its timer); a listener
hears the first advertisement sent while it listens, and keeps it until ``holdtime_s`` after the last one
it heard. The lab's starting configuration counts as running for long: its NICs are heard at once.
``interval_s`` 0 means heard at once (the twin's behaviour before these keys existed).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from vmesh_tui.sim.host.state import NetState

LISTENS = ("listen", "both")
ADVERTISES = ("advertise", "both")
LONG_AGO_INTERVALS = 1000  # the starting configuration has been running this many intervals
KEEP_PERIODS = 4  # per NIC, the last few advertising periods are kept (older ones are long expired)


@dataclass
class Period:
    """One stretch of advertising: from ``since`` until ``until`` (None while it goes on)."""

    since: float
    until: float | None = None
    mtu: int = 1500  # the MTU the vSwitch advertised


def latest_advert(
    since: float, until: float | None, interval_s: float, listening: float, now: float
) -> float | None:
    """The time of the last advertisement of a period that a NIC listening since ``listening`` heard by
    ``now``, or None. Advertisements are sent at ``since + k * interval_s`` (k >= 1), before ``until``."""
    end = now if until is None else min(now, until)
    start = max(listening, since)
    if interval_s <= 0:
        return end if end >= start else None
    last_k = math.floor((end - since) / interval_s)
    if until is not None and since + last_k * interval_s >= until:
        last_k -= 1  # nothing is sent at the moment advertising stops
    sent = since + last_k * interval_s
    return sent if last_k >= 1 and sent >= listening else None


class CdpClock:
    """One host's CDP timers (seconds on a monotonic clock that tests may replace)."""

    def __init__(
        self, interval_s: float = 60.0, holdtime_s: float = 180.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.interval_s = interval_s
        self.holdtime_s = holdtime_s
        self.clock = clock
        self.adverts: dict[str, list[Period]] = {}
        self.listening: dict[str, float] = {}  # device -> since when
        self.started = clock() - LONG_AGO_INTERVALS * max(interval_s, 1.0)

    def start(self, state: NetState) -> None:
        """The lab's starting configuration: advertising and listening since long ago."""
        self.observe(state, at=self.started)

    def observe(self, state: NetState, at: float | None = None) -> None:
        """Record what changed since the last look (called after every vSwitch change)."""
        now = self.clock() if at is None else at
        for device in state.pnics:
            owner = state.uplink_owner(device)
            operation = owner.cdp if owner is not None else "none"
            periods = self.adverts.setdefault(device, [])
            current = periods[-1] if periods and periods[-1].until is None else None
            if operation in ADVERTISES and owner is not None:
                if current is None:
                    periods.append(Period(now, None, owner.mtu))
                    del periods[:-KEEP_PERIODS]
                else:
                    current.mtu = owner.mtu
            elif current is not None:
                current.until = now
            if operation in LISTENS:
                self.listening.setdefault(device, now)
            else:
                self.listening.pop(device, None)

    def last_heard(self, device: str, listening_since: float, now: float) -> Period | None:
        """The advertising period of ``device`` whose last advertisement a listener (since
        ``listening_since``) still holds at ``now``; None when it holds nothing."""
        for period in reversed(self.adverts.get(device, [])):
            sent = latest_advert(period.since, period.until, self.interval_s, listening_since, now)
            if sent is not None:
                return period if now <= sent + self.holdtime_s else None
        return None

    def switch_heard(self, listening_since: float, now: float) -> bool:
        """A physical switch advertises all the time, on this host's interval."""
        return latest_advert(self.started, None, self.interval_s, listening_since, now) is not None
