"""Distributed switches in the core: their uplinks are in use (excluded with the reason, refused as links,
left out of a probe), and vmks on distributed portgroups count for the overlap check and are never planned."""

from __future__ import annotations

from dataclasses import replace

import pytest
from core_factories import typical_host

from vmesh_tui.core.addressing import carve
from vmesh_tui.core.checks import preflight
from vmesh_tui.core.design import design
from vmesh_tui.core.errors import CoreError
from vmesh_tui.core.model import ProxySwitch, Vmk
from vmesh_tui.core.pairing import Cable, Pairing, link, propose_cables
from vmesh_tui.core.plan import make_plan
from vmesh_tui.core.probing import plan_probe

DVS_VMK = Vmk(
    "vmk2", "", "10.40.0.11", 24, 9000, frozenset({"vmotion"}), distributed="dvs-prod/dvportgroup-21"
)


def _with_dvs(name: str, ip: str = "10.40.0.11") -> object:
    host = typical_host(name)
    return replace(
        host,
        proxy_switches=(ProxySwitch("dvs-prod", ("vmnic5",)),),
        vmks=(*host.vmks, replace(DVS_VMK, ip=ip)),
    )


def test_a_distributed_uplink_is_excluded_refused_as_a_link_and_not_probed() -> None:
    hosts = [_with_dvs("esx-a"), _with_dvs("esx-b", "10.40.0.12")]
    pairing = propose_cables(hosts)
    assert {c.a.split("/")[1] for c in pairing.cables} == {"vmnic1", "vmnic2", "vmnic6"}
    reason = pairing.exclusion_of("esx-a/vmnic5").reason
    assert reason == "uplink of distributed switch dvs-prod, which this tool did not create"
    with pytest.raises(CoreError) as refused:
        link(pairing, hosts, "esx-a/vmnic5", "esx-b/vmnic5")
    assert "distributed switch dvs-prod" in str(refused.value)
    cable = Cable.between("esx-a/vmnic5", "esx-b/vmnic5", "manual", True)
    findings = preflight(hosts, Pairing((cable,)), carve([cable], "172.31.250.0/24"))
    in_use = [f for f in findings if f.code == "nic-in-use"]
    assert [f.subject for f in in_use] == ["esx-a/vmnic5", "esx-b/vmnic5"]
    assert "remove vmnic5 from distributed switch dvs-prod first" in in_use[0].remedy
    probe = plan_probe(hosts)
    assert all("vmnic5" not in target.nics for target in probe.targets)


def test_a_distributed_vmk_counts_for_overlap_and_is_never_planned() -> None:
    hosts = {h.name: h for h in (_with_dvs("esx-a"), _with_dvs("esx-b", "10.40.0.12"))}
    cables = propose_cables(list(hosts.values())).cables
    with pytest.raises(CoreError) as overlap:
        carve(cables, "10.40.0.0/16", hosts=list(hosts.values()))
    assert overlap.value.code == "overlap" and "vmk2" in str(overlap.value)
    links = carve(cables, "172.31.250.0/24", hosts=list(hosts.values())).links
    plan = make_plan(hosts, design(hosts, links))
    assert plan.steps and not [s for s in plan.steps if isinstance(s.obj, Vmk) and s.obj.device == "vmk2"]
    plain = {n: replace(h, proxy_switches=(), vmks=h.vmks[:1]) for n, h in hosts.items()}
    assert make_plan(plain, design(plain, links)) == plan  # the distributed vmk changes nothing in the plan
