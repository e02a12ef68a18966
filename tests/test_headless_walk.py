"""Headless commands as an admin types them, against the twin: short host names in --link and --speed, a NIC
in two cables refused, speeds the NIC cannot run refused in preflight, a "no" at the prompt, the password
prompt naming who logs in where, and commit-confirmed printing each verdict once."""

from __future__ import annotations

import builtins
import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.engine.twinlab import SUPERNET, Twin, demo_spec
from tests.headless_cli import cli_text, headless_twins
from tests.hostview.reader import read_lab
from vmesh_tui.headless.connect import prompt_name
from vmesh_tui.vsphere.targets import parse_host_url, vcenter_target


@pytest.fixture
def twin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Twin]:
    with headless_twins(tmp_path, monkeypatch) as make:
        yield make()


def test_link_and_speed_take_the_short_host_names_the_tui_shows(
    capsys: pytest.CaptureFixture[str], twin: Twin
) -> None:
    links = ["--link", "esx-a/vmnic1=esx-b/vmnic1", "--link", "ESX-A/vmnic2=esx-b.lab.local/vmnic2"]
    code, out, err = cli_text(capsys, twin, "plan", "--supernet", SUPERNET, *links, "--json")
    assert code == 0, err
    planned = json.loads(out)
    assert [(link["a"], link["b"]) for link in planned["links"]] == [
        ("esx-a.lab.local/vmnic1", "esx-b.lab.local/vmnic1"),
        ("esx-a.lab.local/vmnic2", "esx-b.lab.local/vmnic2"),
    ]
    speeds = ["--speed", "esx-a/vmnic1=1000", "--speed", "esx-b/vmnic1=1000"]
    code, out, err = cli_text(capsys, twin, "plan", "--supernet", SUPERNET, *links, *speeds, "--json")
    assert code == 0, err
    assert {s["target"] for s in json.loads(out)["steps"] if s["kind"] == "update_pnic"} == {"vmnic1"}


def test_a_nic_in_two_cables_is_refused_even_when_named_two_ways(
    capsys: pytest.CaptureFixture[str], twin: Twin
) -> None:
    links = ["--link", "esx-a/vmnic1=esx-b/vmnic1", "--link", "esx-a.lab.local/vmnic1=esx-b/vmnic2"]
    code, out, err = cli_text(capsys, twin, "plan", "--supernet", SUPERNET, *links)
    assert code == 2 and "step" not in out, (code, out, err)  # refused before any plan is printed
    assert "esx-a.lab.local/vmnic1 is in two links" in err and "Give each NIC one cable" in err


@pytest.mark.parametrize("speed", ["10000", "12345"])
def test_a_speed_the_nic_does_not_list_is_refused_in_preflight(
    capsys: pytest.CaptureFixture[str], twin: Twin, speed: str
) -> None:
    args = ["--supernet", SUPERNET, "--link", "esx-a/vmnic1=esx-b/vmnic1"]
    args += ["--speed", f"esx-a/vmnic1={speed}", "--speed", f"esx-b/vmnic1={speed}"]
    code, out, err = cli_text(capsys, twin, "plan", *args, "--json")
    assert code == 4, err
    errors = [f for f in json.loads(out)["findings"] if f["severity"] == "error"]
    assert {f["code"] for f in errors} == {"speed-unsupported"}
    assert {f["subject"] for f in errors} == {"esx-a.lab.local/vmnic1", "esx-b.lab.local/vmnic1"}
    assert "accepts 10/half, 10/full, 100/half, 100/full, 1000/full" in errors[0]["message"]
    code, out, err = cli_text(capsys, twin, "plan", *args)  # the verdict is the last line, after the steps
    assert (
        code == 4
        and out.splitlines()[-1] == "refused: 2 error(s) above; apply changes nothing until they are fixed"
    )
    code, out, err = cli_text(capsys, twin, "apply", *args, "--yes", "--json")
    assert code == 4 and json.loads(out)["outcome"] == "refused", err
    host = read_lab(twin.lab)["esx-a.lab.local"]  # untouched, read independently
    assert "vmesh-1" not in host["vswitches"] and host["pnics"]["vmnic1"]["forced"] is None


def test_answering_no_is_refused_not_bad_input(
    capsys: pytest.CaptureFixture[str], twin: Twin, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr(builtins, "input", lambda question: "n")
    code, _, err = cli_text(capsys, twin, "apply", "--supernet", SUPERNET)
    assert code == 4, err
    assert "not confirmed, so nothing was changed" in err
    assert "vmesh-1" not in read_lab(twin.lab)["esx-a.lab.local"]["vswitches"]


def test_commit_confirmed_prints_each_failing_verdict_once(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vmesh_tui.sim.lab.spec import CableSpec

    spec = demo_spec()
    a, b = "esx-a.lab.local", "esx-b.lab.local"
    cables = [c for c in spec.cables if not c.a.endswith(("/vmnic1", "/vmnic2"))]
    cables += [CableSpec(f"{a}/vmnic1", f"{b}/vmnic2"), CableSpec(f"{a}/vmnic2", f"{b}/vmnic1")]
    crossed = Twin(dataclasses.replace(spec, cables=tuple(cables)), tmp_path)
    try:
        monkeypatch.setenv("VMESH_HOME", str(tmp_path))
        monkeypatch.setenv("VMESH_PASSWORD", crossed.password)
        links = ["--link", f"{a}/vmnic1={b}/vmnic1", "--link", f"{a}/vmnic2={b}/vmnic2"]
        code, out, err = cli_text(capsys, crossed, "apply", "--supernet", SUPERNET, *links, "--yes")
        code, out, err = cli_text(capsys, crossed, "revert", "--yes")
        argv = ["apply", "--supernet", SUPERNET, *links, "--yes", "--confirm-timeout", "5"]
        code, out, err = cli_text(capsys, crossed, *argv)
        assert code == 3, (out, err)  # validation failed, reverted by itself
        fails = [line for line in out.splitlines() if line.lstrip().startswith("FAIL link")]
        assert fails and len(fails) == len(set(fails)), out  # several rounds ran; each verdict once
        assert out.count("== validating the links") == 1, out
    finally:
        crossed.close()


def test_the_password_prompt_says_who_logs_in_where() -> None:
    hosts = [parse_host_url("https://root@esx-a/sdk"), parse_host_url("https://root@10.0.0.2:8443/sdk")]
    assert prompt_name(hosts) == "root@esx-a, 10.0.0.2:8443"
    vc = vcenter_target("https://administrator@vsphere.local@vc.example/sdk", "Branch01")
    assert prompt_name([vc]) == "administrator@vsphere.local@vc.example (cluster Branch01)"


def test_discover_shows_the_vmk_networks_a_supernet_must_avoid(
    capsys: pytest.CaptureFixture[str], twin: Twin
) -> None:
    code, out, err = cli_text(capsys, twin, "discover")
    assert code == 0, err
    vmk0 = [line.split() for line in out.splitlines() if line.strip().startswith("vmk0")]
    assert len(vmk0) == 2 and all(v[1].startswith("192.168.10.") and v[1].endswith("/24") for v in vmk0), out
    code, out, err = cli_text(capsys, twin, "discover", "--json")
    vmks = {h["name"]: h["vmks"] for h in json.loads(out)["hosts"]}
    assert [v["device"] for v in vmks["esx-a.lab.local"]] == ["vmk0"]
    assert "management" in vmks["esx-a.lab.local"][0]["services"]
