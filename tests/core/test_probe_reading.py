"""The probe's reading where what the hosts heard before it and what it hears disagree in time, and where
a free NIC is cabled to one the tool configured: literal host states and literal neighbours.

Every NIC ends in at most one cable, and a NIC the probe did not probe is never guessed by name when a
neighbour was known for it when the probe began.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from tests.core.test_applied import H1, H2, MESH
from tests.core.test_probing import cdp, host
from vmesh_tui.core.model import CdpMode, Pnic, VSwitch
from vmesh_tui.core.probe_results import read_probe
from vmesh_tui.core.probing import plan_probe


def _ends(report: object) -> Counter[str]:
    return Counter(ref for cable in report.pairing.cables for ref in cable.ends)  # type: ignore[attr-defined]


def test_a_neighbour_known_before_the_probe_that_times_out_during_it_is_not_forgotten() -> None:
    # esx-a/vmnic3 is cabled to esx-b/vmnic6 and esx-b/vmnic3 to esx-a/vmnic6 (uplinks of listening
    # vSwitch1s that heard them from an earlier probe: the hint keeps them for the hold time);
    # esx-a/vmnic4 - esx-b/vmnic4 is the one cable left to probe.
    listen = VSwitch("vSwitch1", 1500, ("vmnic6",), ("vmnic6",), (), CdpMode.LISTEN)
    a = host("esx-a", "3 4 6", switches=(listen,), heard={"vmnic6": cdp("esx-b", "vmnic3")})
    b = host("esx-b", "3 4 6", switches=(listen,), heard={"vmnic6": cdp("esx-a", "vmnic3")})
    plan = plan_probe([a, b])
    assert plan.refs == ("esx-a/vmnic4", "esx-b/vmnic4")  # vmnic3 of both: known, not probed
    heard = {  # the last poll: the earlier advertisements ran out of hold time meanwhile
        "esx-a/vmnic4": cdp("esx-b", "vmnic4"),
        "esx-b/vmnic4": cdp("esx-a", "vmnic4"),
        "esx-a/vmnic6": None,
        "esx-b/vmnic6": None,
    }
    report = read_probe([a, b], plan, heard)
    assert [(c.a, c.b, c.source) for c in report.pairing.cables] == [("esx-a/vmnic4", "esx-b/vmnic4", "cdp")]
    for ref, peer in (("esx-a/vmnic3", "esx-b/vmnic6"), ("esx-b/vmnic3", "esx-a/vmnic6")):
        finding = report.finding(ref)
        assert finding is not None and (finding.code, finding.peer) == ("peer-in-use", peer), finding


def test_a_free_nic_cabled_to_a_configured_one_is_no_second_cable_of_it() -> None:
    # The mesh as applied; h1/vmnic1 (link 1, to h2/vmnic2) now hears h2/vmnic5, a free NIC the probe
    # lent to its vSwitch: the cable was moved since the apply.
    h1, h2, h3 = MESH
    moved = replace(h2, pnics=(*h2.pnics, Pnic("vmnic5", "00:50:56:05:00:02", "igb", 1000)))
    hosts = [h1, moved, h3]
    plan = plan_probe(hosts)
    assert plan.refs == (f"{H2}/vmnic5",)
    report = read_probe(hosts, plan, {f"{H1}/vmnic1": cdp(H2, "vmnic5"), f"{H2}/vmnic5": None})
    assert max(_ends(report).values()) == 1, report.pairing.cables
    cable = report.pairing.cable_of(f"{H1}/vmnic1")
    assert cable is not None and (cable.b, cable.source, cable.verified) == (f"{H2}/vmnic2", "applied", False)
    finding = report.finding(f"{H2}/vmnic5")
    assert finding is not None and (finding.code, finding.peer) == ("peer-in-use", f"{H1}/vmnic1")
    assert f"configured it for the link to {H2}/vmnic2" in finding.message
