"""Re-planning an applied mesh that was partly broken by hand: the healthy links keep their numbers and
addresses, so the plan touches only the broken link's objects (it never removes and re-creates a link
that works because another one vanished or a new cable sorts before it).

Host states are literal: the 3-host mesh of test_applied (tests/labs/mesh3.toml after `apply --probe`)
with one object removed, as a read of the hosts shows it.
"""

from __future__ import annotations

from dataclasses import replace

from tests.core.test_applied import H1, H2, MESH, MESH_CABLES, SUPERNET, _host
from vmesh_tui.core.addressing import carve
from vmesh_tui.core.applied import dropped_link_findings
from vmesh_tui.core.design import DesignOptions, design
from vmesh_tui.core.model import HostState, Pnic, Portgroup, Vmk, VSwitch
from vmesh_tui.core.pairing import link, propose_cables
from vmesh_tui.core.plan import make_plan


def _touched(hosts: list[HostState], pairing: object = None) -> set[tuple[str, str]]:
    """(host, object name) of every object the plan changes (a vmk by its portgroup)."""
    pairing = pairing or propose_cables(hosts)
    addressing = carve(pairing.cables, SUPERNET, 30, hosts)  # type: ignore[attr-defined]
    observed = {h.name: h for h in hosts}
    plan = make_plan(observed, design(observed, addressing.links, DesignOptions()))
    found = set()
    for step in plan.steps:
        obj = step.after or step.before
        found.add((step.host, getattr(obj, "name", None) or getattr(obj, "portgroup", "")))
    return found


def _numbers(hosts: list[HostState]) -> dict[tuple[str, str], int]:
    pairing = propose_cables(hosts)
    return {link.cable.ends: link.number for link in carve(pairing.cables, SUPERNET, 30, hosts).links}


def test_a_vmk_removed_by_hand_leaves_the_healthy_links_alone() -> None:
    h1, h2, h3 = MESH
    broken = replace(h2, vmks=tuple(v for v in h2.vmks if v.device != "vmk1"))  # link 1's end on h2
    hosts = [h1, broken, h3]
    assert _numbers(hosts) == {cable: n for n, cable in enumerate(MESH_CABLES, start=1) if n != 1}
    touched = _touched(hosts)
    assert touched, "link 1's leftovers on h1 are a change to make"
    assert {name for _, name in touched} <= {"vmesh-1", "vmesh-vmotion-1"}, touched


def test_a_vswitch_deleted_by_hand_leaves_the_healthy_links_alone() -> None:
    h1, h2, h3 = MESH
    gone = replace(  # link 3 (h1/vmnic3 - h3/vmnic1): h3's vSwitch, portgroup and vmk removed
        h3,
        vswitches=tuple(s for s in h3.vswitches if s.name != "vmesh-3"),
        portgroups=tuple(g for g in h3.portgroups if g.name != "vmesh-vmotion-3"),
        vmks=tuple(v for v in h3.vmks if v.portgroup != "vmesh-vmotion-3"),
    )
    hosts = [h1, h2, gone]
    numbers = _numbers(hosts)
    for n, cable in enumerate(MESH_CABLES, start=1):
        if n != 3:
            assert numbers[cable] == n, numbers
    touched = _touched(hosts)
    assert {name for _, name in touched} <= {"vmesh-3", "vmesh-vmotion-3"}, touched


def test_a_new_cable_that_sorts_first_gets_a_free_number_and_the_applied_ones_stay() -> None:
    a, b = "esx-a.lab.local", "esx-b.lab.local"
    links = [(1, "vmnic2", 1), (2, "vmnic3", 5)]  # applied; vmnic1 is cabled later
    hosts = [
        _host(a, "192.168.10.11", [(n, nic, f"172.31.250.{ip}") for n, nic, ip in links]),
        _host(b, "192.168.10.12", [(n, nic, f"172.31.250.{ip + 1}") for n, nic, ip in links]),
    ]
    hosts = [  # vmnic1 has link on both: the new cable, typed by hand
        replace(h, pnics=tuple(replace(p, speed_mb=1000) if p.device == "vmnic1" else p for p in h.pnics))
        for h in hosts
    ]
    pairing = link(propose_cables(hosts), hosts, f"{a}/vmnic1", f"{b}/vmnic1")
    numbers = {x.cable.ends: x.number for x in carve(pairing.cables, SUPERNET, 30, hosts).links}
    assert numbers[(f"{a}/vmnic2", f"{b}/vmnic2")] == 1 and numbers[(f"{a}/vmnic3", f"{b}/vmnic3")] == 2
    assert numbers[(f"{a}/vmnic1", f"{b}/vmnic1")] == 3
    touched = _touched(hosts, pairing)
    assert touched and {name for _, name in touched} <= {"vmesh-3", "vmesh-vmotion-3"}, touched


def test_an_admins_objects_that_only_look_like_the_tools_are_never_the_tools() -> None:
    h1, h2, h3 = MESH

    def with_admin_switch(host: HostState, switch: str, group: str, ip: str) -> HostState:
        return replace(
            host,
            pnics=(*host.pnics, Pnic("vmnic5", "00:50:56:05:00:09", "igb", 1000)),
            vswitches=(*host.vswitches, VSwitch(switch, 1500, ("vmnic5",), ("vmnic5",))),
            portgroups=(*host.portgroups, Portgroup(group, switch)),
            vmks=(*host.vmks, Vmk("vmk9", group, ip, 30, 1500, frozenset({"vmotion"}))),
        )

    hosts = [  # an admin's vmesh-lab (the tool's prefix and dash) and vmeshlab-1, cabled vmnic5 - vmnic5
        with_admin_switch(h1, "vmesh-lab", "vmesh-lab-pg", "10.9.9.1"),
        with_admin_switch(h2, "vmeshlab-1", "vmeshlab-vmotion-1", "10.9.9.2"),
        h3,
    ]
    pairing = propose_cables(hosts)
    assert [(c.a, c.b, c.source) for c in pairing.cables] == [(a, b, "applied") for a, b in MESH_CABLES]
    assert (
        pairing.exclusion_of(f"{H1}/vmnic5").reason == "uplink of vmesh-lab, which this tool did not create"
    )
    assert (
        pairing.exclusion_of(f"{H2}/vmnic5").reason == "uplink of vmeshlab-1, which this tool did not create"
    )
    assert _touched(hosts) == set()  # nothing of the admin's is removed, the mesh is as applied
    assert dropped_link_findings(hosts, (ref for c in pairing.cables for ref in c.ends)) == ()


def test_a_broken_link_is_said_of_its_two_ends_only() -> None:
    h1, h2, h3 = MESH
    broken = replace(h2, vmks=tuple(v for v in h2.vmks if v.device != "vmk1"))  # link 1's end on h2
    hosts = [h1, broken, h3]
    pairing = propose_cables(hosts)
    found = dropped_link_findings(hosts, (ref for c in pairing.cables for ref in c.ends))
    assert [(f.code, f.subject) for f in found] == [
        ("dropped-link", f"{H1}/vmnic1"),
        ("dropped-link", f"{H2}/vmnic2"),
    ]
    assert "vmesh-vmotion-1" in found[0].message and "vmesh-1" in found[1].message


def test_objects_that_do_not_single_out_one_end_are_no_applied_cable() -> None:
    h1, h2, h3 = MESH
    two_vmks = replace(  # a second vmk on link 1's portgroup of h2: which one is the link's?
        h2, vmks=(*h2.vmks, Vmk("vmk7", "vmesh-vmotion-1", "172.31.250.3", 30, 9000, frozenset({"vmotion"})))
    )
    pairing = propose_cables([h1, two_vmks, h3])
    assert pairing.cable_of(f"{H1}/vmnic1") is None
    assert [(c.a, c.b) for c in pairing.cables] == MESH_CABLES[1:]


def _shared(name: str, first: int, second_nic: str) -> HostState:
    """Two links in the shared layout: vmesh-shared with vmnic1 and vmnic2, a portgroup per link."""
    nics = ("vmnic1", "vmnic2")
    return HostState(
        name=name,
        pnics=tuple(Pnic(n, f"00:50:56:00:{first:02x}:{i:02x}", "igb", 1000) for i, n in enumerate(nics)),
        vswitches=(VSwitch("vmesh-shared", 9000, nics, nics, ()),),
        portgroups=(
            Portgroup("vmesh-vmotion-1", "vmesh-shared", 0, ("vmnic1",), (), "failover_explicit"),
            Portgroup("vmesh-vmotion-2", "vmesh-shared", 0, (second_nic,), (), "failover_explicit"),
        ),
        vmks=(
            Vmk("vmk1", "vmesh-vmotion-1", f"172.31.250.{first}", 30, 9000, frozenset({"vmotion"})),
            Vmk("vmk2", "vmesh-vmotion-2", f"172.31.250.{first + 4}", 30, 9000, frozenset({"vmotion"})),
        ),
    )


def test_a_nic_that_two_tool_portgroups_carry_is_no_end_of_either() -> None:
    intact = propose_cables([_shared("esx-a", 1, "vmnic2"), _shared("esx-b", 2, "vmnic2")])
    assert [c.source for c in intact.cables] == ["applied", "applied"]
    hosts = [_shared("esx-a", 1, "vmnic2"), _shared("esx-b", 2, "vmnic1")]  # link 2 moved onto vmnic1 by hand
    pairing = propose_cables(hosts)
    assert [(c.a, c.b, c.source, c.verified) for c in pairing.cables] == [  # a guess, never "applied"
        ("esx-a/vmnic1", "esx-b/vmnic1", "name", False),
        ("esx-a/vmnic2", "esx-b/vmnic2", "name", False),
    ]
