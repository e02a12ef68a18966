"""The benchmark's budgets and floors, in one place: README.md and tests/benchmarks/README.md cite these.

Requests are SOAP requests per host as the twin counts them (`vmesh-tui sim --stats`), for one whole
headless command from its connection to its Logout. The versions GET each connection makes first is not
SOAP and the twin does not count it (bench_discovery counts it on the client: connect + discovery is the
GET, RetrieveServiceContent, Login, RetrievePropertiesEx, QueryNetworkHint, again 5 without the Logout).
A figure above its budget, or below its floor, is a problem the benchmark lists and exits 1 for.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

SESSION = 3  # RetrieveServiceContent + Login + Logout
READ = 2  # one full read of a host: RetrievePropertiesEx (network, vnic manager, bootTime) + QueryNetworkHint
PING_SESSION = 1  # RetrieveManagedMethodExecuter, once per connection before the first esxcli ping
PINGS_PER_LINK = 3  # each host pings its own direction: a warm-up, the jumbo DF ping, a routing check
APPLY_PER_LINK = 4  # AddVirtualSwitch, AddPortGroup, AddVirtualNic, SelectVnicForNicType
APPLY_PER_HOST = 3  # the re-read before the steps and its hint, the one read after them that confirms them
REVERT_PER_LINK = 3  # RemoveVirtualNic, RemovePortGroup, RemoveVirtualSwitch
TOGGLE_PER_PORTGROUP = 3  # UpdatePortGroup active -> standby, the read that confirms it, then back
DEMO_LINKS = 4  # the built-in demo lab's cables, which run.py applies
# bench_discovery counts connect + discovery on the client side too: the versions GET, RetrieveServiceContent,
# Login, RetrievePropertiesEx, QueryNetworkHint (Logout excluded); through vCenter 5 in all + 1 hint per host.
CONNECT_AND_DISCOVER = 5


@dataclass(frozen=True)
class Budget:
    """Requests one host may serve for one command: ``per_host + per_link * links``."""

    per_host: int
    per_link: int
    parts: str

    def limit(self, links: int) -> int:
        return self.per_host + self.per_link * links


DISCOVER = Budget(SESSION + READ, 0, "session 3 + one read 2")
REQUEST_BUDGETS: dict[str, Budget] = {
    "discover": DISCOVER,
    "plan": DISCOVER,
    "apply": Budget(
        DISCOVER.per_host + APPLY_PER_HOST,
        APPLY_PER_LINK,
        "discover 5 + 4 per link (vSwitch, portgroup, vmk, vMotion tag) + 3 per host",
    ),
    "validate": Budget(
        DISCOVER.per_host + PING_SESSION,
        PINGS_PER_LINK,
        "discover 5 + 1 executer + 3 pings per link (warm-up, jumbo DF ping, routing check)",
    ),
    "revert": Budget(
        DISCOVER.per_host + READ,
        REVERT_PER_LINK,
        "discover 5 + 3 removals per link + one read 2 to verify",
    ),
    "recover": Budget(
        DISCOVER.per_host + PING_SESSION + 2 * READ,
        PINGS_PER_LINK,
        "nothing to toggle: discover 5 + 1 executer + one validation (3 per link) + two reads 4",
    ),
    "recover_shared": Budget(
        DISCOVER.per_host + PING_SESSION + 3 * READ,
        2 * PINGS_PER_LINK + TOGGLE_PER_PORTGROUP,
        "every portgroup toggled: discover 5 + 1 executer + two validations (6 per link)"
        " + 2 updates and 1 confirming read per link + three reads 6",
    ),
}

# The twin's throughput: small write calls (AddVirtualSwitch/RemoveVirtualSwitch) per second over one
# keep-alive HTTPS connection, the twin in its own process (bench_twin.py). Measured 2026-11-27 on the
# 2 shared cores: idle, raw ~2,500/s and pyVmomi 1,600-1,900/s; with three busy loops beside it (load ~5)
# raw 500-610/s and pyVmomi 570-1,200/s; earlier heavier loads: raw 460-520/s, pyVmomi ~200/s (twin and
# client in one process). The floors keep a 3x margin below the worst of those and still catch a twin
# that takes 20 ms per call (measured 46/s: both floors fail).
TWIN_RAW_CALLS_PER_S_FLOOR = 150.0
TWIN_PYVMOMI_CALLS_PER_S_FLOOR = 60.0
# bench_apply: both hosts at once over one host after the other, with 100 ms per configuration call.
# Measured 0.52-0.63; one host after the other would be 1.0.
APPLY_CONCURRENCY_RATIO_LIMIT = 0.8


# The cable probe (`discover --probe`), when every probed NIC finds its far end: a session 3, a read 2
# before, AddVirtualSwitch and RemoveVirtualSwitch of the temporary vSwitch, a read 1 after (without
# neighbours: the comparison needs none), and one QueryNetworkHint per poll while it listens. The far
# end is heard one CDP interval after the adds, so at most ceil(interval / poll) + 2 polls (the first at
# once, the one that sees it, one for the adds' time). Measured on both labs at 5 s: 12 of 13.
PROBE_FIXED = SESSION + READ + 2 + 1
PROBE_SPARE_POLLS = 2
# The whole command (start-up included) within one CDP interval plus this (the aim).
PROBE_WALL_MARGIN_S = 10.0


def probe_request_limit(interval_s: float, poll_s: float) -> int:
    return PROBE_FIXED + math.ceil(interval_s / poll_s) + PROBE_SPARE_POLLS


def probe_problems(
    label: str, per_host: Mapping[str, float], wall_s: float, interval_s: float, poll_s: float
) -> list[str]:
    """A line per host over the probe's request budget, and one when the wall time misses its aim."""
    limit = probe_request_limit(interval_s, poll_s)
    found = [
        f"{label}: {host} served {count:g} requests, budget {limit} (session 3 + reads 3 + add and remove 2"
        f" + at most {limit - PROBE_FIXED} polls of {poll_s:g} s for a {interval_s:g} s interval)"
        for host, count in sorted(per_host.items())
        if count > limit
    ]
    if wall_s > interval_s + PROBE_WALL_MARGIN_S:
        found.append(
            f"{label}: took {wall_s:.1f} s, more than the CDP interval {interval_s:g} s"
            f" + {PROBE_WALL_MARGIN_S:g} s"
        )
    return found


def request_problems(name: str, per_host: Mapping[str, float], links: int = DEMO_LINKS) -> list[str]:
    """One line per host whose requests for command ``name`` exceed its budget (none if within)."""
    budget = REQUEST_BUDGETS.get(name)
    if budget is None:
        return []
    limit = budget.limit(links)
    return [
        f"{name}: {host} served {count:g} requests, budget {limit} ({budget.parts}; {links} links)"
        for host, count in sorted(per_host.items())
        if count > limit
    ]


def floor_problem(what: str, value: float, floor: float, unit: str) -> list[str]:
    """A one-line problem when ``value`` is below ``floor``."""
    if value >= floor:
        return []
    return [f"{what}: {value:.0f} {unit}, below the floor of {floor:.0f} {unit}"]
