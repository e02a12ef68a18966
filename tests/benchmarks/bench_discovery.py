"""Discovery cost: the adapter's connect + read_all versus a naive pyVmomi attribute walk, on the twin.

Run: python tests/benchmarks/bench_discovery.py [--rounds N] [--json] [--in-process]
Both sides connect afresh each round to the built-in demo lab (served by the twin in a child process,
or in this one) and read the same facts; requests are counted by the twin per host and method.
Prints requests per host, the median wall time of each, and the ratios naive / adapter.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

DEMO_LAB = Path(__file__).parents[2] / "vmesh_tui" / "sim" / "demo.toml"


def _total(lab: Any) -> dict[str, int]:
    return {name: sum(counts.values()) for name, counts in lab.stats()["hosts"].items()}


def adapter_discovery(lab: Any, workdir: Path) -> int:
    """Connect to every host and read them all; returns how many hosts were read."""
    from vmesh_tui.vsphere.client import HostsClient
    from vmesh_tui.vsphere.knownhosts import KnownHosts
    from vmesh_tui.vsphere.targets import parse_host_url

    known = KnownHosts(workdir / "known_hosts")
    targets = [parse_host_url(h.url.replace("https://", f"https://{h.user}@")) for h in lab.hosts]
    for host, target in zip(lab.hosts, targets, strict=True):
        known.remember(target.address, target.port, host.thumbprint)
    client = HostsClient.connect(targets, lab.hosts[0].password, known)
    try:
        return len(client.read_all())
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


def _summarize(results: dict[str, Any]) -> dict[str, Any]:
    results["ratio_requests"] = (
        results["naive"]["requests_per_host"] / results["adapter"]["requests_per_host"]
    )
    results["ratio_wall"] = results["naive"]["wall_s_median"] / results["adapter"]["wall_s_median"]
    return results


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
            try:
                for _ in range(rounds):
                    started = time.perf_counter()
                    read = adapter_discovery(lab, Path(tmp)) if name == "adapter" else naive_discovery(lab)
                    assert read == len(lab.hosts), f"{name} did not read every host"
                    times.append(time.perf_counter() - started)
            finally:
                counts = twin.stop()
            requests = sum(sum(c.values()) for c in counts.values())
            results["hosts"] = len(lab.hosts)
            results[name] = {
                "requests_per_host": requests / rounds / len(lab.hosts),
                "wall_s_median": statistics.median(times),
                "wall_s_min": min(times),
            }
    return _summarize(results)


class _Lab:
    def __init__(self, hosts: list[Any]) -> None:
        self.hosts = hosts


def measure(rounds: int) -> dict[str, Any]:
    """The twin in this process, counts read between rounds."""
    from vmesh_tui.sim.runner import start_lab

    results: dict[str, Any] = {"twin": "in process"}
    with tempfile.TemporaryDirectory() as tmp, start_lab(DEMO_LAB) as lab:
        hosts = len(lab.hosts)
        for name, run in (
            ("adapter", lambda: adapter_discovery(lab, Path(tmp))),
            ("naive", lambda: naive_discovery(lab)),
        ):
            times, requests = [], []
            for _ in range(rounds):
                before = _total(lab)
                started = time.perf_counter()
                assert run() == hosts, f"{name} did not read every host"
                times.append(time.perf_counter() - started)
                after = _total(lab)
                requests.append(sum(after.values()) - sum(before.values()))
            results[name] = {
                "requests_per_host": statistics.median(requests) / hosts,
                "wall_s_median": statistics.median(times),
                "wall_s_min": min(times),
            }
        results["hosts"] = hosts
        results["rounds"] = rounds
    results["ratio_requests"] = (
        results["naive"]["requests_per_host"] / results["adapter"]["requests_per_host"]
    )
    results["ratio_wall"] = results["naive"]["wall_s_median"] / results["adapter"]["wall_s_median"]
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument("--in-process", action="store_true", help="serve the twin in this process")
    args = parser.parse_args(argv)
    try:
        rounds = max(1, args.rounds)
        results = measure(rounds) if args.in_process else measure_in_child(rounds)
    except ImportError as exc:
        print(f"bench_discovery: the twin is not available ({exc})", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(results))
        return 0
    print(
        f"discovery of {results['hosts']} hosts, twin {results['twin']}, median of {results['rounds']} rounds"
    )
    print("(SOAP requests per round, incl. Logout;")
    print("each side also makes one GET /sdk/vimServiceVersions.xml per host, not counted by the twin)")
    for name in ("adapter", "naive"):
        row = results[name]
        print(
            f"  {name:8} {row['requests_per_host']:5.1f} requests/host  {row['wall_s_median'] * 1000:7.1f} ms"
        )
    print(
        f"  naive/adapter: {results['ratio_requests']:.1f}x requests, {results['ratio_wall']:.1f}x wall time"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
