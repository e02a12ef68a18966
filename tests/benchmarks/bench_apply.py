"""Benchmark (a script, not collected by pytest): requests per host and wall times of apply and validate.

Runs the ESXi twin in-process with the demo lab and a per-call latency on every configuration call (the
twin's delay faults), then measures through the real adapter over HTTPS:
- SOAP requests each host served during one apply of the demo lab, its plan not counted (budget: 4 per
  link + 3: the re-read before the steps and its hint, the read after them that confirms them);
- apply's wall time with hosts concurrent versus one host after the other (limit in budgets.py);
- validate's wall time.
Usage: python tests/benchmarks/bench_apply.py [--latency-ms 100] [--json]; exit 1 when a figure misses
its budget or limit, or an apply did not end "applied" (each listed as a problem).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from budgets import APPLY_CONCURRENCY_RATIO_LIMIT, APPLY_PER_HOST, APPLY_PER_LINK
from common import print_figures

SUPERNET = "172.31.250.0/24"
SLOW_METHODS = ("AddVirtualSwitch", "AddPortGroup", "AddVirtualNic", "SelectVnicForNicType",
                "RemoveVirtualSwitch", "RemovePortGroup", "RemoveVirtualNic")  # fmt: skip


def _lab(latency_s: float) -> Any:
    from vmesh_tui.sim.lab.load import demo_lab
    from vmesh_tui.sim.lab.spec import FaultSpec

    spec = demo_lab()
    faults = [
        FaultSpec(host=h.name, method=m, nth=n, kind="delay", delay_s=latency_s)
        for h in spec.hosts
        for m in SLOW_METHODS
        for n in range(1, 13)
    ]
    return dataclasses.replace(spec, faults=tuple(faults))


async def _last(events: Any) -> Any:
    result = None
    async for event in events:
        result = event.result if event.kind == "done" else result
    return result


def _counts(lab: Any) -> dict[str, dict[str, int]]:
    return {name: dict(methods) for name, methods in lab.stats()["hosts"].items()}


def _delta(before: dict[str, dict[str, int]], after: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    return {
        host: {
            m: n - before.get(host, {}).get(m, 0)
            for m, n in methods.items()
            if n - before.get(host, {}).get(m, 0)
        }
        for host, methods in after.items()
    }


async def _timed_apply(engine: Any, request: Any, lab: Any) -> tuple[float, Any, dict[str, dict[str, int]]]:
    """Plan, then apply: the apply's seconds, its result and the requests each host served for it."""
    planned = await _last(engine.plan(request))
    before = _counts(lab)
    started = time.perf_counter()
    result = await _last(engine.apply(planned))
    return time.perf_counter() - started, result, _delta(before, _counts(lab))


async def measure(latency_ms: float) -> dict[str, Any]:
    from vmesh_tui.engine.planning import PlanRequest
    from vmesh_tui.engine.session import Engine
    from vmesh_tui.sim.runner import start_lab
    from vmesh_tui.vsphere.client import HostsClient
    from vmesh_tui.vsphere.knownhosts import KnownHosts
    from vmesh_tui.vsphere.targets import parse_host_url

    previous = os.environ.get("VMESH_HOME")
    with tempfile.TemporaryDirectory(prefix="vmesh-bench-") as tmp:  # removed afterwards, journals and all
        home = Path(tmp)
        os.environ["VMESH_HOME"] = str(home)
        try:
            with start_lab(_lab(latency_ms / 1000)) as lab:
                targets = [parse_host_url(h.url.replace("https://", f"https://{h.user}@")) for h in lab.hosts]
                client = HostsClient.connect(
                    targets, lab.hosts[0].password, KnownHosts(home / "kh"), accept_new=True
                )
                try:
                    request = PlanRequest(SUPERNET)
                    together = Engine(client, home / "state")
                    concurrent_s, applied, by_method = await _timed_apply(together, request, lab)
                    links = len(applied.links)
                    started = time.perf_counter()
                    check = await _last(together.validate())
                    validate_s = time.perf_counter() - started
                    await _last(together.revert())
                    one_by_one = Engine(client, home / "state", hosts_at_once=False)
                    sequential_s, again, _ = await _timed_apply(one_by_one, request, lab)
                    await _last(one_by_one.revert())
                finally:
                    client.close()
        finally:
            if previous is None:
                os.environ.pop("VMESH_HOME", None)
            else:
                os.environ["VMESH_HOME"] = previous
    per_host = {name: sum(methods.values()) for name, methods in by_method.items()}
    figures = {
        "links": links,
        "latency_ms": latency_ms,
        "requests_per_host": per_host,
        "requests_by_method": by_method,
        "request_budget_per_host": APPLY_PER_LINK * links + APPLY_PER_HOST,
        "apply_concurrent_s": round(concurrent_s, 3),
        "apply_sequential_s": round(sequential_s, 3),
        "concurrency_ratio": round(concurrent_s / sequential_s, 3),
        "concurrency_ratio_limit": APPLY_CONCURRENCY_RATIO_LIMIT,
        "validate_s": round(validate_s, 3),
        "validate_ok": check.ok,
        "outcomes": [applied.outcome, again.outcome],
    }
    figures["problems"] = problems(figures)
    return figures


def problems(figures: dict[str, Any]) -> list[str]:
    """What the figures miss: the request budget, the concurrency limit, a failed apply or validation."""
    found = [
        f"apply: {host} served {count} requests for the apply, budget {figures['request_budget_per_host']}"
        f" ({APPLY_PER_LINK} per link x {figures['links']} + {APPLY_PER_HOST})"
        for host, count in sorted(figures["requests_per_host"].items())
        if count > figures["request_budget_per_host"]
    ]
    if figures["latency_ms"] > 0 and figures["concurrency_ratio"] > APPLY_CONCURRENCY_RATIO_LIMIT:
        found.append(
            f"apply: both hosts at once took {figures['concurrency_ratio']} of the time of one host after"
            f" the other, above the limit {APPLY_CONCURRENCY_RATIO_LIMIT}: the hosts were not configured"
            " at once"
        )
    if figures["outcomes"] != ["applied", "applied"]:
        found.append(f"apply: outcomes {figures['outcomes']}, expected both 'applied'")
    if not figures["validate_ok"]:
        found.append("validate: the links failed after the apply")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--latency-ms", type=float, default=100.0, help="added to every configuration call (ESXi: ~100 ms)"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    return print_figures(asyncio.run(measure(args.latency_ms)), args.json, 26)


if __name__ == "__main__":
    sys.exit(main())
