"""The benchmark runner's other parts: bench modules, the reliability suites, ratios and the table."""

from __future__ import annotations

import asyncio
import importlib
import inspect
import shutil
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from budgets import REQUEST_BUDGETS
from common import BenchError, ratio
from reliability import RELIABILITY_MATRICES

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
BENCH_MODULES = ("bench_discovery", "bench_apply", "bench_tui", "bench_twin", "bench_probe")
APPLY_LATENCY_MS = 100.0  # per configuration call, as ESXi's hostd takes roughly
HEADER = (
    f"{'measurement':<40} {'wall median (min-max)':<24} {'req/host':>8} {'max/budg':>8} {'logins':>6}"
    f" {'peak RSS MB':>11}"
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


def module_problems(modules: dict[str, Any]) -> list[str]:
    """Each bench module's own problems, and modules that could not run (their figures are missing)."""
    problems = []
    for name, found in modules.items():
        if found.get("error"):
            problems.append(f"{name}: {found['error']}")
        result = found.get("result")
        if isinstance(result, dict):
            problems += [f"{name}: {p}" for p in result.get("problems", [])]
    return problems


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


def _matrix(counts: dict[str, Any], name: str) -> str:
    if not counts["run"]:
        return f"{name} not run"
    return (
        f"{name} {counts['tried']} of {counts['collected']} collected tried,"
        f" {counts['not_as_expected']} not as expected"
    )


def table(summary: dict[str, Any]) -> str:
    """The human table: measurements, ratios, the peer's gaps, reliability, bench modules, problems."""
    lines = [HEADER]
    for name, m in summary["measurements"].items():
        logins = _median_logins(m)
        budget = REQUEST_BUDGETS.get(name)
        most = max(m.get("requests_max_per_host", {}).values(), default=0)
        lines.append(
            f"{m['label']:<40} {_span(m['wall_s'], ' s'):<24} {m['requests_per_host_median'] or 0:>8.0f} "
            f"{most:>4.0f}/{budget.limit(m['links']) if budget else '-':<3} "
            f"{logins or 0:>6.0f} {m['peak_rss_mb'].get('median', 0):>11.1f}"
        )
    screen = summary.get("first_screen")
    if screen:
        lines.append(f"{screen['label']:<40} {_span(screen['wall_s'], ' s'):<24} {'':>8} {'':>8} {'':>6} "
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
        again = equivalence.get("second_run_changed") or {}
        counts = ", ".join(f"{task}: {n}" for task, n in again.items()) or "not run"
        verdict = "changed=false for every task" if equivalence.get("idempotent") else "NOT idempotent"
        lines.append(f"peer's second identical run: {verdict} (changed items per task: {counts})")
    rel = summary.get("reliability")
    if rel and "fault_points" in rel:
        h = rel["hypothesis"]
        matrices = "; ".join(_matrix(rel[group], group.replace("_", " ")) for group in RELIABILITY_MATRICES)
        lines.append(
            f"reliability: {matrices}; {h['property_tests']} property tests, {h['passing_examples']} examples"
            f" passed, {h['failing_examples']} failed ({rel['wall_s']} s)"
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
