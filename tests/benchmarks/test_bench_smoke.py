"""The benchmark runner works: its cheapest measurement end to end, and its parsers and arithmetic."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import common  # noqa: E402
import reliability  # noqa: E402
import report  # noqa: E402
from peer import driver  # noqa: E402
from peer.naive import differences  # noqa: E402


def test_quick_discover_run_prints_table_and_json_summary_last() -> None:
    argv = [sys.executable, str(HERE / "run.py"), "--quick", "--reps", "1", "--only", "discover", "--json"]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.strip().splitlines()
    summary = json.loads(lines[-1])
    assert "discover (vmesh-tui)" in done.stdout
    discover = summary["measurements"]["discover"]
    assert discover["exit_codes"] == [0]
    assert set(discover["requests_per_host"]) == {"esx-a.lab.local", "esx-b.lab.local"}
    # one session per host, and the twin's counts are the tool's own requests
    assert discover["logins_per_host"] == {"esx-a.lab.local": 1, "esx-b.lab.local": 1}
    assert discover["requests_per_host"] == {"esx-a.lab.local": 5, "esx-b.lab.local": 5}  # at its budget
    assert discover["wall_s"]["n"] == 1 and discover["peak_rss_mb"]["median"] > 5
    assert summary["problems"] == []


def test_setup_requests_are_subtracted_per_host_and_method() -> None:
    total = {"a": {"Login": 2, "Fetch": 10, "Logout": 2}, "b": {"Login": 1}}
    base = {"a": {"Login": 1, "Fetch": 10, "Logout": 1}, "b": {"Login": 1}}
    assert common.subtract(total, base) == {"a": {"Login": 1, "Logout": 1}, "b": {}}
    assert common.total_requests(common.subtract(total, base)) == {"a": 2, "b": 0}


def test_summary_and_ratio() -> None:
    assert common.summary([3.0, 1.0, 2.0]) == {"median": 2.0, "min": 1.0, "max": 3.0, "n": 3}
    assert common.ratio(23, 188) == 8.17
    assert common.ratio(0, 5) is None and common.ratio(5, None) is None


def test_peer_work_follows_the_tools_plan() -> None:
    link = {"index": 2, "a": "h1/vmnic5", "b": "h2/vmnic6", "subnet": "10.0.0.4/30"}
    plan = {"links": [{**link, "a_ip": "10.0.0.5", "b_ip": "10.0.0.6"}]}
    work = driver.links_per_host(plan)
    assert work["h1"] == [
        {"vswitch": "vmesh-2", "portgroup": "vmesh-vmotion-2", "nic": "vmnic5", "ip": "10.0.0.5",
         "mask": "255.255.255.252"}
    ]  # fmt: skip
    assert work["h2"][0]["nic"] == "vmnic6" and work["h2"][0]["ip"] == "10.0.0.6"


def test_peer_inventory_keeps_the_password_out(tmp_path: Path) -> None:
    host = common.TwinHost("esx-a", "https://127.0.0.1:4431/sdk", "root", "s3cret-pw", "ab")
    path = driver.write_inventory(tmp_path / "inv.json", [host], {"esx-a": []}, Path("/venv"))
    inventory = path.read_text()
    assert "s3cret-pw" not in inventory
    entry = json.loads(inventory)["all"]["children"]["esxi"]["hosts"]["esx-a"]
    assert entry["esxi_port"] == 4431 and entry["ansible_python_interpreter"] == "/venv/bin/python"
    assert driver.peer_env(tmp_path, Path("/venv"), "s3cret-pw")["VMWARE_PASSWORD"] == "s3cret-pw"


def test_state_differences_name_the_path() -> None:
    ours = {"h": {"vswitches": {"vmesh-1": {"mtu": 9000, "cdp": "listen"}}}}
    theirs = {"h": {"vswitches": {"vmesh-1": {"mtu": 1500, "cdp": "listen"}}, "extra": 1}}
    assert differences(ours, theirs) == [
        "h/extra: only in the peer's result",
        "h/vswitches/vmesh-1/mtu: vmesh-tui 9000, peer 1500",
    ]
    assert differences(ours, ours) == []


def _case(classname: str, name: str, inner: str = "") -> str:
    return f'<testcase classname="{classname}" name="{name}">{inner}</testcase>'


def test_reliability_counts_the_matrices_cases_by_collected_id(tmp_path: Path) -> None:
    module, test = "tests.engine.test_faults_twin", "test_fault_at_every_step"
    fault = f"tests/engine/test_faults_twin.py::{test}"
    cases = ("[a-AddVirtualNic-1-fault]", "[b-AddVirtualNic-1-lost]", "[b-AddPortGroup-2-lost]", "[a-X-1]")
    ids = {"fault_points": [fault + case for case in cases]}
    xml = tmp_path / "r.xml"
    xml.write_text(
        "<testsuites><testsuite>"
        + _case(module, test + cases[0])
        + _case(module, test + cases[1], '<failure message="x"/>')
        + _case(module, test + cases[2], "<skipped/>")
        + _case("tests.sim.test_soap_fuzz", "test_malformed_requests_get_soap_faults")
        + "</testsuite></testsuites>"
    )
    counts = reliability.matrix_counts(xml, ids)
    assert counts["fault_points"] == {
        "run": True, "collected": 4, "tried": 2, "not_as_expected": 1, "skipped": 1, "not_run": 1,
        "failed_ids": [fault + cases[1]],
    }  # fmt: skip
    assert counts["tests"] == {"passed": 1, "failed": 0, "skipped": 0}  # a fuzz test named *fault*: no point
    counts.update(crash_points={"run": False}, lie_points={"run": False}, hypothesis={"failing_examples": 0})
    counts.update(exit_code=1, command="c")
    listed = reliability.problems(counts)
    assert len(listed) == 2
    assert listed[0].startswith("reliability: 1 fault_points not as expected: ") and "1-lost]" in listed[0]
    assert listed[1] == "reliability: fault_points: 1 skipped, 1 not run of 4 collected"


def test_the_reliability_matrices_collect_their_cases() -> None:
    fault_ids = reliability.collected_ids(reliability.RELIABILITY_MATRICES["fault_points"])
    crash_ids = reliability.collected_ids(reliability.RELIABILITY_MATRICES["crash_points"])
    lie_ids = reliability.collected_ids(reliability.RELIABILITY_MATRICES["lie_points"])
    assert len(lie_ids) == 34 and all(case.startswith(reliability.IGNORED) for case in lie_ids), lie_ids
    assert len(fault_ids) == 28 and len(set(fault_ids)) == 28, fault_ids
    assert all("test_fault_at_every_step[" in case for case in fault_ids)
    assert len(crash_ids) == 64 and len(set(crash_ids)) == 64, crash_ids  # the full probe matrix: 16
    assert sum("::test_killed_apply_converges[" in case for case in crash_ids) == 48
    assert sum("::test_killed_probe_leaves_nothing_after_revert_or" in c for c in crash_ids) == 16


def test_hypothesis_statistics_are_summed_per_test() -> None:
    output = (
        "tests/core/test_p.py::test_round_trip:\n\n  - during reuse phase (0.00 seconds):\n"
        "    - 2 passing examples, 0 failing examples, 0 invalid examples\n"
        "  - during generate phase (0.40 seconds):\n"
        "    - 98 passing examples, 0 failing examples, 7 invalid examples\n"
    )
    found = reliability.hypothesis_counts(output)
    assert (
        found["property_tests"] == 1 and found["passing_examples"] == 100 and found["invalid_examples"] == 7
    )


def test_latency_relay_passes_bytes_and_delays_each_answer() -> None:
    import socket
    import threading
    import time

    from latency import LatencyRelay

    listener = socket.create_server(("127.0.0.1", 0))

    def echo_once() -> None:
        conn, _ = listener.accept()
        with conn:
            while data := conn.recv(1024):
                conn.sendall(data.upper())

    threading.Thread(target=echo_once, daemon=True).start()
    relay = LatencyRelay([listener.getsockname()[1]], rtt_s=0.05)
    port = relay.start()[listener.getsockname()[1]]
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
            for word in (b"first", b"second"):
                started = time.perf_counter()
                client.sendall(word)
                assert client.recv(1024) == word.upper()
                assert time.perf_counter() - started >= 0.05
    finally:
        relay.stop()
        listener.close()


def test_peer_requirements_come_from_the_peer_extra() -> None:
    wanted = driver.peer_requirements()
    assert any(r.startswith("ansible>=11") for r in wanted)
    assert "pyvmomi" in wanted and "requests" in wanted


def test_equivalence_differences_and_module_problems_make_the_run_fail(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import run

    found = {"same_state": False, "differences": ["h/vswitches/vmesh-1/mtu: vmesh-tui 9000, peer 1500"]}
    monkeypatch.setattr(run, "equivalence", lambda root, venv: {**found, "gaps": []})
    monkeypatch.setattr(
        report, "bench_modules", lambda quick: {"bench_twin": {"result": {"problems": ["slow"]}}}
    )
    summary: dict[str, Any] = {"problems": []}
    run._other_parts({"equivalence", "modules"}, summary, 1, Path("."), Path("/venv"), quick=True)
    assert summary["problems"] == [
        "equivalence: h/vswitches/vmesh-1/mtu: vmesh-tui 9000, peer 1500",
        "bench_twin: slow",
    ]


def test_a_second_peer_run_that_changes_something_makes_the_run_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    import run

    again = {"One vSwitch per link": 0, "The vMotion portgroup": 8, "The vMotion vmk": 0}
    found = {"same_state": True, "differences": [], "gaps": [], "second_run_changed": again}
    found["idempotent"] = False
    monkeypatch.setattr(run, "equivalence", lambda root, venv: found)
    summary: dict[str, Any] = {"problems": []}
    run._other_parts({"equivalence"}, summary, 1, Path("."), Path("/venv"), quick=True)
    assert summary["problems"] == [
        "equivalence: the peer's second identical run changed 8 item(s) in task 'The vMotion portgroup'"
    ]
    assert "NOT idempotent (changed items per task: One vSwitch per link: 0, The vMotion portgroup: 8" in (
        report.table({**summary, "measurements": {}, "equivalence": found, "total_s": 1})
    )


def test_changed_items_are_counted_per_task_over_hosts_and_loop_items() -> None:
    task = {
        "task": {"name": "portgroups"},
        "hosts": {
            "a": {"results": [{"changed": True}, {"changed": False}]},
            "b": {"results": [{"changed": True}]},
        },
    }
    plain = {"task": {"name": "one"}, "hosts": {"a": {"changed": False}}}
    assert driver._changed_by_task({"plays": [{"tasks": [task, plain]}]}) == {"portgroups": 2, "one": 0}


def test_bench_apply_counts_the_apply_alone_and_holds_it_to_its_budget() -> None:
    import asyncio

    import bench_apply

    figures = asyncio.run(bench_apply.measure(latency_ms=0))
    assert figures["outcomes"] == ["applied", "applied"] and figures["validate_ok"], figures
    budget = figures["request_budget_per_host"]
    assert budget == 19  # 4 per link x 4 + 3
    assert figures["requests_per_host"] == {"esx-a.lab.local": budget, "esx-b.lab.local": budget}
    assert figures["problems"] == []
    over = {**figures, "requests_per_host": {"esx-a.lab.local": budget + 1}}
    assert bench_apply.problems(over) == [
        f"apply: esx-a.lab.local served {budget + 1} requests for the apply, budget {budget}"
        " (4 per link x 4 + 3)"
    ]
