"""The cable probe's request and time budget in the default suite (bench_probe.py measures it in full).

`discover --probe` in-process on the demo lab advertising every second, counted by the twin per host.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.benchmarks.budgets import PROBE_FIXED, probe_problems, probe_request_limit
from tests.engine.twinlab import cdp_every
from vmesh_tui.cli import main
from vmesh_tui.sim.lab.load import demo_lab
from vmesh_tui.sim.runner import start_lab

INTERVAL_S, POLL_S = 1.0, 2.0  # the lab's interval; the probe's poll with its default 90 s timeout


def test_probe_stays_within_its_request_and_time_budget(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lab = start_lab(cdp_every(demo_lab(), INTERVAL_S))
    hosts = [a for h in lab.hosts for a in ("--host", h.url.replace("https://", f"https://{h.user}@"))]
    monkeypatch.setenv("VMESH_HOME", str(tmp_path))
    monkeypatch.setenv("VMESH_PASSWORD", lab.hosts[0].password)
    try:
        code = main(["discover", "--probe", "--json", *hosts, "--accept-new-certs"])
        per_host = {host: sum(methods.values()) for host, methods in lab.stats()["hosts"].items()}
    finally:
        lab.stop()
    out, err = capsys.readouterr()
    assert code == 0, err
    found = json.loads(out)
    assert len(found["cables"]) == 4 and all(c["verified"] for c in found["cables"])
    most_polls = probe_request_limit(INTERVAL_S, POLL_S) - PROBE_FIXED
    assert all(1 <= count - PROBE_FIXED <= most_polls for count in per_host.values()), per_host
    assert probe_problems("probe", per_host, found["probe"]["waited_s"], INTERVAL_S, POLL_S) == []


def test_probe_excess_and_slowness_are_problems() -> None:
    limit = probe_request_limit(5.0, 2.0)
    assert limit == 8 + 3 + 2
    problems = probe_problems("probe demo", {"a": limit, "b": limit + 1}, 15.5, 5.0, 2.0)
    assert problems == [
        f"probe demo: b served {limit + 1} requests, budget {limit} (session 3 + reads 3 + add and remove 2"
        " + at most 5 polls of 2 s for a 5 s interval)",
        "probe demo: took 15.5 s, more than the CDP interval 5 s + 10 s",
    ]
