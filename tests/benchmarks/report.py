"""The benchmark runner's other parts: bench modules, the reliability suites, ratios and the table."""

from __future__ import annotations

import asyncio
import importlib
import inspect
import re
import shutil
import subprocess
import sys
import time
import traceback
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from common import BenchError, ratio

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
BENCH_MODULES = ("bench_discovery", "bench_apply", "bench_tui")
APPLY_LATENCY_MS = 100.0  # per configuration call, as ESXi's hostd takes roughly
RELIABILITY_QUICK = ("tests/engine/test_faults_twin.py", "tests/core", "tests/sim/test_soap_fuzz.py")
RELIABILITY_FULL = (
    "tests/engine",
    "tests/core",
    "tests/sim/test_soap_fuzz.py",
    "tests/sim/test_hostnet_props.py",
)
# "40 passing, 0 failing, and 7 invalid test cases" (hypothesis 6.1xx) or "... passing examples, ..." (older)
EXAMPLES = re.compile(r"(\d+) passing(?: examples?)?, (\d+) failing(?: examples?)?, (?:and )?(\d+) invalid")
TEST_HEADER = re.compile(r"^(\S+::\S+):$")
CRASH = re.compile("crash|kill")
HEADER = (
    f"{'measurement':<40} {'wall median (min-max)':<24} {'req/host':>8} {'logins':>6} {'peak RSS MB':>11}"
)


def progress(text: str) -> None:
    print(f"[bench] {text}", file=sys.stderr, flush=True)


def bench_modules(quick: bool) -> dict[str, Any]:
    """Call `measure(...)` of each bench_*.py written by the other parts' engineers, when present."""
    found: dict[str, Any] = {}
    for name in BENCH_MODULES:
        if not (HERE / f"{name}.py").exists():
            found[name] = {"missing": True}
            continue
        progress(f"running {name}.measure (quick={quick})")
        started = time.perf_counter()
        try:
            found[name] = {"result": _call_measure(importlib.import_module(name), quick)}
        except Exception as exc:  # a broken bench module must not hide the others' figures
            last = traceback.format_exception_only(type(exc), exc)[-1].strip()
            found[name] = {"error": last}
        found[name]["wall_s"] = round(time.perf_counter() - started, 2)
    return found


def _call_measure(module: Any, quick: bool) -> Any:
    """measure(quick) as README.md asks; also the signatures the modules were first written with."""
    measure = getattr(module, "measure", None)
    if measure is None and hasattr(module, "time_to_screens"):  # bench_tui as first written
        if shutil.which("tmux") is None:
            raise BenchError("bench_tui needs tmux for its start-up measurement; install tmux")
        figures: dict[str, Any] = module.time_to_screens(runs=1 if quick else 3)
        if hasattr(module, "peak_memory_mb"):
            figures["peak_rss_mb_full_walk"] = module.peak_memory_mb()
        return figures
    if measure is None:
        raise BenchError(f"{module.__name__}.py has no measure(quick) function")
    params = inspect.signature(measure).parameters
    if "quick" in params:
        result = measure(quick=quick)
    elif "rounds" in params:  # bench_discovery.measure(rounds)
        result = measure(rounds=2 if quick else 5)
    elif "latency_ms" in params:  # bench_apply.measure(latency_ms), a coroutine
        result = measure(latency_ms=APPLY_LATENCY_MS)
    else:
        result = measure()
    return asyncio.run(result) if inspect.iscoroutine(result) else result


def reliability(quick: bool, workdir: Path) -> dict[str, Any]:
    """Run the engine's fault/crash matrices and the property tests; count points and examples."""
    paths = RELIABILITY_QUICK if quick else RELIABILITY_FULL
    xml = workdir / "reliability.xml"
    argv = [sys.executable, "-m", "pytest", *paths, "-q", "-p", "no:cacheprovider", "--junitxml", str(xml)]
    argv.append("--hypothesis-show-statistics")
    started = time.perf_counter()
    try:
        done = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=300 if quick else 1200)
    except subprocess.TimeoutExpired:
        return {"error": "the suites took too long and were stopped", "command": " ".join(argv[2:])}
    result: dict[str, Any] = {"error": done.stdout[-400:] + done.stderr[-400:]}
    if xml.exists():
        result = junit_counts(xml)
    result["hypothesis"] = hypothesis_counts(done.stdout)
    result["wall_s"] = round(time.perf_counter() - started, 1)
    result["command"] = "python -m pytest " + " ".join(argv[3:])
    result["exit_code"] = done.returncode
    return result


def _outcome(case: ET.Element) -> str:
    if case.find("failure") is not None or case.find("error") is not None:
        return "failed"
    return "skipped" if case.find("skipped") is not None else "passed"


def junit_counts(xml: Path) -> dict[str, Any]:
    """Fault points (tests named *fault*) and crash points (*crash*/*killed*) tried and failed."""
    groups: dict[str, dict[str, int]] = {}
    for case in ET.parse(xml).getroot().iter("testcase"):
        name = case.get("name", "")
        group = (
            "fault_points"
            if "fault" in name
            else "crash_points"
            if re.search("crash|kill", name)
            else "other"
        )
        counts = groups.setdefault(group, {"passed": 0, "failed": 0, "skipped": 0})
        counts[_outcome(case)] += 1
    result: dict[str, Any] = {"tests": groups.pop("other", {})}
    for group in ("fault_points", "crash_points"):
        counts = groups.get(group, {"passed": 0, "failed": 0, "skipped": 0})
        tried = counts["passed"] + counts["failed"]
        result[group] = {"tried": tried, "not_as_expected": counts["failed"], "skipped": counts["skipped"]}
    return result


def hypothesis_counts(output: str) -> dict[str, Any]:
    """Examples per property test from pytest's --hypothesis-show-statistics output."""
    per_test: dict[str, list[int]] = {}
    current = None
    for line in output.splitlines():
        header = TEST_HEADER.match(line.strip())
        if header:
            current = header.group(1)
            per_test.setdefault(current, [0, 0, 0])
            continue
        found = EXAMPLES.search(line)
        if found and current:
            per_test[current] = [a + int(b) for a, b in zip(per_test[current], found.groups())]
    totals = [sum(v[i] for v in per_test.values()) for i in range(3)]
    return {
        "property_tests": len(per_test),
        "passing_examples": totals[0],
        "failing_examples": totals[1],
        "invalid_examples": totals[2],
        "per_test": {name: v[0] for name, v in sorted(per_test.items())},
    }


def ratios(measurements: dict[str, Any]) -> dict[str, Any]:
    """For each baseline or peer: how many times more requests, time and memory it needs than ours."""
    found = {}
    for name, theirs in measurements.items():
        ours = measurements.get(theirs.get("compare_with") or "")
        if not ours:
            continue
        found[f"{name}/{theirs['compare_with']}"] = {
            "requests_per_host": ratio(ours["requests_per_host_median"], theirs["requests_per_host_median"]),
            "wall_time": ratio(ours["wall_s"].get("median"), theirs["wall_s"].get("median")),
            "peak_rss": ratio(ours["peak_rss_mb"].get("median"), theirs["peak_rss_mb"].get("median")),
            "logins_per_host": ratio(_median_logins(ours), _median_logins(theirs)),
        }
    return found


def module_ratios(modules: dict[str, Any]) -> dict[str, Any]:
    """The baselines measured inside bench modules: one host after the other, the naive walk."""
    found: dict[str, Any] = {}
    applied = modules.get("bench_apply", {}).get("result") or {}
    if applied.get("apply_concurrent_s") and applied.get("apply_sequential_s"):
        found["apply_one_host_after_the_other/apply_hosts_at_once (bench_apply)"] = {
            "wall_time": ratio(applied["apply_concurrent_s"], applied["apply_sequential_s"]),
        }
    discovered = modules.get("bench_discovery", {}).get("result") or {}
    if discovered.get("ratio_requests"):
        found["naive_walk/adapter (bench_discovery)"] = {
            "requests_per_host": round(discovered["ratio_requests"], 2),
            "wall_time": round(discovered.get("ratio_wall") or 0, 2) or None,
        }
    return found


def _median_logins(measurement: dict[str, Any]) -> float | None:
    logins = sorted(measurement.get("logins_per_host", {}).values())
    return float(logins[len(logins) // 2]) if logins else None


def _span(stats: dict[str, Any], unit: str, digits: int = 2) -> str:
    if not stats:
        return "-"
    return f"{stats['median']:.{digits}f}{unit} ({stats['min']:.{digits}f}-{stats['max']:.{digits}f})"


def _flat(result: Any, prefix: str = "") -> str:
    """A bench module's figures on one line: nested keys joined with '.', floats to 3 digits."""
    if not isinstance(result, dict):
        return str(result)
    parts = []
    for key, value in result.items():
        if key == "requests_by_method":
            continue
        if isinstance(value, dict):
            parts.append(_flat(value, f"{prefix}{key}."))
        else:
            parts.append(f"{prefix}{key}={round(value, 3) if isinstance(value, float) else value}")
    return ", ".join(p for p in parts if p)


def table(summary: dict[str, Any]) -> str:
    """The human table: measurements, ratios, the peer's gaps, reliability, bench modules, problems."""
    lines = [
        f"{'measurement':<40} {'wall median (min-max)':<24} {'req/host':>8} {'logins':>6} {'peak RSS MB':>11}"
    ]
    for m in summary["measurements"].values():
        logins = _median_logins(m)
        lines.append(
            f"{m['label']:<40} {_span(m['wall_s'], ' s'):<24} {m['requests_per_host_median'] or 0:>8.0f} "
            f"{logins or 0:>6.0f} {m['peak_rss_mb'].get('median', 0):>11.1f}"
        )
    screen = summary.get("first_screen")
    if screen:
        lines.append(f"{screen['label']:<40} {_span(screen['wall_s'], ' s'):<24} {'':>8} {'':>6} "
                     f"{screen['peak_rss_mb'].get('median', 0):>11.1f}")  # fmt: skip
    for key, r in summary.get("ratios", {}).items():
        shown = ", ".join(f"{k} x{v}" for k, v in r.items() if v is not None)
        lines.append(f"ratio {key} (theirs/ours): {shown}")
    equivalence = summary.get("equivalence")
    if equivalence:
        lines.append(f"{'capability':<40} {'vmesh-tui':<32} peer (Ansible community.vmware)")
        lines.extend(f"{a:<40} {b:<32} {c}" for a, b, c in equivalence["gaps"])
        same = (
            "identical"
            if equivalence["same_state"]
            else "different: " + "; ".join(equivalence["differences"])
        )
        lines.append(f"host state after both (vmesh-* objects): {same}")
    rel = summary.get("reliability")
    if rel and "fault_points" in rel:
        f, c, h = rel["fault_points"], rel["crash_points"], rel["hypothesis"]
        crash = f"{c['tried']} tried, {c['not_as_expected']} not as expected" if c["tried"] else "not run"
        lines.append(
            f"reliability: fault points {f['tried']} tried, {f['not_as_expected']} not as expected; "
            f"crash points {crash}; "
            f"{h['property_tests']} property tests, {h['passing_examples']} examples passed, "
            f"{h['failing_examples']} failed ({rel['wall_s']} s)"
        )
    elif rel:
        lines.append(f"reliability: {rel.get('error')}")
    for name, found in summary.get("modules", {}).items():
        state = (
            "not written yet" if found.get("missing") else found.get("error") or _flat(found.get("result"))
        )
        lines.append(f"{name}: {state}")
    lines.extend(f"PROBLEM {p}" for p in summary["problems"])
    lines.append(f"total {summary['total_s']} s")
    return "\n".join(lines)
