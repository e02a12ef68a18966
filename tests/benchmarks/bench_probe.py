"""The cable probe's cost: requests per host and wall time against the CDP interval, guarded.

`vmesh-tui discover --probe --json` (default timeout 90 s, so one poll every 2 s) against the twin in a
child process, on two labs whose hosts advertise CDP every 5 s: the built-in demo lab (two hosts, four
straight cables) and a three-host mesh with two crossed cables per pair (tests/labs/mesh3.toml, its
interval set to 5 s). Every cable must come back verified; requests per host and the command's wall time
are held to budgets.py (PROBE_*): one interval + 10 s, and 8 + ceil(interval / poll) + 2 requests.
Usage: python tests/benchmarks/bench_probe.py [--quick] [--json]; exit 1 when a budget is missed.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from budgets import probe_problems, probe_request_limit  # noqa: E402
from common import BenchError, Twin, run_child, summary, tool_argv, tool_env, total_requests  # noqa: E402

INTERVAL_S = 5.0  # the demo lab's cdp_interval_s; the mesh is rewritten to it
POLL_S = 2.0  # the probe's poll with its default 90 s timeout (a twentieth of it, at most 2 s)
MESH = HERE.parent / "labs" / "mesh3.toml"
LABS = {"demo": (None, 4), "mesh3": (MESH, 6)}  # lab file (None: the built-in demo), cables expected


def _lab_file(name: str, workdir: Path) -> Path | None:
    path = LABS[name][0]
    if path is None:
        return None
    text = re.sub(r"cdp_interval_s = [0-9.]+", f"cdp_interval_s = {INTERVAL_S:g}", path.read_text())
    text = re.sub(r"cdp_holdtime_s = [0-9.]+", f"cdp_holdtime_s = {3 * INTERVAL_S:g}", text)
    written = workdir / f"{name}.toml"
    written.write_text(text)
    return written


def _one(name: str, workdir: Path) -> dict[str, Any]:
    """One probe on a fresh twin: wall time, requests per host, and what it found."""
    workdir.mkdir(parents=True, exist_ok=True)
    with Twin(workdir / "twin", lab=_lab_file(name, workdir)) as twin:
        env = tool_env(workdir / "home", twin.password)
        run = run_child(tool_argv("discover", twin.hosts, "--probe", "--json"), env, workdir / "probe")
    if run.returncode != 0:
        raise BenchError(f"discover --probe on {name} exited {run.returncode}: {run.stderr.strip()[-400:]}")
    found = run.json()
    verified = [c for c in found["cables"] if c["source"] == "cdp" and c["verified"]]
    return {
        "wall_s": run.wall_s,
        "requests": total_requests(twin.counts),
        "cables": len(found["cables"]),
        "verified": len(verified),
        "waited_s": found["probe"]["waited_s"],
        "hosts_unchanged": found["probe"]["ok"] and not found["probe"]["differences"],
    }


def measure(quick: bool = False) -> dict[str, Any]:
    """Both labs, 1 (quick) or 3 repetitions each; figures and the budgets' problems."""
    reps = 1 if quick else 3
    root = Path(tempfile.mkdtemp(prefix="bench-probe-"))
    result: dict[str, Any] = {"interval_s": INTERVAL_S, "poll_s": POLL_S, "labs": {}, "problems": []}
    result["request_budget_per_host"] = probe_request_limit(INTERVAL_S, POLL_S)
    result["wall_budget_s"] = INTERVAL_S + 10.0
    for name, (_, cables) in LABS.items():
        runs = [_one(name, root / f"{name}-{i}") for i in range(reps)]
        most: dict[str, int] = {}
        for run in runs:
            for host, count in run["requests"].items():
                most[host] = max(most.get(host, 0), count)
        walls = [run["wall_s"] for run in runs]
        result["labs"][name] = {
            "wall_s": summary(walls),
            "waited_s": summary([run["waited_s"] for run in runs]),
            "requests_max_per_host": most,
            "cables": [run["cables"] for run in runs],
        }
        result["problems"] += probe_problems(f"probe {name}", most, max(walls), INTERVAL_S, POLL_S)
        for run in runs:
            if run["verified"] != cables or run["cables"] != cables:
                result["problems"].append(f"probe {name}: {run['verified']} of {cables} cables verified")
            if not run["hosts_unchanged"]:
                result["problems"].append(f"probe {name}: the hosts were not left as they were")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="one repetition per lab")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    result = measure(args.quick)
    if args.json:
        print(json.dumps(result, sort_keys=True))
    else:
        for name, lab in result["labs"].items():
            print(
                f"{name}: wall median {lab['wall_s']['median']:.1f} s (budget {result['wall_budget_s']:g}),"
                f" listened {lab['waited_s']['median']:.1f} s, requests per host"
                f" {lab['requests_max_per_host']} (budget {result['request_budget_per_host']})"
            )
        for problem in result["problems"]:
            print(f"PROBLEM {problem}")
    return 1 if result["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
