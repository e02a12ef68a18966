"""Ping checks (both ways, sized to the MTU) and explanations of ping outcomes in admin language."""

from __future__ import annotations

from dataclasses import replace

from core_factories import cdp, typical_host

from vmesh_tui.core.addressing import carve
from vmesh_tui.core.checks import PingOutcome, explain_ping, explain_route, ping_checks, vmks_reaching
from vmesh_tui.core.design import DesignOptions, design
from vmesh_tui.core.model import Vmk
from vmesh_tui.core.pairing import propose_cables
from vmesh_tui.core.plan import apply_plan, make_plan

HOSTS = {h.name: h for h in (typical_host("esx-a"), typical_host("esx-b", "192.168.10.12/24"))}
LINKS = carve(propose_cables(list(HOSTS.values())).cables, "172.31.250.0/24").links
APPLIED = apply_plan(HOSTS, make_plan(HOSTS, design(HOSTS, LINKS)))
CHECKS = ping_checks(LINKS, APPLIED)


def _with_vmk_mtu(states, host, group, mtu):
    state = states[host]
    vmks = tuple(replace(v, mtu=mtu) if v.portgroup == group else v for v in state.vmks)
    return {**states, host: replace(state, vmks=vmks)}


def test_two_checks_per_link_sized_for_jumbo_frames():
    assert len(CHECKS) == 8
    first, back = CHECKS[0], CHECKS[1]
    assert (first.src_host, first.src_vmk, first.src_ip, first.dst_host, first.dst_ip) == (
        "esx-a",
        "vmk1",
        "172.31.250.1",
        "esx-b",
        "172.31.250.2",
    )
    assert (back.src_host, back.dst_ip, back.src_nic, back.dst_nic) == (
        "esx-b",
        "172.31.250.1",
        "esx-b/vmnic1",
        "esx-a/vmnic1",
    )
    assert {c.size for c in CHECKS} == {8972} and {c.netstack for c in CHECKS} == {None}
    assert str(first) == "esx-a vmk1 -> esx-b 172.31.250.2 (8972 bytes, link 1)"


def test_vmotion_netstack_and_smaller_mtu():
    checks = ping_checks(LINKS, design(HOSTS, LINKS), DesignOptions(mtu=1500, netstack="vmotion"))
    assert {c.size for c in checks} == {1472} and {c.netstack for c in checks} == {"vmotion"}
    assert {c.src_vmk for c in checks} == {""}


def test_full_replies_are_ok():
    explained = explain_ping(CHECKS[0], PingOutcome(3, 3), APPLIED)
    assert explained.ok and explained.code == "ok"


def test_message_too_long_names_the_local_object_and_its_mtu():
    states = _with_vmk_mtu(APPLIED, "esx-a", "vmesh-vmotion-1", 1500)
    explained = explain_ping(CHECKS[0], PingOutcome(0, 0, "sendto() failed (Message too long)"), states)
    assert (explained.ok, explained.code) == (False, "local-mtu")
    assert "vmk1 on esx-a has MTU 1500" in explained.reason and "9000" in explained.remedy


def test_path_mtu_names_the_other_hosts_vswitch():
    b = APPLIED["esx-b"]
    states = {**APPLIED, "esx-b": replace(b, vswitches=tuple(replace(v, mtu=1500) for v in b.vswitches))}
    explained = explain_ping(CHECKS[0], PingOutcome(3, 0), states, small_ok=True)
    assert explained.code == "path-mtu"
    assert "vSwitch vmesh-1 on esx-b has MTU 1500" in explained.reason


def test_path_mtu_blames_the_path_when_both_hosts_are_right():
    explained = explain_ping(CHECKS[2], PingOutcome(3, 0), APPLIED, small_ok=True)
    assert explained.code == "path-mtu" and "esx-a/vmnic2 and esx-b/vmnic2" in explained.reason


def test_silence_with_a_crossed_cable_names_the_crossing():
    a = APPLIED["esx-a"]
    heard = tuple(replace(p, neighbor=cdp("esx-b", "vmnic2")) if p.device == "vmnic1" else p for p in a.pnics)
    explained = explain_ping(CHECKS[0], PingOutcome(3, 0), {**APPLIED, "esx-a": replace(a, pnics=heard)})
    assert explained.code == "cable-crossed"
    assert "esx-a/vmnic1 is cabled to esx-b/vmnic2 (CDP), not esx-b/vmnic1" in explained.reason


def test_silence_with_link_down_and_plain_silence():
    a = APPLIED["esx-a"]
    down = tuple(replace(p, speed_mb=None) if p.device == "vmnic5" else p for p in a.pnics)
    explained = explain_ping(CHECKS[4], PingOutcome(3, 0), {**APPLIED, "esx-a": replace(a, pnics=down)})
    assert (explained.code, explained.reason) == ("link-down", "link 3: esx-a/vmnic5 has no link")
    assert explain_ping(CHECKS[4], PingOutcome(3, 0), APPLIED).code == "no-reply"


def test_partial_loss():
    explained = explain_ping(CHECKS[1], PingOutcome(3, 1), APPLIED)
    assert (explained.ok, explained.code) == (False, "ping-loss") and "2 of 3" in explained.reason


def test_shared_subnet_is_the_24_problem():
    a = APPLIED["esx-a"]
    stray = Vmk("vmk9", "Management Network", "172.31.250.77", 24, 9000)
    states = {**APPLIED, "esx-a": replace(a, vmks=(*a.vmks, stray))}
    assert [v.device for v in vmks_reaching(states["esx-a"], "172.31.250.2")] == ["vmk1", "vmk9"]
    explained = explain_ping(CHECKS[0], PingOutcome(3, 0), states)
    assert explained.code == "shared-subnet" and "/24 problem" in explained.reason


def test_routing_check_without_interface():
    assert explain_route(CHECKS[0], APPLIED).ok
    a = APPLIED["esx-a"]
    stray = Vmk("vmk9", "Management Network", "172.31.250.77", 24, 9000)
    crowded = {**APPLIED, "esx-a": replace(a, vmks=(*a.vmks, stray))}
    wrong = explain_route(CHECKS[0], crowded)
    assert (wrong.ok, wrong.code) == (False, "wrong-route") and "vmk9 (Management Network)" in wrong.reason
    bare = {**APPLIED, "esx-a": replace(a, vmks=a.vmks[:1])}
    assert explain_route(CHECKS[0], bare).code == "no-route"
