"""The probe's plan and its reading, from literal host states and literal neighbours."""

from __future__ import annotations

import pytest

from vmesh_tui.core.errors import CoreError
from vmesh_tui.core.model import CdpMode, HostState, Neighbor, Pnic, VSwitch
from vmesh_tui.core.probe_results import read_probe, settled
from vmesh_tui.core.probing import (
    as_the_probe_reads_them,
    leftover_findings,
    plan_probe,
    unexplained_leftover,
)


def host(name: str, up: str, down: str = "", switches: tuple[VSwitch, ...] = (), heard: dict | None = None):
    """A host whose NICs named in ``up`` have link (1000 Mb/s) and those in ``down`` have none."""
    heard = heard or {}
    pnics = tuple(
        Pnic(f"vmnic{n}", f"00:50:56:0{i}:00:{n:02x}", "igb", 1000, neighbor=heard.get(f"vmnic{n}"))
        for i, n in enumerate(int(x) for x in up.split())
    ) + tuple(Pnic(f"vmnic{n}", f"00:50:56:0f:00:{int(n):02x}", "igb", None) for n in down.split())
    return HostState(name=name, version="8.0.3", pnics=pnics, vswitches=switches)


VSWITCH0 = VSwitch("vSwitch0", 1500, ("vmnic0",), ("vmnic0",), (), CdpMode.LISTEN)


def cdp(device: str, port: str) -> Neighbor:
    return Neighbor("cdp", device, port)


def test_plan_takes_free_link_up_nics_only():
    owned = VSwitch("vmesh-1", 9000, ("vmnic6",), ("vmnic6",))
    a = host("esx-a", "0 1 2 5 6", down="3", switches=(VSWITCH0, owned))
    b = host("esx-b", "0 2 4", switches=(VSWITCH0,))
    plan = plan_probe([b, a])
    assert [(t.host, t.nics) for t in plan.targets] == [
        ("esx-a", ("vmnic1", "vmnic2", "vmnic5")),
        ("esx-b", ("vmnic2", "vmnic4")),
    ]
    switch = plan.target("esx-a").vswitch
    assert (switch.name, switch.mtu, switch.uplinks, switch.active, switch.standby, switch.cdp) == (
        "vmesh-probe",
        1500,
        ("vmnic1", "vmnic2", "vmnic5"),
        ("vmnic1", "vmnic2", "vmnic5"),
        (),
        CdpMode.BOTH,
    )
    assert plan.refs == ("esx-a/vmnic1", "esx-a/vmnic2", "esx-a/vmnic5", "esx-b/vmnic2", "esx-b/vmnic4")


def test_plan_skips_nics_whose_neighbour_is_known_and_the_nics_they_name():
    a = host("esx-a", "1 2", heard={"vmnic1": cdp("esx-b", "vmnic7"), "vmnic2": cdp("sw1", "Gi1/0/2")})
    b = host("esx-b", "3 7")
    plan = plan_probe([a, b], owned_prefix="lab")
    assert plan.switch_name == "lab-probe"
    assert plan.known == ("esx-a/vmnic1", "esx-a/vmnic2", "esx-b/vmnic7")
    assert plan.refs == ("esx-b/vmnic3",)


def test_plan_with_nothing_free_is_empty_and_a_leftover_probe_switch_refuses():
    a = host("esx-a", "0", switches=(VSWITCH0,))
    assert plan_probe([a]).is_empty
    stuck = host("esx-b", "1 2", switches=(VSwitch("vmesh-probe", 1500, ("vmnic1",), ("vmnic1",)),))
    (finding,) = leftover_findings([a, stuck])
    assert (finding.code, finding.subject) == ("probe-leftover", "esx-b")
    with pytest.raises(CoreError) as caught:
        plan_probe([a, stuck])
    assert "vmesh-probe" in caught.value.message and "revert" in caught.value.remedy


def _crossed_lab():
    a = host("esx-a.lab", "0 1 2 3 4", switches=(VSWITCH0,))
    b = host("esx-b.lab", "0 1 2 3 4 5", switches=(VSWITCH0,))
    return [a, b]


def test_crossed_cables_verified_switch_and_dark_nics_named():
    hosts = _crossed_lab()
    plan = plan_probe(hosts)
    heard = {
        "esx-a.lab/vmnic2": cdp("esx-b.lab", "vmnic4"),
        "esx-b.lab/vmnic4": cdp("esx-a.lab", "vmnic2"),
        "esx-a.lab/vmnic1": cdp("ESX-B", "vmnic1"),  # short upper-case name still finds the host
        "esx-b.lab/vmnic1": cdp("esx-a.lab", "vmnic1"),
        "esx-a.lab/vmnic3": cdp("core-sw", "GigabitEthernet1/0/7"),
        "esx-b.lab/vmnic3": cdp("core-sw", "GigabitEthernet1/0/8"),
        "esx-a.lab/vmnic4": None,
    }
    report = read_probe(hosts, plan, heard, waited_s=61.4)
    assert [(c.a, c.b, c.source, c.verified) for c in report.pairing.cables] == [
        ("esx-a.lab/vmnic1", "esx-b.lab/vmnic1", "cdp", True),
        ("esx-a.lab/vmnic2", "esx-b.lab/vmnic4", "cdp", True),
    ]
    codes = {f.ref: (f.code, f.peer) for f in report.nics}
    assert codes == {
        "esx-a.lab/vmnic1": ("cable", "esx-b.lab/vmnic1"),
        "esx-a.lab/vmnic2": ("cable", "esx-b.lab/vmnic4"),
        "esx-a.lab/vmnic3": ("switch", "core-sw port GigabitEthernet1/0/7"),
        "esx-a.lab/vmnic4": ("dark", ""),
        "esx-b.lab/vmnic1": ("cable", "esx-a.lab/vmnic1"),
        "esx-b.lab/vmnic2": ("dark", ""),
        "esx-b.lab/vmnic3": ("switch", "core-sw port GigabitEthernet1/0/8"),
        "esx-b.lab/vmnic4": ("cable", "esx-a.lab/vmnic2"),
        "esx-b.lab/vmnic5": ("dark", ""),
    }
    dark = report.pairing.exclusion_of("esx-b.lab/vmnic2").reason
    assert dark.startswith("dark: heard no CDP neighbour in 61 s")
    assert "core-sw port GigabitEthernet1/0/8" in report.pairing.exclusion_of("esx-b.lab/vmnic3").reason
    # equal names are never guessed for probed NICs: esx-a/vmnic4 and esx-b/vmnic2 stay out of any cable
    assert report.pairing.cable_of("esx-a.lab/vmnic4") is None
    assert report.pairing.exclusion_of("esx-a.lab/vmnic0").reason.startswith("uplink of vSwitch0")


def test_a_cut_short_probe_calls_nothing_dark_and_keeps_the_name_guesses():
    hosts = _crossed_lab()
    plan = plan_probe(hosts)
    heard = {"esx-a.lab/vmnic2": cdp("esx-b.lab", "vmnic4"), "esx-a.lab/vmnic3": cdp("core-sw", "Gi1/0/7")}
    report = read_probe(hosts, plan, heard, waited_s=2.0, finished=False)
    codes = {f.ref: f.code for f in report.nics}
    assert "dark" not in codes.values(), codes  # 2 s of silence is no verdict
    assert codes == {
        "esx-a.lab/vmnic2": "cable",
        "esx-a.lab/vmnic3": "switch",
        "esx-b.lab/vmnic4": "cable",
    }
    assert [(c.a, c.b, c.source, c.verified) for c in report.pairing.cables] == [
        ("esx-a.lab/vmnic1", "esx-b.lab/vmnic1", "name", False),  # not heard yet: guessed by name as before
        ("esx-a.lab/vmnic2", "esx-b.lab/vmnic4", "cdp", True),
    ]
    assert report.pairing.exclusion_of("esx-b.lab/vmnic5").reason.startswith("no other host has a free")


def test_one_sided_hearing_is_a_cable_and_a_peer_in_use_is_named():
    listening = VSwitch("vSwitch1", 1500, ("vmnic3",), ("vmnic3",), (), CdpMode.LISTEN)
    a = host("esx-a", "1 2")
    b = host("esx-b", "1 3", switches=(listening,))
    hosts = [a, b]
    plan = plan_probe(hosts)
    assert plan.refs == ("esx-a/vmnic1", "esx-a/vmnic2", "esx-b/vmnic1")
    # esx-b/vmnic1 heard esx-a/vmnic1, which had not heard it back yet when the probe ended; esx-b/vmnic3
    # (listening on vSwitch1, not probed) heard esx-a/vmnic2 advertise
    heard = {"esx-b/vmnic1": cdp("esx-a", "vmnic1"), "esx-b/vmnic3": cdp("esx-a", "vmnic2")}
    report = read_probe(hosts, plan, heard)
    assert [(c.a, c.b) for c in report.pairing.cables] == [("esx-a/vmnic1", "esx-b/vmnic1")]
    found = report.finding("esx-a/vmnic2")
    assert (found.code, found.peer) == ("peer-in-use", "esx-b/vmnic3")
    assert "uplink of vSwitch1" in found.message


def test_two_nics_claiming_one_peer_is_a_conflict_for_all_three_never_a_guess():
    hosts = [host("esx-a", "1"), host("esx-b", "4"), host("esx-c", "1")]
    plan = plan_probe(hosts)
    heard = {
        "esx-a/vmnic1": cdp("esx-b", "vmnic4"),
        "esx-c/vmnic1": cdp("esx-b", "vmnic4"),
        "esx-b/vmnic4": cdp("esx-a", "vmnic1"),
    }
    report = read_probe(hosts, plan, heard)
    assert report.pairing.cables == ()
    assert {f.ref for f in report.with_code("conflict")} == {"esx-a/vmnic1", "esx-b/vmnic4", "esx-c/vmnic1"}
    text = report.finding("esx-b/vmnic4").message
    assert "esx-a/vmnic1 hears esx-b/vmnic4" in text and "esx-c/vmnic1 hears esx-b/vmnic4" in text
    assert report.finding("esx-b/vmnic4").peer == "esx-a/vmnic1, esx-c/vmnic1"


def test_a_peer_that_names_someone_else_is_a_conflict():
    hosts = [host("esx-a", "1"), host("esx-b", "2"), host("esx-c", "3")]
    heard = {"esx-a/vmnic1": cdp("esx-b", "vmnic2"), "esx-b/vmnic2": cdp("esx-c", "vmnic3")}
    report = read_probe(hosts, plan_probe(hosts), heard)
    assert report.pairing.cables == ()
    assert [f.code for f in report.nics] == ["conflict", "conflict", "conflict"]


def test_same_host_other_host_and_unknown_port():
    hosts = [host("esx-a", "1 2 5 6"), host("esx-b", "1")]
    heard = {
        "esx-a/vmnic1": cdp("esx-a", "vmnic2"),
        "esx-a/vmnic2": cdp("esx-a", "vmnic1"),
        "esx-a/vmnic5": cdp("esx-z.lab", "vmnic3"),
        "esx-a/vmnic6": cdp("esx-b", "vmnic9"),
    }
    report = read_probe(hosts, plan_probe(hosts), heard)
    got = {f.ref: (f.code, f.peer) for f in report.nics}
    assert got["esx-a/vmnic1"] == ("same-host", "esx-a/vmnic2")
    assert got["esx-a/vmnic5"] == ("other-host", "esx-z.lab port vmnic3")
    assert got["esx-a/vmnic6"] == ("unknown-port", "esx-b/vmnic9")
    assert got["esx-b/vmnic1"] == ("dark", "")
    assert report.pairing.cables == ()


def test_owned_uplinks_the_probe_cannot_reach_are_still_paired_by_name():
    owned_a = VSwitch("vmesh-1", 9000, ("vmnic5",), ("vmnic5",))
    owned_b = VSwitch("vmesh-1", 9000, ("vmnic5",), ("vmnic5",))
    hosts = [host("esx-a", "1 5", switches=(owned_a,)), host("esx-b", "2 5", switches=(owned_b,))]
    plan = plan_probe(hosts)
    assert plan.refs == ("esx-a/vmnic1", "esx-b/vmnic2")
    report = read_probe(hosts, plan, {"esx-a/vmnic1": cdp("esx-b", "vmnic2"), "esx-b/vmnic2": None})
    assert [(c.a, c.b, c.source, c.verified) for c in report.pairing.cables] == [
        ("esx-a/vmnic1", "esx-b/vmnic2", "cdp", True),
        ("esx-a/vmnic5", "esx-b/vmnic5", "name", False),
    ]


def test_three_host_mesh_two_cables_per_pair():
    hosts = [host("h1", "0 1 2 3"), host("h2", "0 1 2 3"), host("h3", "0 1 2 3")]
    wires = [
        ("h1/vmnic0", "h2/vmnic1"),
        ("h1/vmnic1", "h2/vmnic0"),
        ("h1/vmnic2", "h3/vmnic2"),
        ("h1/vmnic3", "h3/vmnic3"),
        ("h2/vmnic2", "h3/vmnic0"),
        ("h2/vmnic3", "h3/vmnic1"),
    ]
    heard = {}
    for a, b in wires:
        heard[a] = cdp(*b.split("/"))
        heard[b] = cdp(*a.split("/"))
    report = read_probe(hosts, plan_probe(hosts), heard)
    assert sorted((c.a, c.b) for c in report.pairing.cables) == sorted(wires)
    assert all(c.verified and c.source == "cdp" for c in report.pairing.cables)
    assert report.pairing.excluded == ()


def test_a_probed_nic_heard_only_by_the_far_end_is_settled():
    """esx-b/vmnic3 hears nothing (its far end, esx-a/vmnic6, only listens on vSwitch1) but esx-a/vmnic6
    heard it: its far end is known, so the probe need not wait for it; esx-b/vmnic4 is still waiting."""
    listening = VSwitch("vSwitch1", 1500, ("vmnic6",), ("vmnic6",), (), CdpMode.LISTEN)
    hosts = [host("esx-a", "6", switches=(listening,)), host("esx-b", "3 4")]
    plan = plan_probe(hosts)
    assert plan.refs == ("esx-b/vmnic3", "esx-b/vmnic4")
    heard = {"esx-a/vmnic6": cdp("esx-b", "vmnic3"), "esx-b/vmnic3": None, "esx-b/vmnic4": None}
    assert settled(hosts, plan, heard) == {"esx-b/vmnic3"}
    assert settled(hosts, plan, {**heard, "esx-a/vmnic6": cdp("core-sw", "Gi1/0/1")}) == set()


def test_a_new_probe_is_planned_as_its_fresh_read_will_find_the_hosts():
    """After a probe, free NICs carry what it heard, and an interrupted one leaves its vSwitch: the next
    probe (which reads the hosts again and removes that vSwitch first) takes all those NICs again."""
    earlier = VSwitch("vmesh-probe", 1500, ("vmnic2",), ("vmnic2",), (), CdpMode.BOTH)
    a = host("esx-a", "0 1 2", switches=(VSWITCH0, earlier), heard={"vmnic1": cdp("esx-b", "vmnic1")})
    b = host("esx-b", "0 1", switches=(VSWITCH0,), heard={"vmnic0": cdp("core-sw", "Gi1/0/2")})
    hosts = [a, b]
    fresh = as_the_probe_reads_them(hosts)
    assert [v.name for v in fresh[0].vswitches] == ["vSwitch0"]
    assert fresh[0].pnic("vmnic1").neighbor is None
    assert fresh[1].pnic("vmnic0").neighbor == cdp("core-sw", "Gi1/0/2")  # an uplink's neighbour stays
    assert plan_probe(fresh).refs == ("esx-a/vmnic1", "esx-a/vmnic2", "esx-b/vmnic1")
    refusal = unexplained_leftover(hosts)
    assert refusal is not None and refusal.code == "probe-leftover"
    assert "esx-a: a vSwitch vmesh-probe" in refusal.message and "no interrupted probe" in refusal.message
    assert "`vmesh-tui status`" in refusal.remedy and "probe again" not in str(refusal)
    assert unexplained_leftover(fresh) is None
