"""A host with a distributed switch (the twin's [[host.dvswitch]]): its uplinks are in use, so they are
never proposed, planned or linked; vmks on its distributed portgroups count for the overlap check and are
never touched. Judged by the independent reader (tests/hostview)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from tests.engine.twinlab import SUPERNET, Twin, collect, demo_spec
from tests.hostview.reader import differences, read_lab
from vmesh_tui.cli import main
from vmesh_tui.engine import results
from vmesh_tui.engine.planning import PlanRequest

A, B = "esx-a.lab.local", "esx-b.lab.local"
DVS = "dvs-prod"


def distributed_spec() -> Any:
    """The demo lab with vmnic5 of both hosts an uplink of distributed switch dvs-prod, and a vMotion vmk
    on its distributed portgroup dvportgroup-21 (10.40.0.0/24) on each host."""
    from vmesh_tui.sim.lab.spec import DvSwitchSpec, VmkSpec

    spec = demo_spec()
    hosts = []
    for number, host in enumerate(spec.hosts, start=1):
        vmk = VmkSpec("vmk1", "dvportgroup-21", f"10.40.0.{10 + number}/24", 9000, ("vmotion",), dvswitch=DVS)
        dvs = DvSwitchSpec(DVS, ("vmnic5",), 9000)
        hosts.append(dataclasses.replace(host, dvswitches=(dvs,), vmks=(*host.vmks, vmk)))
    return dataclasses.replace(spec, hosts=tuple(hosts))


async def test_distributed_uplinks_are_in_use_and_its_vmks_are_never_touched(make_twin: Any) -> None:
    twin = make_twin(distributed_spec())
    start = read_lab(twin.lab)
    assert start[A]["proxy_switches"] == {DVS: {"uplinks": ("vmnic5",)}}
    assert start[A]["vmks"]["vmk1"]["dvport"][1] == "dvportgroup-21"
    _, found = await collect(twin.engine.discover())
    state = found.hosts[A]
    assert [(p.name, p.uplinks) for p in state.proxy_switches] == [(DVS, ("vmnic5",))]
    dvs_vmk = state.vmk("vmk1")
    assert dvs_vmk is not None and (dvs_vmk.portgroup, dvs_vmk.distributed) == ("", f"{DVS}/dvportgroup-21")
    cabled = {ref for c in found.pairing.cables for ref in c.ends}
    assert cabled == {f"{h}/vmnic{n}" for h in (A, B) for n in (1, 2, 6)}  # vmnic5 is not proposed
    reason = found.pairing.exclusion_of(f"{A}/vmnic5").reason
    assert reason == f"uplink of distributed switch {DVS}, which this tool did not create"

    _, planned = await collect(twin.engine.plan(PlanRequest(SUPERNET)))
    assert len(planned.links) == 3 and not planned.errors, planned.errors
    _, applied = await collect(twin.engine.apply(planned))
    assert applied.outcome == results.APPLIED, applied
    now = read_lab(twin.lab)
    for host in (A, B):
        assert now[host]["proxy_switches"] == start[host]["proxy_switches"]
        assert now[host]["vmks"]["vmk1"] == start[host]["vmks"]["vmk1"]  # the distributed vmk as it was
        assert "vmnic5" not in {u for s in now[host]["vswitches"].values() for u in s["uplinks"]}
    _, reverted = await collect(twin.engine.revert())
    assert reverted.ok, reverted
    after = read_lab(twin.lab)
    assert after == start, differences(start, after)


def test_a_distributed_uplink_cannot_be_linked_and_its_vmk_network_cannot_be_reused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = Twin(distributed_spec(), tmp_path)
    try:
        monkeypatch.setenv("VMESH_HOME", str(tmp_path))
        monkeypatch.setenv("VMESH_PASSWORD", made.password)
        start = read_lab(made.lab)
        link = ["--link", f"{A}/vmnic5={B}/vmnic5"]
        code = main(["plan", "--supernet", SUPERNET, *link, "--json", *made.host_args()])
        linked = json.loads(capsys.readouterr().out)
        code_overlap = main(["plan", "--supernet", "10.40.0.0/16", "--json", *made.host_args()])
        overlap = capsys.readouterr()
        after = read_lab(made.lab)
    finally:
        made.close()
    assert code != 0 and f"distributed switch {DVS}" in json.dumps(linked), linked
    assert code_overlap != 0 and "10.40.0" in overlap.out + overlap.err, overlap
    assert after == start
