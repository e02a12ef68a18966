"""Per-host request counters and the fault-injection plan that keys off them ([[fault]] tables)."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class RequestCounter:
    """Counts SOAP requests per method name; thread-safe; survives endpoint restarts (reboots).

    The endpoint counts a call only once it has passed the session check (HostEndpoint._dispatch):
    unauthenticated and unparseable requests are not counted.
    """

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def count(self, method: str) -> int:
        """Record one call of `method` and return how many calls of it this host has now seen."""
        with self._lock:
            self._counts[method] += 1
            return self._counts[method]

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(sorted(self._counts.items()))


@dataclass(frozen=True)
class InjectedFault:
    """What to do to one call: kind is "fault", "lost", "delay" or "ignored"."""

    kind: str
    fault_type: str = "HostConfigFault"
    delay_s: float = 0.0


class FaultPlan:
    """The lab's [[fault]] entries for one host, looked up by (method, nth call)."""

    def __init__(self, host: str, faults: Iterable[Any]) -> None:
        self._by_call: dict[tuple[str, int], InjectedFault] = {}
        for spec in faults:
            if spec.host != host:
                continue
            call = (spec.method, int(spec.nth))
            # a lab file never gets here (lab/check.py refuses it first); specs built in code may
            if call in self._by_call:
                raise ValueError(f"{host}/{spec.method}/{spec.nth} already has a fault")
            self._by_call[call] = InjectedFault(
                kind=spec.kind, fault_type=spec.fault_type or "HostConfigFault", delay_s=float(spec.delay_s)
            )

    def for_call(self, method: str, nth: int) -> InjectedFault | None:
        return self._by_call.get((method, nth))


def stats_document(counters: Mapping[str, RequestCounter]) -> dict[str, Any]:
    """The `--stats` JSON document: {"hosts": {"NAME": {"Method": count, ...}}}."""
    return {"hosts": {name: counter.snapshot() for name, counter in counters.items()}}


def write_stats(path: str | Path, counters: Mapping[str, RequestCounter]) -> None:
    """Write the stats document atomically (a temporary file renamed into place)."""
    target = Path(path)
    temporary = target.with_name(target.name + ".tmp")
    temporary.write_text(json.dumps(stats_document(counters), indent=2) + "\n", encoding="utf-8")
    temporary.replace(target)
