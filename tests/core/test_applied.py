"""Re-planning an applied mesh: the cables the tool configured are read back from its own objects on the
hosts (source "applied"), so a plan with the same choices is empty, never one that removes the links.

Host states are written out literally here, as a read of the hosts after an apply shows them (the
3-host crossed mesh of tests/labs/mesh3.toml, the demo's straight cables, the shared layout).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from vmesh_tui.core.addressing import carve
from vmesh_tui.core.checks import preflight
from vmesh_tui.core.design import DesignOptions, design
from vmesh_tui.core.model import CdpMode, HostState, Neighbor, Pnic, Portgroup, Vmk, VSwitch
from vmesh_tui.core.pairing import propose_cables
from vmesh_tui.core.plan import make_plan
from vmesh_tui.core.probe_results import read_probe
from vmesh_tui.core.probing import plan_probe

SUPERNET = "172.31.250.0/24"
H1, H2, H3 = "h1.lab.local", "h2.lab.local", "h3.lab.local"


def _host(name: str, mgmt: str, links: list[tuple[int, str, str]], nics: int = 5) -> HostState:
    """A host after a per-link apply: for each (link number, vmnic, vmk address) a vSwitch vmesh-N with
    that one uplink, a portgroup vmesh-vmotion-N with it active, and a vMotion vmk in a /30. vmnic0
    carries management; the other NICs have no link."""
    up = {"vmnic0", *(nic for _, nic, _ in links)}
    return HostState(
        name=name,
        version="8.0.3",
        pnics=tuple(
            Pnic(f"vmnic{i}", f"00:50:56:{i:02x}:00:01", "igb", 1000 if f"vmnic{i}" in up else None)
            for i in range(nics)
        ),
        vswitches=(
            VSwitch("vSwitch0", 1500, ("vmnic0",), ("vmnic0",)),
            *(VSwitch(f"vmesh-{n}", 9000, (nic,), (nic,), (), CdpMode.LISTEN) for n, nic, _ in links),
        ),
        portgroups=(
            Portgroup("Management Network", "vSwitch0"),
            *(
                Portgroup(f"vmesh-vmotion-{n}", f"vmesh-{n}", 0, (nic,), (), "failover_explicit")
                for n, nic, _ in links
            ),
        ),
        vmks=(
            Vmk("vmk0", "Management Network", mgmt, 24, 1500, frozenset({"management"})),
            *(
                Vmk(f"vmk{i}", f"vmesh-vmotion-{n}", ip, 30, 9000, frozenset({"vmotion"}))
                for i, (n, _, ip) in enumerate(links, start=1)
            ),
        ),
    )


# tests/labs/mesh3.toml after `apply --probe` (no --link): crossed cables, CDP at listen everywhere
MESH = [
    _host(
        H1,
        "192.168.10.11",
        [
            (1, "vmnic1", "172.31.250.1"),
            (2, "vmnic2", "172.31.250.5"),
            (3, "vmnic3", "172.31.250.9"),
            (4, "vmnic4", "172.31.250.13"),
        ],
    ),
    _host(
        H2,
        "192.168.10.12",
        [
            (1, "vmnic2", "172.31.250.2"),
            (2, "vmnic1", "172.31.250.6"),
            (5, "vmnic3", "172.31.250.17"),
            (6, "vmnic4", "172.31.250.21"),
        ],
    ),
    _host(
        H3,
        "192.168.10.13",
        [
            (3, "vmnic1", "172.31.250.10"),
            (4, "vmnic2", "172.31.250.14"),
            (5, "vmnic4", "172.31.250.18"),
            (6, "vmnic3", "172.31.250.22"),
        ],
    ),
]
MESH_CABLES = [
    (f"{H1}/vmnic1", f"{H2}/vmnic2"),
    (f"{H1}/vmnic2", f"{H2}/vmnic1"),
    (f"{H1}/vmnic3", f"{H3}/vmnic1"),
    (f"{H1}/vmnic4", f"{H3}/vmnic2"),
    (f"{H2}/vmnic3", f"{H3}/vmnic4"),
    (f"{H2}/vmnic4", f"{H3}/vmnic3"),
]


def _plan(hosts: list[HostState], options: DesignOptions | None = None) -> tuple[object, object]:
    pairing = propose_cables(hosts)
    addressing = carve(pairing.cables, SUPERNET, 30, hosts)
    observed = {h.name: h for h in hosts}
    desired = design(observed, addressing.links, options or DesignOptions())
    return pairing, make_plan(observed, desired)


def test_applied_mesh_gives_back_its_crossed_cables_and_an_empty_plan() -> None:
    pairing, plan = _plan(MESH)
    assert [(c.a, c.b, c.source, c.verified) for c in pairing.cables] == [
        (a, b, "applied", False) for a, b in MESH_CABLES
    ]
    assert plan.is_empty, plan.steps
    reasons = [e.reason for e in pairing.excluded]
    assert not any("free" in reason for reason in reasons), reasons
    codes = {f.code for f in preflight(MESH, pairing, carve(pairing.cables, SUPERNET, 30, MESH))}
    assert codes == {"unverified-applied"}


def test_cdp_that_names_the_other_end_verifies_an_applied_cable_and_other_cdp_does_not() -> None:
    h1, h2, h3 = MESH
    agreeing = replace(
        h1,
        pnics=tuple(
            replace(p, neighbor=Neighbor("cdp", H2, "vmnic2")) if p.device == "vmnic1" else p
            for p in h1.pnics
        ),
    )
    pairing = propose_cables([agreeing, h2, h3])
    assert pairing.cable_of(f"{H1}/vmnic1").verified
    assert not pairing.cable_of(f"{H1}/vmnic2").verified
    crossed = replace(
        h2,
        pnics=tuple(
            replace(p, neighbor=Neighbor("cdp", H1, "vmnic2")) if p.device == "vmnic2" else p
            for p in h2.pnics
        ),
    )
    hosts = [agreeing, crossed, h3]  # h2/vmnic2 hears h1/vmnic2: the cable moved since the apply
    pairing = propose_cables(hosts)
    cable = pairing.cable_of(f"{H1}/vmnic1")
    assert (cable.b, cable.source, cable.verified) == (f"{H2}/vmnic2", "applied", False)
    findings = preflight(hosts, pairing, carve(pairing.cables, SUPERNET, 30, hosts))
    assert any(f.code == "cable-crossed" and f.subject == f"{H2}/vmnic2" for f in findings)


def test_demo_straight_cables_stay_as_applied_and_a_down_link_is_kept_for_preflight() -> None:
    a, b = "esx-a.lab.local", "esx-b.lab.local"
    links = [(1, "vmnic1", 1), (2, "vmnic2", 5), (3, "vmnic5", 9), (4, "vmnic6", 13)]
    hosts = [
        _host(a, "192.168.10.11", [(n, nic, f"172.31.250.{ip}") for n, nic, ip in links], nics=8),
        _host(b, "192.168.10.12", [(n, nic, f"172.31.250.{ip + 1}") for n, nic, ip in links], nics=8),
    ]
    pairing, plan = _plan(hosts)
    assert [(c.a, c.source) for c in pairing.cables] == [(f"{a}/{n}", "applied") for _, n, _ in links]
    assert plan.is_empty
    down = replace(
        hosts[0],
        pnics=tuple(replace(p, speed_mb=None) if p.device == "vmnic6" else p for p in hosts[0].pnics),
    )
    pairing, plan = _plan([down, hosts[1]])
    assert len(pairing.cables) == 4 and plan.is_empty
    addressing = carve(pairing.cables, SUPERNET, 30, [down, hosts[1]])
    assert "one-sided" in {f.code for f in preflight([down, hosts[1]], pairing, addressing)}


def test_shared_layout_and_a_portgroup_mid_recovery_are_read_back() -> None:
    def shared(name: str, first: int, standby_two: bool = False) -> HostState:
        nics = ("vmnic1", "vmnic2")
        two = ((), ("vmnic2",)) if standby_two else (("vmnic2",), ())
        return HostState(
            name=name,
            pnics=tuple(Pnic(f"vmnic{i}", f"00:50:56:00:{first:02x}:{i:02x}", "igb", 1000) for i in (1, 2)),
            vswitches=(VSwitch("vmesh-shared", 9000, nics, nics, ()),),
            portgroups=(
                Portgroup("vmesh-vmotion-1", "vmesh-shared", 0, ("vmnic1",), (), "failover_explicit"),
                Portgroup("vmesh-vmotion-2", "vmesh-shared", 0, *two, "failover_explicit"),
            ),
            vmks=(
                Vmk("vmk1", "vmesh-vmotion-1", f"172.31.250.{first}", 30, 9000, frozenset({"vmotion"})),
                Vmk("vmk2", "vmesh-vmotion-2", f"172.31.250.{first + 4}", 30, 9000, frozenset({"vmotion"})),
            ),
        )

    hosts = [shared("esx-a", 1), shared("esx-b", 2, standby_two=True)]
    pairing = propose_cables(hosts)
    assert [(c.a, c.b, c.source) for c in pairing.cables] == [
        ("esx-a/vmnic1", "esx-b/vmnic1", "applied"),
        ("esx-a/vmnic2", "esx-b/vmnic2", "applied"),
    ]
    hosts = [shared("esx-a", 1), shared("esx-b", 2)]
    _, plan = _plan(hosts, DesignOptions(layout="shared"))
    assert plan.is_empty, plan.steps


def test_an_end_whose_other_end_is_gone_is_in_use_by_the_tool_not_free() -> None:
    h1, h2, _ = MESH
    pairing = propose_cables([h1, h2])  # h3 not connected: h1/vmnic3 and vmnic4 have no other end here
    assert [(c.a, c.b) for c in pairing.cables] == MESH_CABLES[:2]
    for ref in (f"{H1}/vmnic3", f"{H1}/vmnic4", f"{H2}/vmnic3", f"{H2}/vmnic4"):
        reason = pairing.exclusion_of(ref).reason
        assert reason.startswith("in use by vmesh-tui (vmesh-") and "free" not in reason, reason


def _applied(pairing: Any, ref: str) -> bool:
    cable = pairing.cable_of(ref)
    return cable is not None and cable.source == "applied"


def test_look_alikes_are_no_applied_cables() -> None:
    h1, h2, h3 = MESH
    other = propose_cables(MESH, owned_prefix="mesh")  # another prefix: vmesh-* is not the tool's then
    assert not other.cables
    assert "which this tool did not create" in other.exclusion_of(f"{H1}/vmnic1").reason
    wide = [
        replace(h, vmks=tuple(replace(v, prefix=24) if v.device == "vmk1" else v for v in h.vmks))
        for h in MESH
    ]
    assert not _applied(propose_cables(wide), f"{H1}/vmnic1")  # a /24 does not single out one cable
    third = replace(
        h3,
        vmks=tuple(
            replace(v, portgroup="vmesh-vmotion-1", ip="172.31.250.3") if v.device == "vmk1" else v
            for v in h3.vmks
        ),
        portgroups=(*h3.portgroups, Portgroup("vmesh-vmotion-1", "vmesh-3", 0, ("vmnic1",))),
    )
    renamed = replace(
        h2,
        portgroups=tuple(
            replace(g, name="vmesh-vmotion-9") if g.name == "vmesh-vmotion-1" else g for g in h2.portgroups
        ),
        vmks=tuple(replace(v, portgroup="vmesh-vmotion-9") if v.device == "vmk1" else v for v in h2.vmks),
    )
    assert not _applied(propose_cables([h1, renamed, h3]), f"{H1}/vmnic1")  # the two ends disagree
    clash = replace(
        h2, vmks=tuple(replace(v, ip="172.31.250.1") if v.device == "vmk1" else v for v in h2.vmks)
    )
    assert not _applied(propose_cables([h1, clash, h3]), f"{H1}/vmnic1")  # one address on both ends
    crowded = propose_cables([h1, h2, third])
    assert crowded.cable_of(f"{H1}/vmnic1") is None
    assert "3 NICs have a vmesh-vmotion-1 vmk" in crowded.exclusion_of(f"{H1}/vmnic1").reason


def test_the_probe_reads_applied_cables_back_instead_of_calling_them_free() -> None:
    plan = plan_probe(MESH)
    assert plan.is_empty
    report = read_probe(MESH, plan, {})
    assert [(c.a, c.b, c.source) for c in report.pairing.cables] == [
        (a, b, "applied") for a, b in MESH_CABLES
    ]
    assert not any("free" in e.reason for e in report.pairing.excluded)
