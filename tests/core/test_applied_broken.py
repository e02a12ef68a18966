"""Re-planning an applied mesh that was partly broken by hand: the healthy links keep their numbers and
addresses, so the plan touches only the broken link's objects (it never removes and re-creates a link
that works because another one vanished or a new cable sorts before it).

Host states are literal: the 3-host mesh of test_applied (tests/labs/mesh3.toml after `apply --probe`)
with one object removed, as a read of the hosts shows it.
"""

from __future__ import annotations

from dataclasses import replace

from tests.core.test_applied import MESH, MESH_CABLES, SUPERNET, _host
from vmesh_tui.core.addressing import carve
from vmesh_tui.core.design import DesignOptions, design
from vmesh_tui.core.model import HostState
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
