"""Headless commands against the twin: each command's JSON shape and exit code (in-process, over HTTPS)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.engine.test_faults_twin import promised_problems
from tests.engine.twin_cli import LINK_ARGS
from tests.engine.twinlab import SUPERNET, Twin, demo_spec, fault
from tests.headless_cli import cli_json, headless_twins
from tests.hostview.reader import differences, read_lab
from vmesh_tui.cli import main
from vmesh_tui.engine.lock import HostSetLock

PLAN = ["--supernet", SUPERNET, *LINK_ARGS]


@pytest.fixture
def twin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Twin]:
    with headless_twins(tmp_path, monkeypatch) as make:
        yield make()


def test_json_shapes_and_exit_codes_through_a_whole_cycle(
    capsys: pytest.CaptureFixture[str], twin: Twin
) -> None:
    start = read_lab(twin.lab)
    code, found, _ = cli_json(capsys, twin, "discover", "--json")
    assert code == 0
    assert {h["name"] for h in found["hosts"]} == {"esx-a.lab.local", "esx-b.lab.local"}
    nic = found["hosts"][0]["nics"][0]
    assert set(nic) >= {"device", "link_mb", "used_by"} and nic["used_by"] == "vSwitch0"
    assert {"a", "b", "source", "verified"} <= set(found["cables"][0])
    assert len(found["cables"]) == 4

    code, planned, _ = cli_json(capsys, twin, "plan", *PLAN, "--json")
    assert code == 0 and len(planned["links"]) == 2 and len(planned["steps"]) == 12
    assert set(planned["links"][0]) >= {"a", "b", "subnet", "a_ip", "b_ip"}
    assert planned["links"][0]["subnet"] == "172.31.250.0/30"

    code, text, _ = cli_json(capsys, twin, "plan", *PLAN, "--esxcli")
    assert code == 0 and "# esx-a.lab.local" in text and "esxcli network" in text

    code, _, err = cli_json(capsys, twin, "apply", *PLAN)
    assert code == 2 and "--yes" in err

    code, applied, _ = cli_json(capsys, twin, "apply", *PLAN, "--yes", "--json")
    assert code == 0 and applied["outcome"] == "applied"
    assert len(applied["steps"]) == 12 and len(applied["links"]) == 2
    assert promised_problems(start, read_lab(twin.lab)) == []

    code, checked, _ = cli_json(capsys, twin, "validate", "--json")
    assert code == 0 and checked["ok"] is True
    assert main(["status"]) == 0
    assert "12 changes in effect, 2 links" in capsys.readouterr().out
    assert [set(link) >= {"a", "b", "ok", "detail"} for link in checked["links"]] == [True, True]

    code, again, _ = cli_json(capsys, twin, "apply", *PLAN, "--yes", "--json")
    assert code == 0 and again["outcome"] == "nothing_to_do" and again["steps"] == []

    code, recovered, _ = cli_json(capsys, twin, "recover", "--yes", "--json")
    assert code == 0 and recovered["ok"] and recovered["toggled"] == []

    code, reverted, _ = cli_json(capsys, twin, "revert", "--yes", "--json")
    assert code == 0 and reverted["ok"] and reverted["differences"] == []
    after = read_lab(twin.lab)
    assert after == start, differences(start, after)
    assert main(["status", "--json"]) == 0
    (journal,) = json.loads(capsys.readouterr().out)["journals"]
    assert journal["status"] == "reverted" and journal["in_effect"] == 0

    code, _, err = cli_json(capsys, twin, "validate", "--json")
    assert code == 2 and "apply first" in err


def test_apply_while_another_run_holds_the_lock_exits_4(
    capsys: pytest.CaptureFixture[str], twin: Twin
) -> None:
    with HostSetLock(twin.home / "state", ["esx-a.lab.local"]):
        code, result, _ = cli_json(capsys, twin, "apply", *PLAN, "--yes", "--json")
    assert code == 4 and result["outcome"] == "refused" and "esx-a.lab.local" in result["message"]
    assert cli_json(capsys, twin, "apply", *PLAN, "--yes", "--json")[0] == 0
    with HostSetLock(twin.home / "state", ["esx-b.lab.local"]):
        assert cli_json(capsys, twin, "revert", "--yes", "--json")[0] == 4
        assert cli_json(capsys, twin, "recover", "--yes", "--json")[0] == 4
    assert cli_json(capsys, twin, "revert", "--yes", "--json")[0] == 0


def test_failed_step_exits_1_after_rollback(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    faulty = Twin(demo_spec(faults=(fault("esx-b.lab.local", "AddPortGroup", 2, "fault"),)), tmp_path)
    try:
        monkeypatch.setenv("VMESH_HOME", str(tmp_path))
        monkeypatch.setenv("VMESH_PASSWORD", faulty.password)
        start = read_lab(faulty.lab)
        code, result, _ = cli_json(capsys, faulty, "apply", *PLAN, "--yes", "--json")
        assert code == 1 and result["outcome"] == "rolled_back" and result["differences"] == []
        after = read_lab(faulty.lab)
        assert after == start, differences(start, after)
    finally:
        faulty.close()


def test_unknown_certificate_is_refused_without_accept(
    capsys: pytest.CaptureFixture[str], twin: Twin, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VMESH_HOME", str(tmp_path / "elsewhere"))
    code = main(["discover", *[a for a in twin.host_args() if a != "--accept-new-certs"]])
    _, err = capsys.readouterr()
    assert code == 4 and "certificate" in err and "Traceback" not in err


def test_validation_failure_exits_3(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = demo_spec()
    hosts = tuple(
        dataclasses.replace(h, nics=tuple(dataclasses.replace(n, max_mtu=1500) for n in h.nics))
        if h.name == "esx-b.lab.local"
        else h
        for h in spec.hosts
    )
    small = Twin(dataclasses.replace(spec, hosts=hosts), tmp_path)
    try:
        monkeypatch.setenv("VMESH_HOME", str(tmp_path))
        monkeypatch.setenv("VMESH_PASSWORD", small.password)
        assert cli_json(capsys, small, "apply", *PLAN, "--yes", "--json")[0] == 0
        code, checked, _ = cli_json(capsys, small, "validate", "--json")
        assert code == 3 and checked["ok"] is False
        assert all(not link["ok"] and "9000" in link["detail"] for link in checked["links"])
    finally:
        small.close()


def test_plan_esxcli_prints_a_clean_script(capsys: pytest.CaptureFixture[str], twin: Twin) -> None:
    code = main(["plan", *PLAN, "--esxcli", *twin.host_args()])
    out, err = capsys.readouterr()
    assert code == 0
    lines = out.splitlines()
    assert lines and all(line.startswith(("#", "esxcli ")) for line in lines), lines
    for host in ("esx-a.lab.local", "esx-b.lab.local"):
        assert len([line for line in lines if line.startswith(f"# {host}")]) == 1, lines
    assert "== reading the hosts" in err and "==" not in out


def test_revert_with_differences_left_exits_6(capsys: pytest.CaptureFixture[str], twin: Twin) -> None:
    """The hosts are not back where they started: exit 6 ("changes remain"), never 1 ("rolled back")."""
    from vmesh_tui.core.model import VSwitch
    from vmesh_tui.core.steps import Action, Step

    start = read_lab(twin.lab)
    assert cli_json(capsys, twin, "apply", *PLAN, "--yes", "--json")[0] == 0
    twin.client.run_step(Step("esx-a.lab.local", Action.ADD, None, VSwitch("someone-elses")))
    code, reverted, _ = cli_json(capsys, twin, "revert", "--yes", "--json")
    assert code == 6 and reverted["ok"] is False
    assert any("someone-elses" in d for d in reverted["differences"]), reverted
    left = differences(start, read_lab(twin.lab))  # the tool's own objects are gone; the other one stays
    assert len(left) == 1 and left[0].startswith("esx-a.lab.local/vswitches/someone-elses: new"), left


def test_commit_confirmed_whose_revert_fails_exits_6(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vmesh_tui.sim.lab.spec import CableSpec

    spec = demo_spec(faults=(fault("esx-b.lab.local", "RemoveVirtualNic", 1, "fault"),))
    a, b = "esx-a.lab.local", "esx-b.lab.local"
    cables = [c for c in spec.cables if not c.a.endswith(("/vmnic1", "/vmnic2"))]
    cables += [CableSpec(f"{a}/vmnic1", f"{b}/vmnic2"), CableSpec(f"{a}/vmnic2", f"{b}/vmnic1")]
    crossed = Twin(dataclasses.replace(spec, cables=tuple(cables)), tmp_path)
    try:
        monkeypatch.setenv("VMESH_HOME", str(tmp_path))
        monkeypatch.setenv("VMESH_PASSWORD", crossed.password)
        argv = ("apply", *PLAN, "--yes", "--json", "--confirm-timeout", "0.5")
        code, result, err = cli_json(capsys, crossed, *argv)
        assert code == 6, err  # changes remain: never 1, which says the hosts are back
        assert result["outcome"] == "revert_failed" and result["ok"] is False
        assert "was reverted" not in result["message"] and result["differences"]
        left = read_lab(crossed.lab)  # the vmk whose removal failed is still there, as reported
        assert any(v["portgroup"].startswith("vmesh-") for v in left["esx-b.lab.local"]["vmks"].values())
    finally:
        crossed.close()
