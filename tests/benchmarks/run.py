#!/usr/bin/env python3
"""vmesh-tui benchmarks: the same work done by vmesh-tui, a naive pyVmomi script and Ansible, in one run.

    python tests/benchmarks/run.py [--quick] [--json] [--only NAME ...] [--reps N]

Every repetition gets a fresh twin (`vmesh-tui sim --demo` in a child process); requests per host come
from the twin's per-method counts, minus those of the setup (e.g. the apply before a validate). Prints a
table, then the JSON summary (with --json the summary is the last line). See tests/benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import common  # noqa: E402
import reliability  # noqa: E402
import report  # noqa: E402
from budgets import DEMO_LINKS, request_problems  # noqa: E402
from common import SUPERNET, BenchError, ChildRun, Twin, run_child, tool_argv, tool_env  # noqa: E402
from peer import driver  # noqa: E402

NAIVE = HERE / "peer" / "naive.py"
REBOOTED = "esx-b.lab.local"  # the host rebooted before `recover`
FIRST_SCREEN_MARKER = "step 1/"  # the wizard's first header, "step 1/7 Connect"


@dataclass
class Context:
    """One repetition's twin, private dirs and what the setup learnt (the plan, for the peer)."""

    twin: Twin
    workdir: Path
    venv: Path | None = None
    plan: dict[str, Any] = field(default_factory=dict)

    @property
    def env(self) -> dict[str, str]:
        return tool_env(self.workdir / "home", self.twin.password)

    def tool(self, command: str, *extra: str) -> ChildRun:
        return run_child(tool_argv(command, self.twin.hosts, *extra), self.env, self.workdir / command)

    def naive(self, mode: str, *extra: str) -> ChildRun:
        hosts = self.workdir / "hosts.json"
        hosts.write_text(
            json.dumps([{"name": h.name, "url": h.url, "user": h.user} for h in self.twin.hosts])
        )
        argv = [sys.executable, str(NAIVE), mode, "--hosts", str(hosts), *extra]
        return run_child(argv, self.env, self.workdir / f"naive-{mode}")


def _checked(run: ChildRun, what: str) -> ChildRun:
    if run.returncode != 0:
        raise BenchError(f"{what} exited {run.returncode}: {(run.stderr or run.stdout).strip()[-400:]}")
    return run


def _apply(ctx: Context) -> None:
    run = _checked(ctx.tool("apply", "--supernet", SUPERNET, "--yes", "--json"), "apply (setup)")
    links = len(run.json().get("links", []))
    if links != DEMO_LINKS:
        raise BenchError(f"the setup's apply made {links} links; the budgets assume the demo's {DEMO_LINKS}")


def _apply_and_reboot(ctx: Context) -> None:
    _apply(ctx)
    _checked(ctx.naive("reboot", "--host-name", REBOOTED), f"reboot of {REBOOTED} (setup)")


def _apply_shared_and_reboot(ctx: Context) -> None:
    layout = ("--layout", "shared")
    _checked(
        ctx.tool("apply", "--supernet", SUPERNET, *layout, "--yes", "--json"), "apply --layout shared (setup)"
    )
    _checked(ctx.naive("reboot", "--host-name", REBOOTED), f"reboot of {REBOOTED} (setup)")


def _plan_for_peer(ctx: Context) -> None:
    ctx.plan = _checked(ctx.tool("plan", "--supernet", SUPERNET, "--json"), "plan (setup)").json()


def _apply_for_peer(ctx: Context) -> None:
    _plan_for_peer(ctx)
    _apply(ctx)  # the same objects and names as the peer's playbook makes (see `equivalence`)


def _peer(ctx: Context, playbook: Path = driver.PLAYBOOK) -> ChildRun:
    assert ctx.venv is not None
    workdir = ctx.workdir / f"peer-{playbook.stem}"
    result = driver.run_playbook(ctx.twin.hosts, ctx.plan, ctx.twin.password, workdir, ctx.venv, playbook)
    if result.failures:
        raise BenchError(f"the peer's {playbook.name} failed: " + " | ".join(result.failures[:3]))
    return result.run


@dataclass(frozen=True)
class Measurement:
    name: str
    label: str
    measure: Callable[[Context], ChildRun]
    setup: Callable[[Context], None] | None = None
    compare_with: str | None = None  # the measurement this one is a baseline or peer of


PLAN_ARGS = ("--supernet", SUPERNET, "--json")
MEASUREMENTS = (
    Measurement("discover", "discover (vmesh-tui)", lambda c: c.tool("discover", "--json")),
    Measurement("naive_discover", "discover (naive pyVmomi walk)", lambda c: c.naive("discover"),
                compare_with="discover"),
    Measurement("plan", "plan", lambda c: c.tool("plan", *PLAN_ARGS)),
    Measurement("apply", "apply (vmesh-tui)", lambda c: c.tool("apply", *PLAN_ARGS, "--yes")),
    Measurement("peer_apply", "apply (Ansible community.vmware)", _peer, _plan_for_peer, "apply"),
    Measurement("validate", "validate", lambda c: c.tool("validate", "--json"), _apply),
    Measurement("revert", "revert", lambda c: c.tool("revert", "--yes", "--json"), _apply),
    Measurement("peer_revert", "revert (Ansible community.vmware)",
                lambda c: _peer(c, driver.REVERT_PLAYBOOK), _apply_for_peer, "revert"),
    Measurement("recover", "recover after a reboot", lambda c: c.tool("recover", "--yes", "--json"),
                _apply_and_reboot),
    Measurement("recover_shared", "recover after a reboot (shared vSwitch)",
                lambda c: c.tool("recover", "--yes", "--json"), _apply_shared_and_reboot),
)  # fmt: skip


RTT_MS = 0.0  # --rtt-ms: added to every answer by a TCP relay between the clients and the twin


def _one_run(m: Measurement, root: Path, venv: Path | None, measured: bool) -> tuple[ChildRun | None, Any]:
    workdir = Path(tempfile.mkdtemp(prefix=f"{m.name}-", dir=root))
    with Twin(workdir / "twin", rtt_ms=RTT_MS) as twin:
        ctx = Context(twin, workdir, venv)
        if m.setup is not None:
            m.setup(ctx)
        run = m.measure(ctx) if measured else None
    return run, twin.counts


def run_measurement(m: Measurement, reps: int, root: Path, venv: Path | None) -> dict[str, Any]:
    """Repeat one measurement on fresh twins; requests are those beyond the setup's."""
    base = _one_run(m, root, venv, measured=False)[1] if m.setup else {}
    walls, peaks, totals, exit_codes = [], [], [], []
    links = DEMO_LINKS
    requests: common.Counts = {}
    most: dict[str, int] = {}  # per host, the most requests of any repetition (held to the budget)
    for _ in range(reps):
        run, counts = _one_run(m, root, venv, measured=True)
        assert run is not None
        walls.append(run.wall_s)
        peaks.append(run.peak_rss_mb)
        exit_codes.append(run.returncode)
        links = _links(run, links)
        requests = common.subtract(counts, base)
        totals.append(sum(common.total_requests(requests).values()))
        for host, count in common.total_requests(requests).items():
            most[host] = max(count, most.get(host, 0))
    per_host = common.total_requests(requests)
    return {
        "label": m.label,
        "compare_with": m.compare_with,
        "wall_s": common.summary(walls),
        "peak_rss_mb": common.summary(peaks),
        "requests_per_host": per_host,
        "requests_per_host_median": common.summary([v for v in per_host.values()]).get("median"),
        "requests_by_method": requests,
        "requests_same_every_run": len(set(totals)) == 1,
        "requests_max_per_host": most,
        "logins_per_host": {h: methods.get("Login", 0) for h, methods in requests.items()},
        "exit_codes": exit_codes,
        "links": links,
    }


def _links(run: ChildRun, default: int) -> int:
    """How many links a command's JSON names (apply, plan, validate), else ``default``."""
    try:
        found = run.json()
    except (BenchError, ValueError):
        return default
    links = found.get("links") if isinstance(found, dict) else None
    return len(links) if isinstance(links, list) and links else default


def first_screen(reps: int, root: Path) -> dict[str, Any]:
    """`vmesh-tui demo` (its own twin in-process) on an 80x24 pty: seconds until the first wizard screen."""
    walls, peaks = [], []
    for _ in range(reps):
        home = Path(tempfile.mkdtemp(prefix="demo-", dir=root))
        env = tool_env(home, "unused")
        env.pop("VMESH_PASSWORD")
        env.setdefault("TERM", "xterm-256color")
        run = common.time_to_text([sys.executable, "-m", "vmesh_tui", "demo"], env, FIRST_SCREEN_MARKER)
        walls.append(run.wall_s)
        peaks.append(run.peak_rss_mb)
    return {
        "label": "demo: time to first screen (80x24 pty)",
        "marker": FIRST_SCREEN_MARKER,
        "wall_s": common.summary(walls),
        "peak_rss_mb": common.summary(peaks),
    }


def equivalence(root: Path, venv: Path) -> dict[str, Any]:
    """Apply with vmesh-tui and with the peer on two fresh twins; compare the resulting host state.
    The peer's playbook then runs a second time, unchanged: every task must report changed=false."""
    states = {}
    second_run: dict[str, int] = {}
    for side in ("ours", "peer"):
        workdir = Path(tempfile.mkdtemp(prefix=f"equivalence-{side}-", dir=root))
        with Twin(workdir / "twin", rtt_ms=RTT_MS) as twin:
            ctx = Context(twin, workdir, venv)
            if side == "ours":
                _apply(ctx)
            else:
                _plan_for_peer(ctx)
                _peer(ctx)
                second_run = _peer_again(ctx)
            states[side] = _checked(ctx.naive("state"), f"state read after {side}").json()["hosts"]
    from peer.naive import differences

    diffs = differences(states["ours"], states["peer"])
    return {
        "same_state": not diffs,
        "differences": diffs,
        "gaps": [list(g) for g in driver.PEER_GAPS],
        "second_run_changed": second_run,
        "idempotent": bool(second_run) and not any(second_run.values()),
    }


def _peer_again(ctx: Context) -> dict[str, int]:
    """The same playbook once more on the same hosts: per task, the loop items Ansible changed."""
    assert ctx.venv is not None
    workdir = ctx.workdir / "peer-again"
    result = driver.run_playbook(ctx.twin.hosts, ctx.plan, ctx.twin.password, workdir, ctx.venv)
    if result.failures:
        raise BenchError("the peer's second run failed: " + " | ".join(result.failures[:3]))
    return result.changed_by_task


def _measure_part(m: Measurement, summary: dict[str, Any], reps: int, root: Path, venv: Path | None) -> None:
    """One measurement into the summary; its exit codes and requests per host held to the budgets."""
    report.progress(f"measuring {m.label} x{reps}")
    try:
        found = summary["measurements"][m.name] = run_measurement(m, reps, root, venv)
    except BenchError as exc:
        summary["problems"].append(f"{m.name}: {exc}")
        return
    if any(found["exit_codes"]):
        summary["problems"].append(f"{m.name}: exit codes {found['exit_codes']} (expected 0)")
    summary["problems"] += request_problems(m.name, found["requests_max_per_host"], found["links"])


def _other_parts(
    wanted: set[str], summary: dict[str, Any], reps: int, root: Path, venv: Path | None, quick: bool
) -> None:
    """The first screen, the equivalence check, the bench modules and reliability, each with its problems."""
    problems = summary["problems"]
    if "first_screen" in wanted:
        report.progress("timing the demo's first screen")
        try:
            summary["first_screen"] = first_screen(reps, root)
        except BenchError as exc:
            problems.append(f"first_screen: {exc}")
    if "equivalence" in wanted and venv is not None:
        report.progress("comparing the hosts' state after vmesh-tui and after the peer")
        try:
            summary["equivalence"] = equivalence(root, venv)
            problems += [f"equivalence: {d}" for d in summary["equivalence"]["differences"]]
            problems += [
                f"equivalence: the peer's second identical run changed {n} item(s) in task {task!r}"
                for task, n in summary["equivalence"].get("second_run_changed", {}).items()
                if n
            ]
        except BenchError as exc:
            problems.append(f"equivalence: {exc}")
    if "modules" in wanted:
        summary["modules"] = report.bench_modules(quick)
        problems += report.module_problems(summary["modules"])
    if "reliability" in wanted:
        report.progress("running the engine's fault and crash matrices and the property tests")
        summary["reliability"] = reliability.measure(quick, root)
        problems += reliability.problems(summary["reliability"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions and a bounded test run")
    parser.add_argument("--json", action="store_true", help="make the JSON summary the last line of output")
    parser.add_argument("--reps", type=int, help="repetitions per measurement (default 5, --quick 2)")
    names = [m.name for m in MEASUREMENTS] + ["first_screen", "equivalence", "reliability", "modules"]
    parser.add_argument("--only", action="append", choices=names, help="run only these parts (repeat)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs, inventories)")
    parser.add_argument(
        "--rtt-ms",
        type=float,
        default=0.0,
        help="network round-trip time to emulate between clients and hosts",
    )
    args = parser.parse_args(argv)
    global RTT_MS
    RTT_MS = args.rtt_ms
    reps = args.reps or (2 if args.quick else 5)
    wanted = set(args.only or names)
    root = Path(tempfile.mkdtemp(prefix="vmesh-bench-"))
    started = time.perf_counter()
    summary: dict[str, Any] = {"quick": args.quick, "reps": reps, "rtt_ms": RTT_MS, "measurements": {}}
    summary["problems"] = []
    venv = None
    peer_parts = {"peer_apply", "peer_revert", "equivalence"}
    if wanted & peer_parts:
        try:
            venv = driver.ensure_venv()
        except BenchError as exc:
            summary["problems"].append(f"peer: {exc}")
            wanted -= peer_parts
    for m in MEASUREMENTS:
        if m.name in wanted:
            _measure_part(m, summary, 1 if m.setup and args.quick else reps, root, venv)
    _other_parts(wanted, summary, reps, root, venv, args.quick)
    summary["ratios"] = report.ratios(summary["measurements"])
    summary["ratios"].update(report.module_ratios(summary.get("modules", {})))
    summary["total_s"] = round(time.perf_counter() - started, 1)
    print(report.table(summary))
    print(json.dumps(summary, sort_keys=True))
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)
    else:
        print(f"work directory kept: {root}", file=sys.stderr)
    return 0 if not summary["problems"] else 1


if __name__ == "__main__":
    sys.exit(main())
