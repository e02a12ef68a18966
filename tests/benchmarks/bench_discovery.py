"""Discovery cost: the adapter's connect + read_all versus a naive pyVmomi attribute walk, on the twin.

Run: python tests/benchmarks/bench_discovery.py [--quick] [--rounds N] [--json] [--in-process]
Both sides connect afresh each round to the built-in demo lab (served by the twin in a child process,
or in this one) and read the same facts. Requests are counted per host and per method: SOAP requests
by the twin, and the GET of /sdk/vimServiceVersions.xml that each connection makes first (the twin
does not count it) on the client side. Prints, per host: requests per method, connect + discovery
without the Logout and whether that stays within the budget (5 per host); the median wall times and
the ratios naive / adapter; and the concurrency figure: with every host's RetrievePropertiesEx delayed
by 1 s, connect + discovery taking less than 1.5x that delay shows that the hosts were read at once.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from budgets import CONNECT_AND_DISCOVER

DEMO_LAB = Path(__file__).parents[2] / "vmesh_tui" / "sim" / "lab" / "demo.toml"
SERVICE_VERSIONS = "GET vimServiceVersions.xml"  # the client-side counted request, as a method name
BUDGET_PER_HOST = CONNECT_AND_DISCOVER  # connect + discovery, Logout excluded
CONCURRENCY_DELAY_S = 1.0  # long beside the rest of connect + discovery (~0.2 s on busy cores)
CONCURRENCY_METHOD = "RetrievePropertiesEx"
CONCURRENCY_FACTOR = 1.5  # below this many delays, the hosts' reads overlapped

Counts = dict[str, dict[str, int]]  # host -> method -> requests


class _GetCounter:
    """Counts the GETs of /sdk/vimServiceVersions.xml per host:port, as the client sends them."""

    def __init__(self) -> None:
        self.counts: Counter[tuple[str, int]] = Counter()
        self._lock = threading.Lock()

    @contextmanager
    def counting(self) -> Iterator[_GetCounter]:
        original = http.client.HTTPConnection.request
        counter = self

        def request(
            conn: http.client.HTTPConnection, method: str, url: str, *args: Any, **kwargs: Any
        ) -> Any:
            if method == "GET" and url.endswith("/vimServiceVersions.xml"):
                with counter._lock:
                    counter.counts[(conn.host, conn.port or 443)] += 1
            return original(conn, method, url, *args, **kwargs)

        http.client.HTTPConnection.request = request  # type: ignore[method-assign]
        try:
            yield self
        finally:
            http.client.HTTPConnection.request = original  # type: ignore[method-assign]

    def per_host(self, hosts: list[Any]) -> dict[str, int]:
        by_endpoint = {_endpoint(h.url): h.name for h in hosts}
        result = {h.name: 0 for h in hosts}
        for (address, port), count in self.counts.items():
            name = by_endpoint.get((address, port))
            if name is not None:
                result[name] += count
        return result


def _endpoint(url: str) -> tuple[str, int]:
    address, port = url.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)
    return address.strip("[]"), int(port)


def _copy(counts: Counts) -> Counts:
    return {host: dict(methods) for host, methods in counts.items()}


def _minus(after: Counts, before: Counts) -> Counts:
    result: Counts = {}
    for host, methods in after.items():
        base = before.get(host, {})
        result[host] = {m: n - base.get(m, 0) for m, n in methods.items() if n - base.get(m, 0)}
    return result


def adapter_discovery(lab: Any, workdir: Path, read_at: list[float] | None = None) -> int:
    """Connect to every host and read them all; returns how many hosts were read.

    ``read_at`` receives the perf_counter time when the read was done (before the Logout).
    """
    from vmesh_tui.vsphere.client import HostsClient
    from vmesh_tui.vsphere.knownhosts import KnownHosts
    from vmesh_tui.vsphere.targets import parse_host_url

    known = KnownHosts(workdir / "known_hosts")
    targets = [parse_host_url(h.url.replace("https://", f"https://{h.user}@")) for h in lab.hosts]
    for host, target in zip(lab.hosts, targets):
        known.remember(target.address, target.port, host.thumbprint)
    client = HostsClient.connect(targets, lab.hosts[0].password, known)
    try:
        read = len(client.read_all())
        if read_at is not None:
            read_at.append(time.perf_counter())
        return read
    finally:
        client.close()


def naive_discovery(lab: Any) -> int:
    """What a first pyVmomi script does: SmartConnect, then walk attributes (each one a round trip)."""
    from pyVim.connect import Disconnect, SmartConnect

    read = 0
    for host in lab.hosts:
        address, port = host.url.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)
        si = SmartConnect(host=address, port=int(port), user=host.user, pwd=host.password)
        try:
            content = si.RetrieveContent()
            for datacenter in content.rootFolder.childEntity:
                for compute in datacenter.hostFolder.childEntity:
                    for system in compute.host:
                        facts = [system.name, system.config.product.version, system.runtime.bootTime]
                        network = system.configManager.networkSystem
                        info = network.networkInfo
                        facts += [info.pnic, info.vswitch, info.portgroup, info.vnic]
                        facts.append(system.configManager.virtualNicManager.info.netConfig)
                        for pnic in info.pnic:
                            if pnic.linkSpeed is not None:
                                facts.append(network.QueryNetworkHint(device=[pnic.device]))
                        read += 1 if facts else 0
        finally:
            Disconnect(si)
    return read


def per_host_figures(counts: Counts, gets: dict[str, int], rounds: int) -> dict[str, Any]:
    """Per host: requests per method (per round, GET included), all of them, and without Logout."""
    figures: dict[str, Any] = {}
    for host in sorted(set(counts) | set(gets)):
        methods = {m: n / rounds for m, n in sorted(counts.get(host, {}).items())}
        methods[SERVICE_VERSIONS] = gets.get(host, 0) / rounds
        requests = sum(methods.values())
        connect_discovery = requests - methods.get("Logout", 0)
        figures[host] = {
            "methods": methods,
            "requests": requests,
            "connect_discovery": connect_discovery,
            "within_budget": connect_discovery <= BUDGET_PER_HOST,
        }
    return figures


def _side(counts: Counts, gets: dict[str, int], rounds: int, times: list[float]) -> dict[str, Any]:
    hosts = per_host_figures(counts, gets, rounds)
    return {
        "per_host": hosts,
        "requests_per_host": statistics.mean(h["requests"] for h in hosts.values()),
        "connect_discovery_per_host": max(h["connect_discovery"] for h in hosts.values()),
        "within_budget": all(h["within_budget"] for h in hosts.values()),
        "wall_s_median": statistics.median(times),
        "wall_s_min": min(times),
    }


def _summarize(results: dict[str, Any]) -> dict[str, Any]:
    results["budget_per_host"] = BUDGET_PER_HOST
    results["requests_counted"] = (
        f"SOAP requests counted by the twin, plus the {SERVICE_VERSIONS} of each connection "
        "counted by the client"
    )
    results["ratio_requests"] = (
        results["naive"]["requests_per_host"] / results["adapter"]["requests_per_host"]
    )
    results["ratio_wall"] = results["naive"]["wall_s_median"] / results["adapter"]["wall_s_median"]
    results["problems"] = problems(results)
    return results


def problems(results: dict[str, Any]) -> list[str]:
    """The adapter's hosts over the budget, and hosts that were not read at once."""
    found = [
        f"discover: {host} took {figures['connect_discovery']:g} requests for connect + discovery"
        f" (Logout excluded), budget {BUDGET_PER_HOST}"
        for host, figures in sorted(results["adapter"]["per_host"].items())
        if not figures["within_budget"]
    ]
    c = results["concurrency"]
    if not c["concurrent"]:
        found.append(
            f"discover: with {c['delayed_method']} delayed {c['delay_s']} s on every host, connect +"
            f" discovery took {c['wall_s']} s, over {c['limit_s']} s: the hosts were not read at once"
        )
    return found


def _sides(lab: Any, workdir: Path) -> list[tuple[str, Callable[[], int]]]:
    return [("adapter", lambda: adapter_discovery(lab, workdir)), ("naive", lambda: naive_discovery(lab))]


def measure_in_child(rounds: int) -> dict[str, Any]:
    """The twin in its own process (no GIL shared with the measured code); counts from its --stats file."""
    sys.path.insert(0, str(Path(__file__).parent))
    from common import Twin

    results: dict[str, Any] = {"rounds": rounds, "twin": "child process"}
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("adapter", "naive"):
            twin = Twin(Path(tmp) / name)
            twin.start()
            lab = _Lab(twin.hosts)
            times = []
            gets = _GetCounter()
            try:
                with gets.counting():
                    for _ in range(rounds):
                        started = time.perf_counter()
                        run = dict(_sides(lab, Path(tmp)))[name]
                        assert run() == len(lab.hosts), f"{name} did not read every host"
                        times.append(time.perf_counter() - started)
            finally:
                counts = twin.stop()
            results["hosts"] = len(lab.hosts)
            results[name] = _side(counts, gets.per_host(lab.hosts), rounds, times)
    results["concurrency"] = concurrency()
    return _summarize(results)


class _Lab:
    def __init__(self, hosts: list[Any]) -> None:
        self.hosts = hosts


def measure_rounds(rounds: int) -> dict[str, Any]:
    """The twin in this process; ``rounds`` connections of each side, counts read between sides."""
    from vmesh_tui.sim.runner import start_lab

    results: dict[str, Any] = {"twin": "in process", "rounds": rounds}
    with tempfile.TemporaryDirectory() as tmp, start_lab(DEMO_LAB) as lab:
        results["hosts"] = len(lab.hosts)
        for name, run in _sides(lab, Path(tmp)):
            times = []
            gets = _GetCounter()
            before = _copy(lab.stats()["hosts"])
            with gets.counting():
                for _ in range(rounds):
                    started = time.perf_counter()
                    assert run() == len(lab.hosts), f"{name} did not read every host"
                    times.append(time.perf_counter() - started)
            counts = _minus(lab.stats()["hosts"], before)
            results[name] = _side(counts, gets.per_host(lab.hosts), rounds, times)
    results["concurrency"] = concurrency()
    return _summarize(results)


def _timed_discovery(lab_file: Path, workdir: Path) -> tuple[int, float, Counts]:
    """Hosts read, seconds of connect + read_all (Logout excluded) and the twin's counts, on a fresh lab."""
    from vmesh_tui.sim.runner import start_lab

    with start_lab(lab_file) as lab:
        started = time.perf_counter()
        read_at: list[float] = []
        read = adapter_discovery(lab, workdir, read_at)
        return read, read_at[0] - started, _copy(lab.stats()["hosts"])


def concurrency(delay_s: float = CONCURRENCY_DELAY_S) -> dict[str, Any]:
    """Adapter connect + discovery on a lab whose hosts each answer RetrievePropertiesEx ``delay_s`` late.

    Read one after the other, the hosts would take at least twice the delay; below 1.5x they were read
    at once. The same work without the delay is measured too (``baseline_s``: what the rest costs).
    """
    with tempfile.TemporaryDirectory() as tmp:
        lab_file = Path(tmp) / "delayed.toml"
        faults = "".join(
            f'\n[[fault]]\nhost = "{host}"\nmethod = "{CONCURRENCY_METHOD}"\n'
            f'kind = "delay"\ndelay_s = {delay_s}\n'
            for host in ("esx-a.lab.local", "esx-b.lab.local")
        )
        lab_file.write_text(DEMO_LAB.read_text(encoding="utf-8") + faults, encoding="utf-8")
        _, baseline, _ = _timed_discovery(DEMO_LAB, Path(tmp))
        read, wall, counts = _timed_discovery(lab_file, Path(tmp))
    return {
        "hosts": read,
        "delay_s": delay_s,
        "delayed_method": CONCURRENCY_METHOD,
        "delayed_calls_per_host": {h: c.get(CONCURRENCY_METHOD, 0) for h, c in counts.items()},
        "wall_s": round(wall, 3),
        "baseline_s": round(baseline, 3),
        "limit_s": CONCURRENCY_FACTOR * delay_s,
        "wall_over_delay": round(wall / delay_s, 2),
        "concurrent": wall < CONCURRENCY_FACTOR * delay_s,
    }


def measure(quick: bool = False, rounds: int | None = None) -> dict[str, Any]:
    """The figures as tests/benchmarks/README.md asks (``quick``: 2 rounds, else 5), twin in process.

    ``rounds`` overrides the count; ``measure(5)`` (an int, as bench modules were first called) means
    5 rounds too.
    """
    if rounds is None:
        rounds = quick if type(quick) is int else (2 if quick else 5)
    return measure_rounds(max(1, rounds))


def _print(results: dict[str, Any]) -> None:
    print(
        f"discovery of {results['hosts']} hosts, twin {results['twin']}, median of {results['rounds']} rounds"
    )
    print(f"(requests per round: {results['requests_counted']})")
    for name in ("adapter", "naive"):
        row = results[name]
        print(
            f"  {name:8} {row['requests_per_host']:5.1f} requests/host  {row['wall_s_median'] * 1000:7.1f} ms"
        )
        for host, figures in row["per_host"].items():
            verdict = "within" if figures["within_budget"] else "OVER"
            print(
                f"    {host}: connect+discovery {figures['connect_discovery']:g} without Logout "
                f"({verdict} the budget of {results['budget_per_host']})"
            )
            methods = ", ".join(f"{m} {n:g}" for m, n in figures["methods"].items())
            print(f"      {methods}")
    print(
        f"  naive/adapter: {results['ratio_requests']:.1f}x requests, {results['ratio_wall']:.1f}x wall time"
    )
    c = results["concurrency"]
    print(
        f"  concurrency: {c['delayed_method']} delayed {c['delay_s']} s on every host: connect+discovery "
        f"{c['wall_s']:.2f} s = {c['wall_over_delay']}x the delay "
        f"({'hosts read at once' if c['concurrent'] else 'NOT concurrent'}; limit {c['limit_s']:.2f} s; "
        f"{c['baseline_s']:.2f} s without the delay)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=None, help="rounds per side (default 5, --quick 2)")
    parser.add_argument("--quick", action="store_true", help="2 rounds")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument("--in-process", action="store_true", help="serve the twin in this process")
    args = parser.parse_args(argv)
    rounds = max(1, args.rounds if args.rounds is not None else (2 if args.quick else 5))
    try:
        results = measure_rounds(rounds) if args.in_process else measure_in_child(rounds)
    except ImportError as exc:
        print(f"bench_discovery: the twin is not available ({exc})", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(results))
    else:
        _print(results)
    for problem in results["problems"]:
        print(f"PROBLEM {problem}", file=sys.stderr)
    return 1 if results["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
