"""Preflight findings: each problem gets its code, severity, subject and a remedy."""

from __future__ import annotations

from dataclasses import replace

from core_factories import cdp, typical_host, with_lookalike

from vmesh_tui.core.addressing import carve
from vmesh_tui.core.checks import preflight
from vmesh_tui.core.design import DesignOptions, NicSpeed
from vmesh_tui.core.errors import Severity
from vmesh_tui.core.model import Portgroup, Vmk, VSwitch
from vmesh_tui.core.pairing import Cable, Pairing, propose_cables


def _codes(findings):
    return [(f.code, f.severity.value, f.subject) for f in findings]


def _run(hosts, cables, options=None, supernet="172.31.250.0/24", prefix=30):
    pairing = Pairing(tuple(cables))
    return preflight(hosts, pairing, carve(cables, supernet, prefix), options)


def test_clean_name_pairing_only_warns_that_cables_are_unverified():
    hosts = [typical_host("esx-a"), typical_host("esx-b")]
    findings = _run(hosts, propose_cables(hosts).cables)
    assert {f.code for f in findings} == {"unverified-cable"}
    assert all(f.severity is Severity.WARNING and f.remedy for f in findings)


def test_verified_cdp_cables_give_no_findings():
    a = typical_host("esx-a", neighbors={"vmnic1": cdp("esx-b", "vmnic1")})
    b = typical_host("esx-b", neighbors={"vmnic1": cdp("esx-a", "vmnic1")})
    cables = [c for c in propose_cables([a, b]).cables if c.verified]
    assert _run({"esx-a": a, "esx-b": b}, cables) == ()


def test_blocking_problems_are_errors_listed_first():
    a = typical_host("esx-a", down=("vmnic2",))
    b = typical_host("esx-b", down=("vmnic2", "vmnic5"))
    cables = [
        Cable.between("esx-a/vmnic0", "esx-b/vmnic1", "manual", True),
        Cable.between("esx-a/vmnic2", "esx-b/vmnic2", "manual", True),
        Cable.between("esx-a/vmnic5", "esx-b/vmnic5", "manual", True),
        Cable.between("esx-a/vmnic9", "esx-b/vmnic6", "manual", True),
        Cable.between("esx-a/vmnic1", "esx-c/vmnic1", "manual", True),
    ]
    findings = _run([a, b], cables)
    assert _codes(findings) == [
        ("nic-in-use", "error", "esx-a/vmnic0"),
        ("link-down", "error", "esx-a/vmnic2"),
        ("link-down", "error", "esx-b/vmnic2"),
        ("one-sided", "error", "esx-b/vmnic5"),
        ("nic-missing", "error", "esx-a/vmnic9"),
        ("host-missing", "error", "esx-c/vmnic1"),
    ]
    assert all(f.remedy for f in findings)
    severities = [f.severity for f in findings]
    assert severities == sorted(severities, key=lambda s: s is not Severity.ERROR)


def test_duplicate_nic_and_cdp_contradiction():
    a = typical_host("esx-a", neighbors={"vmnic1": cdp("esx-b", "vmnic2")})
    cables = [
        Cable.between("esx-a/vmnic1", "esx-b/vmnic1", "manual", True),
        Cable.between("esx-a/vmnic1", "esx-b/vmnic5", "manual", True),
    ]
    findings = _run([a, typical_host("esx-b")], cables)
    codes = [f.code for f in findings if f.severity is Severity.ERROR]
    assert codes.count("duplicate-nic") == 1 and codes.count("cable-crossed") == 2
    crossed = next(f for f in findings if f.code == "cable-crossed")
    assert "esx-b/vmnic2" in crossed.message and crossed.remedy.startswith(
        "link esx-a/vmnic1 to esx-b/vmnic2"
    )


def test_option_warnings_and_speed_mismatch():
    hosts = [typical_host("esx-a"), typical_host("esx-b")]
    cables = [Cable.between("esx-a/vmnic1", "esx-b/vmnic1", "cdp", True)]
    options = DesignOptions(layout="shared", netstack="vmotion", nic_speeds=(NicSpeed("esx-a/vmnic1", 1000),))
    findings = _run(hosts, cables, options, prefix=31)
    assert {f.code for f in findings} == {"prefix-31", "shared-layout", "vmotion-netstack", "speed-mismatch"}
    mismatch = next(f for f in findings if f.code == "speed-mismatch")
    assert "1000/full" in mismatch.message and "auto" in mismatch.message


def test_slow_nic_peer_mtu_other_vmotion_vmk_and_foreign_portgroup():
    # vmnic1 hears a switch port at MTU 1500: the cable goes through something the plan does not set
    a = typical_host("esx-a", neighbors={"vmnic1": replace(cdp("core-sw", "Gi1/0/7"), mtu=1500)})
    a = replace(
        a,
        pnics=tuple(replace(p, speed_mb=100) if p.device == "vmnic1" else p for p in a.pnics),
        vmks=(replace(a.vmks[0], services=frozenset({"management", "vmotion"})),),
        vswitches=(*a.vswitches, VSwitch("vmesh-1", 9000, ("vmnic1",), ("vmnic1",))),
        portgroups=(*a.portgroups, Portgroup("Backup", "vmesh-1")),
    )
    cables = [Cable.between("esx-a/vmnic1", "esx-b/vmnic1", "cdp", True)]
    findings = _run([a, typical_host("esx-b")], cables)
    assert {f.code for f in findings} == {"mtu-slow-nic", "peer-mtu", "other-vmotion-vmk", "foreign-on-owned"}


def test_a_neighbour_that_is_the_planned_peer_raises_no_mtu_doubt():
    # after a probe each end hears the other's temporary vSwitch (MTU 1500); the plan sets both ends to 9000
    a = typical_host("esx-a", neighbors={"vmnic1": replace(cdp("esx-b.lab.local", "vmnic1"), mtu=1500)})
    b = typical_host("esx-b", neighbors={"vmnic1": replace(cdp("ESX-A", "vmnic1"), mtu=1500)})
    cables = [Cable.between("esx-a/vmnic1", "esx-b/vmnic1", "cdp", True)]
    assert _run([a, b], cables) == ()
    crossed = [Cable.between("esx-a/vmnic1", "esx-b/vmnic2", "manual", True)]  # it hears another NIC
    assert "peer-mtu" in {f.code for f in _run([a, b], crossed)}


def test_no_cables_is_an_error():
    assert [f.code for f in _run([typical_host("esx-a")], [])] == ["no-cables"]


def test_lookalike_portgroup_on_a_foreign_vswitch_blocks_and_names_the_fix():
    # Regression: a portgroup named as the tool names its own, on vSwitch0 (with a management vmk),
    # went unreported.
    a = with_lookalike(typical_host("esx-a"))
    hosts = [a, typical_host("esx-b")]
    findings = _run(hosts, propose_cables(hosts).cables)
    blocking = [f for f in findings if f.severity is Severity.ERROR]
    assert _codes(blocking) == [("owned-name-foreign", "error", "esx-a/vmesh-vmotion-9")]
    assert "vSwitch0" in blocking[0].message and "vmk1" in blocking[0].message
    assert blocking[0].remedy == "rename vmesh-vmotion-9, or plan with another --name-prefix"
    assert not [
        f
        for f in _run(hosts, propose_cables(hosts).cables, DesignOptions(name_prefix="mesh"))
        if f.severity is Severity.ERROR
    ]


def test_management_vmk_on_an_owned_portgroup_blocks():
    a = typical_host("esx-a")
    a = replace(
        a,
        vswitches=(*a.vswitches, VSwitch("vmesh-1", 9000, ("vmnic1",), ("vmnic1",))),
        portgroups=(*a.portgroups, Portgroup("vmesh-vmotion-1", "vmesh-1")),
        vmks=(*a.vmks, Vmk("vmk3", "vmesh-vmotion-1", "10.1.1.1", 24, services=frozenset({"Management"}))),
    )
    hosts = [a, typical_host("esx-b")]
    findings = _run(hosts, propose_cables(hosts).cables)
    blocking = [f for f in findings if f.severity is Severity.ERROR]
    assert _codes(blocking) == [("management-vmk-owned", "error", "esx-a/vmk3")]
    assert "move vmk3" in blocking[0].remedy


def test_vmotion_vmk_on_a_lookalike_portgroup_is_not_mistaken_for_the_tools():
    a = with_lookalike(typical_host("esx-a"), services=frozenset({"vmotion"}))
    hosts = [a, typical_host("esx-b")]
    findings = _run(hosts, propose_cables(hosts).cables)
    assert ("other-vmotion-vmk", "warning", "esx-a/vmk1") in _codes(findings)


def test_vmotion_netstack_names_each_default_stack_vmotion_vmk_and_says_the_links_serve_only_these_hosts():
    a = typical_host("esx-a")
    a = replace(
        a,
        vmks=(*a.vmks, Vmk("vmk1", "Management Network", "192.168.10.21", 24, 1500, frozenset({"vmotion"}))),
    )
    on_stack = Vmk("vmk2", "Management Network", "192.168.10.22", 24, 1500, frozenset({"vmotion"}), "vmotion")
    b = replace(typical_host("esx-b"), vmks=(*typical_host("esx-b").vmks, on_stack))
    cables = [Cable.between("esx-a/vmnic1", "esx-b/vmnic1", "cdp", True)]
    findings = _run([a, b], cables, DesignOptions(netstack="vmotion"))
    assert _codes(findings) == [
        ("vmotion-netstack", "warning", ""),
        ("vmotion-stack-takeover", "warning", "esx-a/vmk1"),
        ("other-vmotion-vmk", "warning", "esx-b/vmk2"),  # on the vMotion stack too: used besides the links
    ]
    general, takeover, _ = findings
    assert "only migrations between these hosts (esx-a, esx-b)" in general.message
    assert "vmk1 on esx-a carries vMotion on the default TCP/IP stack" in takeover.message
    assert "stops carrying vMotion" in takeover.message and "--netstack default" in takeover.remedy
    default = _run([a, b], cables, DesignOptions(netstack="default"))
    assert _codes(default) == [  # both are used besides the links; nothing is taken over
        ("other-vmotion-vmk", "warning", "esx-a/vmk1"),
        ("other-vmotion-vmk", "warning", "esx-b/vmk2"),
    ]
