"""The engine and the CLI against vcsim (VMware's simulator, an implementation the tool did not write).

vcsim cannot complete an apply: it has no AddVirtualNic (MethodNotFound), and in vCenter mode its hosts
share one network folder, so the second host's AddPortGroup of the same name is a DuplicateName. Either
way the apply must fail and roll every host back to exactly what it was, as the independent reader
(tests/hostview: stock pyVmomi on networkInfo and the vMotion selection) sees it, in both of vcsim's
modes. Every change vcsim implements has an inverse it implements too, so where an undo is refused the
refusal comes from the twin's fault injection on the other host of a mixed pair.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.engine.twinlab import collect, demo_spec, fault
from tests.hostview.reader import Endpoint, differences, lab_endpoints, read
from tests.vsphere.conftest import VCSIM_PASSWORD, Vcsim, start_vcsim
from vmesh_tui.engine import results
from vmesh_tui.engine.journal import all_journals
from vmesh_tui.engine.planning import PlanRequest
from vmesh_tui.engine.session import Engine

pytestmark = pytest.mark.vcsim

CLUSTER = "DC0_C0"
H0, H1 = "DC0_C0_H0", "DC0_C0_H1"
ESX = "localhost.localdomain"  # the host of vcsim's ESX mode
A = "esx-a.lab.local"
SUPERNET = "172.31.250.0/24"


@pytest.fixture
def vcenter() -> Iterator[Vcsim]:
    sim = start_vcsim("vc")  # skips when the launcher is not built (fails under CI=true)
    yield sim
    sim.stop()


@pytest.fixture
def esx() -> Iterator[Vcsim]:
    sim = start_vcsim("esx")
    yield sim
    sim.stop()


def _cli(home: Path, *args: str) -> tuple[int, Any, str]:
    env = dict(os.environ, VMESH_HOME=str(home), VMESH_PASSWORD=VCSIM_PASSWORD)
    command = [sys.executable, "-m", "vmesh_tui", *args, "--yes", "--json", "--accept-new-certs"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    return done.returncode, json.loads(done.stdout), done.stderr


async def test_engine_apply_that_vcsim_cannot_finish_rolls_back_to_the_start(
    vcenter: Vcsim, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vmesh_tui.vsphere.client import HostsClient
    from vmesh_tui.vsphere.knownhosts import KnownHosts
    from vmesh_tui.vsphere.targets import vcenter_target

    monkeypatch.setenv("VMESH_HOME", str(tmp_path))
    judge = [Endpoint(vcenter.url, "root", VCSIM_PASSWORD, CLUSTER)]
    start = read(judge)
    assert sorted(start) == [H0, H1] and all(not v["vswitches"].get("vmesh-1") for v in start.values())
    known = KnownHosts(tmp_path / "config" / "known_hosts")
    client = HostsClient.connect([vcenter_target(vcenter.url_for(), CLUSTER)], VCSIM_PASSWORD, known, True)
    try:
        engine = Engine(client, tmp_path / "state")
        request = PlanRequest(SUPERNET, manual_links=((f"{H0}/vmnic1", f"{H1}/vmnic1"),))
        _, planned = await collect(engine.plan(request))
        assert not planned.errors, planned.errors
        events, applied = await collect(engine.apply(planned))
    finally:
        client.close()
    assert applied.outcome == results.ROLLED_BACK, applied
    failures = " ".join(e.message for e in events if e.kind == "step_failed")
    assert any(word in failures for word in ("MethodNotFound", "DuplicateName", "not supported")), failures
    assert any(e.kind == "step_rolled_back" for e in events)
    after = read(judge)
    assert after == start, differences(start, after)
    assert applied.differences == () and "back to their starting state" in applied.message
    (journal,) = all_journals(tmp_path / "state")
    assert journal.closed and journal.status == "rolled_back"


def test_cli_apply_through_a_vcenter_fails_at_duplicate_name_and_ends_exact(
    vcenter: Vcsim, tmp_path: Path
) -> None:
    """The scenario of issue 10, as a user runs it."""
    judge = [Endpoint(vcenter.url, "root", VCSIM_PASSWORD, CLUSTER)]
    start = read(judge)
    link = f"{H0}/vmnic1={H1}/vmnic1"
    args = ("apply", "--vcenter", vcenter.url_for(), "--cluster", CLUSTER, "--supernet", SUPERNET)
    code, result, err = _cli(tmp_path, *args, "--link", link)
    assert code == 1, err
    assert result["outcome"] == "rolled_back" and result["ok"] is False
    assert "DuplicateName" in result["message"] or "MethodNotFound" in result["message"], result
    after = read(judge)
    assert after == start, differences(start, after)  # vmesh-1 and vmesh-vmotion-1 are gone everywhere
    assert result["differences"] == [] and "back to their starting state" in result["message"]


def _apply_from_vcsim_to_twin(esx: Vcsim, tmp_path: Path, spec: Any) -> tuple[int, Any, str, Any, Any]:
    """``apply`` of one link from vcsim's ESX host to the twin's esx-a (the lab served with vcsim's password):
    exit code, JSON, stderr, and both hosts read by the independent reader before and after."""
    from vmesh_tui.sim.runner import start_lab

    hosts = tuple(dataclasses.replace(h, password=VCSIM_PASSWORD) for h in spec.hosts)
    with start_lab(dataclasses.replace(spec, hosts=hosts)) as lab:
        twin_a = next(h for h in lab.hosts if h.name == A)
        judge = [Endpoint(esx.url, "root", VCSIM_PASSWORD), *lab_endpoints(lab)]
        start = read(judge)
        hosts_args = ("--host", esx.url_for(), "--host", twin_a.url.replace("https://", "https://root@"))
        code, result, err = _cli(
            tmp_path, "apply", *hosts_args, "--supernet", SUPERNET, "--link", f"{ESX}/vmnic1={A}/vmnic1"
        )
        after = read(judge)
    return code, result, err, start, after


def test_cli_apply_on_an_esx_mode_host_and_a_twin_host_ends_exact(esx: Vcsim, tmp_path: Path) -> None:
    code, result, err, start, after = _apply_from_vcsim_to_twin(esx, tmp_path, demo_spec())
    assert code == 1, err
    assert result["outcome"] == "rolled_back" and "MethodNotFound" in result["message"], result
    assert after == start, differences(start, after)
    assert result["differences"] == [] and "back to their starting state" in result["message"]


def test_an_undo_the_host_refuses_is_named_and_never_called_clean(esx: Vcsim, tmp_path: Path) -> None:
    spec = demo_spec(faults=(fault(A, "RemoveVirtualSwitch", 1, "fault"),))
    code, result, err, start, after = _apply_from_vcsim_to_twin(esx, tmp_path, spec)
    left = differences(start, after)
    assert code == 6, err  # changes remain: exit 1 would claim the hosts are back
    assert result["outcome"] == "rollback_incomplete" and "rollback incomplete" in result["message"]
    assert result["ok"] is False and "back to their starting state" not in result["message"]
    assert "remain" in result["message"], result["message"]
    assert len(left) == 1 and left[0].startswith(f"{A}/vswitches/vmesh-1: new"), left
    assert any("vSwitch vmesh-1" in d and A in d for d in result["differences"]), result["differences"]
