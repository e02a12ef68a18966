"""`discover/plan/apply --probe` against the twin: the JSON the issue asks for, progress on stderr, exit
codes, and the hosts left as they were (read with stock pyVmomi)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.engine.probehelp import CROSSED, CROSSED_CABLES, MESH3, MESH_CABLES, A, B, lab_spec, read_networks
from tests.engine.twinlab import SUPERNET
from tests.headless_cli import cli_json, headless_twins
from vmesh_tui.cli import main
from vmesh_tui.engine.lock import HostSetLock

TIMEOUT = ["--probe-timeout", "4"]


@pytest.fixture
def make(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """make(lab path) -> Twin serving that lab."""
    with headless_twins(tmp_path, monkeypatch) as make_twin:
        yield lambda path: make_twin(lab_spec(path))


def test_discover_probe_json_has_exactly_the_real_cables_verified_and_names_switch_nics(
    capsys: pytest.CaptureFixture[str], make: Any
) -> None:
    twin = make(CROSSED)
    before = read_networks(twin.lab)
    code, data, err = cli_json(capsys, twin, "discover", "--probe", *TIMEOUT, "--json")
    assert code == 0, err
    assert [(c["a"], c["b"]) for c in data["cables"]] == CROSSED_CABLES
    assert all(c["source"] == "cdp" and c["verified"] for c in data["cables"])
    nics = {n["ref"]: n for n in data["probe"]["nics"]}
    assert nics[f"{A}/vmnic5"]["finding"] == "switch" and nics[f"{A}/vmnic5"]["peer"].startswith("core port")
    assert nics[f"{B}/vmnic5"]["finding"] == "switch"
    assert nics[f"{B}/vmnic6"]["finding"] == "dark"
    assert nics[f"{B}/vmnic3"] == {
        "ref": f"{B}/vmnic3",
        "finding": "peer-in-use",
        "peer": f"{A}/vmnic6",
        "detail": f"cabled to {A}/vmnic6, which cannot be used: uplink of vSwitch1, which this tool did not"
        " create",
    }
    excluded = {e["ref"]: e["reason"] for e in data["excluded"]}
    assert "core port" in excluded[f"{A}/vmnic5"]
    assert data["probe"]["ok"] and data["probe"]["differences"] == []
    assert "probe:" in err and "found their far end" in err  # progress on stderr, never on stdout
    assert read_networks(twin.lab) == before


def test_discover_without_probe_guesses_by_name_only(capsys: pytest.CaptureFixture[str], make: Any) -> None:
    twin = make(CROSSED)
    code, data, _ = cli_json(capsys, twin, "discover", "--json")
    assert code == 0 and "probe" not in data
    assert not any(c["verified"] for c in data["cables"])
    assert (f"{A}/vmnic2", f"{B}/vmnic4") not in [(c["a"], c["b"]) for c in data["cables"]]


def test_mesh_apply_with_probe_and_no_link_then_validate(
    capsys: pytest.CaptureFixture[str], make: Any
) -> None:
    twin = make(MESH3)
    before = read_networks(twin.lab)
    code, data, err = cli_json(
        capsys, twin, "apply", "--supernet", SUPERNET, "--probe", *TIMEOUT, "--yes", "--json"
    )
    assert code == 0, (err, data)
    assert sorted((link["a"], link["b"]) for link in data["links"]) == MESH_CABLES
    assert all(link["source"] == "cdp" and link["verified"] for link in data["links"])
    assert data["probe"]["ok"]
    code, check, _ = cli_json(capsys, twin, "validate", "--json")
    assert code == 0 and check["ok"] and len(check["links"]) == 6
    assert cli_json(capsys, twin, "revert", "--yes", "--json")[0] == 0
    assert read_networks(twin.lab) == before


def test_plan_probe_prints_links_and_probe_findings(capsys: pytest.CaptureFixture[str], make: Any) -> None:
    twin = make(CROSSED)
    code, out, err = cli_json(capsys, twin, "plan", "--supernet", SUPERNET, "--probe", *TIMEOUT)
    assert code == 0, err
    assert f"link 1: {A}/vmnic1" in out and f"{A}/vmnic2 172.31.250.5 <-> {B}/vmnic4" in out
    assert f"{B}/vmnic6: dark: heard no CDP neighbour" in out


def test_probe_with_link_is_bad_input_and_a_locked_host_refuses(
    capsys: pytest.CaptureFixture[str], make: Any
) -> None:
    twin = make(CROSSED)
    code, _, err = cli_json(
        capsys, twin, "plan", "--supernet", SUPERNET, "--probe", "--link", f"{A}/vmnic1={B}/vmnic1"
    )
    assert code == 2 and "not both" in err
    with pytest.raises(SystemExit) as exited:
        main(["discover", "--probe", "--probe-timeout", "0", *twin.host_args()])
    assert exited.value.code == 2 and "1 to 3600" in capsys.readouterr().err
    with HostSetLock(twin.home / "state", [A]):
        code, data, err = cli_json(capsys, twin, "discover", "--probe", *TIMEOUT, "--json")
    assert code == 4 and data["ok"] is False and "refused" in data["error"], err
