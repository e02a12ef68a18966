"""The engine's reliability for the benchmark: the fault and crash matrices counted case by case.

Only the cases of the matrices below count, by the test ids pytest collects for them; each case ends with
the hosts exactly as expected (judged inside the test) or it is listed as a problem, as is a case that
skipped or did not run, a matrix that collects nothing, and a failing property test.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
# The engine's reliability is counted from these matrices only, case by case, by their collected test ids:
# fault points (a fault or a lost reply at each step of each host, and at the vMotion tag inside a vmk
# step) and crash points (apply killed after each step, then revert or apply again; discover --probe
# killed after each of its steps, then revert or probe again); lie points: a host that answers success
# and changes nothing (`kind = "ignored"`) at each step of apply, rollback, revert and recover.
IGNORED = "tests/engine/test_ignored_twin.py::"
RELIABILITY_MATRICES = {
    "fault_points": ("tests/engine/test_faults_twin.py::test_fault_at_every_step",),
    "lie_points": (
        IGNORED + "test_apply_catches_a_step_the_host_ignored",
        IGNORED + "test_rollback_says_what_an_ignored_undo_left",
        IGNORED + "test_revert_says_what_an_ignored_removal_left",
        IGNORED + "test_recover_catches_an_ignored_toggle",
    ),
    "crash_points": (
        "tests/engine/test_crash_twin.py::test_killed_apply_converges",
        "tests/engine/test_probe_crash_twin.py::test_killed_probe_leaves_nothing_after_revert_or_the_next_probe",
    ),
}
QUICK_MATRICES = ("fault_points", "lie_points")  # --quick: crash points (a killed process each) not run
PROPERTY_TESTS_QUICK = ("tests/core", "tests/sim/test_soap_fuzz.py")
PROPERTY_TESTS = (*PROPERTY_TESTS_QUICK, "tests/sim/test_hostnet_props.py")
# "40 passing, 0 failing, and 7 invalid test cases" (hypothesis 6.1xx) or "... passing examples, ..." (older)
EXAMPLES = re.compile(r"(\d+) passing(?: examples?)?, (\d+) failing(?: examples?)?, (?:and )?(\d+) invalid")
TEST_HEADER = re.compile(r"^(\S+::\S+):$")


def _pytest(*args: str, timeout_s: float) -> subprocess.CompletedProcess[str]:
    """pytest in a child; the matrices run in full (VMESH_FULL_MATRIX=1: the default suite runs a slice)."""
    argv = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args]
    env = dict(os.environ, VMESH_FULL_MATRIX="1")
    return subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=timeout_s, env=env)


def collected_ids(node_ids: tuple[str, ...]) -> list[str]:
    """The test ids pytest collects for ``node_ids`` (one per case of a parametrized matrix)."""
    done = _pytest("--collect-only", "-q", *node_ids, timeout_s=300)
    return [line.strip() for line in done.stdout.splitlines() if "::" in line and " " not in line.strip()]


def measure(quick: bool, workdir: Path) -> dict[str, Any]:
    """Run the fault/crash matrices and the property tests; count each matrix's cases by collected id."""
    groups = QUICK_MATRICES if quick else tuple(RELIABILITY_MATRICES)
    ids = {group: collected_ids(RELIABILITY_MATRICES[group]) for group in groups}
    nodes = [node for group in groups for node in RELIABILITY_MATRICES[group]]
    xml = workdir / "reliability.xml"
    args = [*nodes, *(PROPERTY_TESTS_QUICK if quick else PROPERTY_TESTS), "-q", "--junitxml", str(xml)]
    started = time.perf_counter()
    try:
        done = _pytest(*args, "--hypothesis-show-statistics", timeout_s=300 if quick else 1200)
    except subprocess.TimeoutExpired:
        return {"error": "the suites took too long and were stopped", "command": "pytest " + " ".join(args)}
    result: dict[str, Any] = {"error": done.stdout[-400:] + done.stderr[-400:]}
    if xml.exists():
        result = matrix_counts(xml, ids)
        for group in RELIABILITY_MATRICES:
            result.setdefault(group, {"run": False})
    result["hypothesis"] = hypothesis_counts(done.stdout)
    result["wall_s"] = round(time.perf_counter() - started, 1)
    shown = ["python -m pytest -p no:cacheprovider", *args, "--hypothesis-show-statistics"]
    result["command"] = " ".join(shown)
    result["exit_code"] = done.returncode
    return result


def _outcome(case: ET.Element) -> str:
    if case.find("failure") is not None or case.find("error") is not None:
        return "failed"
    return "skipped" if case.find("skipped") is not None else "passed"


def _node_id(case: ET.Element) -> str:
    """A junit testcase as pytest's id: classname tests.engine.test_x + name -> path::name."""
    parts = case.get("classname", "").split(".")
    for end in range(len(parts), 0, -1):  # the longest prefix that is a test file
        path = "/".join(parts[:end]) + ".py"
        if (REPO / path).exists():
            return "::".join([path, *parts[end:], case.get("name", "")])
    return "::".join([*parts, case.get("name", "")])


def matrix_counts(xml: Path, ids: dict[str, list[str]]) -> dict[str, Any]:
    """Per matrix run: cases collected, tried (passed or failed), failed ids, skipped and not run."""
    outcomes = {_node_id(case): _outcome(case) for case in ET.parse(xml).getroot().iter("testcase")}
    result: dict[str, Any] = {}
    for group, cases in ids.items():
        seen = [outcomes.get(case, "not run") for case in cases]
        result[group] = {
            "run": True,
            "collected": len(cases),
            "tried": seen.count("passed") + seen.count("failed"),
            "not_as_expected": seen.count("failed"),
            "skipped": seen.count("skipped"),
            "not_run": seen.count("not run"),
            "failed_ids": [case for case, found in zip(cases, seen) if found == "failed"][:10],
        }
    matrix_ids = {case for cases in ids.values() for case in cases}
    others = [outcome for case, outcome in outcomes.items() if case not in matrix_ids]
    result["tests"] = {k: others.count(k) for k in ("passed", "failed", "skipped")}
    return result


def problems(found: dict[str, Any]) -> list[str]:
    """Every matrix case that failed, skipped or did not run; an empty matrix; failing property tests."""
    if "error" in found:
        return [f"reliability: {found['error'].strip()[-300:]}"]
    listed: list[str] = []
    for group, nodes in RELIABILITY_MATRICES.items():
        counts = found[group]
        if not counts["run"]:
            continue  # --quick leaves the crash matrix out, and the table says so
        if counts["collected"] == 0:
            listed.append(f"reliability: {' '.join(nodes)} collected no cases (renamed or moved?)")
        if counts["not_as_expected"]:
            shown = ", ".join(counts["failed_ids"])
            listed.append(f"reliability: {counts['not_as_expected']} {group} not as expected: {shown}")
        if counts["skipped"] or counts["not_run"]:
            listed.append(
                f"reliability: {group}: {counts['skipped']} skipped, {counts['not_run']} not run"
                f" of {counts['collected']} collected"
            )
    if found["tests"]["failed"] or found["hypothesis"]["failing_examples"]:
        listed.append(
            f"reliability: {found['tests']['failed']} property or codec tests failed,"
            f" {found['hypothesis']['failing_examples']} failing examples"
        )
    elif found["exit_code"] != 0 and not listed:  # something else failed: say so, with the command
        listed.append(f"reliability: pytest exited {found['exit_code']} ({found['command']})")
    return listed


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
