"""Request budgets in the default suite: every headless command on the demo lab, counted by the twin.

The same budgets as `run.py` (tests/benchmarks/budgets.py), the same work (the demo lab's 4 cables, a
reboot of esx-b before recover), but in-process: the twin's own per-host counts around each command.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.benchmarks.budgets import DEMO_LINKS, REQUEST_BUDGETS, request_problems
from vmesh_tui.cli import main
from vmesh_tui.sim.lab.load import demo_lab
from vmesh_tui.sim.runner import start_lab

SUPERNET = "172.31.250.0/24"
REBOOTED = "esx-b.lab.local"


class CountedLab:
    """The demo lab served in-process, with the tool's headless commands run against it and counted."""

    def __init__(self, home: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.lab = start_lab(demo_lab())
        self.home = home
        self.capsys = capsys
        urls = [h.url.replace("https://", f"https://{h.user}@") for h in self.lab.hosts]
        self.host_args = [a for url in urls for a in ("--host", url)] + ["--accept-new-certs"]

    def run(self, *argv: str) -> tuple[Any, dict[str, int]]:
        """Run one command; its JSON output and the requests each host served for it."""
        before = self._totals()
        code = main([*argv, *self.host_args, "--json"])
        out, err = self.capsys.readouterr()
        assert code == 0, f"{argv[0]} exited {code}: {err[-800:]}"
        after = self._totals()
        return json.loads(out), {host: after[host] - before.get(host, 0) for host in after}

    def _totals(self) -> dict[str, int]:
        return {host: sum(m.values()) for host, m in self.lab.stats()["hosts"].items()}


@pytest.fixture
def counted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[CountedLab]:
    lab = CountedLab(tmp_path, capsys)
    monkeypatch.setenv("VMESH_HOME", str(tmp_path))
    monkeypatch.setenv("VMESH_PASSWORD", lab.lab.hosts[0].password)
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    yield lab
    lab.lab.stop()


def test_per_link_commands_stay_within_their_budgets(counted: CountedLab) -> None:
    measured: dict[str, dict[str, int]] = {}
    _, measured["discover"] = counted.run("discover")
    _, measured["plan"] = counted.run("plan", "--supernet", SUPERNET)
    applied, measured["apply"] = counted.run("apply", "--supernet", SUPERNET, "--yes")
    assert applied["outcome"] == "applied" and len(applied["links"]) == DEMO_LINKS
    checked, measured["validate"] = counted.run("validate")
    assert checked["ok"] is True
    counted.lab.reboot(REBOOTED)
    recovered, measured["recover"] = counted.run("recover", "--yes")
    assert recovered["ok"] and recovered["toggled"] == []
    reverted, measured["revert"] = counted.run("revert", "--yes")
    assert reverted["ok"] and reverted["differences"] == []
    problems = [p for name, per_host in measured.items() for p in request_problems(name, per_host)]
    assert problems == [], problems
    assert all(sum(per_host.values()) > 0 for per_host in measured.values()), measured


def test_recover_on_the_shared_layout_stays_within_its_budget(counted: CountedLab) -> None:
    applied, _ = counted.run("apply", "--supernet", SUPERNET, "--layout", "shared", "--yes")
    assert applied["outcome"] == "applied"
    counted.lab.reboot(REBOOTED)
    recovered, per_host = counted.run("recover", "--yes")
    assert recovered["ok"] and len(recovered["toggled"]) == DEMO_LINKS
    assert request_problems("recover_shared", per_host) == []
    assert per_host[REBOOTED] > REQUEST_BUDGETS["recover"].limit(DEMO_LINKS)  # the toggles were counted


def test_an_excess_is_listed_per_host_with_the_budget_and_its_parts() -> None:
    budget = REQUEST_BUDGETS["apply"].limit(DEMO_LINKS)
    assert budget == 24
    problems = request_problems("apply", {"a": budget, "b": budget + 1})
    assert problems == [
        f"apply: b served {budget + 1} requests, budget {budget} ({REQUEST_BUDGETS['apply'].parts}; 4 links)"
    ]
