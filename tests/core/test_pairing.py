"""Cable proposals from neighbours and names, manual link/unlink, and the NICs left out with reasons."""

from __future__ import annotations

from dataclasses import replace

import pytest
from core_factories import cdp, typical_host

from vmesh_tui.core.errors import CoreError
from vmesh_tui.core.model import VSwitch
from vmesh_tui.core.pairing import Cable, link, propose_cables, unlink


def _ends(pairing):
    return [(c.a, c.b, c.source, c.verified) for c in pairing.cables]


def test_two_hosts_pair_direct_nics_by_name_unverified():
    pairing = propose_cables([typical_host("esx-b"), typical_host("esx-a")])
    assert _ends(pairing) == [
        (f"esx-a/{n}", f"esx-b/{n}", "name", False) for n in ("vmnic1", "vmnic2", "vmnic5", "vmnic6")
    ]
    reasons = {e.ref: e.reason for e in pairing.excluded}
    assert reasons["esx-a/vmnic0"] == "uplink of vSwitch0, which this tool did not create"
    assert "vSwitch1" in reasons["esx-b/vmnic7"]
    assert len(pairing.excluded) == 8


def test_cdp_neighbours_give_verified_cables_even_when_crossed():
    a = typical_host("esx-a", neighbors={"vmnic1": cdp("esx-b", "vmnic2"), "vmnic2": cdp("esx-b", "vmnic1")})
    b = typical_host("esx-b", neighbors={"vmnic2": cdp("esx-a", "vmnic1")})
    pairing = propose_cables([a, b])
    assert ("esx-a/vmnic1", "esx-b/vmnic2", "cdp", True) in _ends(pairing)
    assert ("esx-a/vmnic2", "esx-b/vmnic1", "cdp", True) in _ends(pairing)
    assert ("esx-a/vmnic5", "esx-b/vmnic5", "name", False) in _ends(pairing)


def test_short_cdp_device_id_matches_fqdn_host():
    a = typical_host("esx-a.lab.local", neighbors={"vmnic1": cdp("ESX-B", "vmnic1")})
    pairing = propose_cables([a, typical_host("esx-b.lab.local")])
    assert pairing.cable_of("esx-a.lab.local/vmnic1") == Cable(
        "esx-a.lab.local/vmnic1", "esx-b.lab.local/vmnic1", "cdp", True
    )


def test_nic_that_cdp_places_on_a_switch_is_excluded():
    a = typical_host("esx-a", neighbors={"vmnic1": cdp("core-sw1", "Gi1/0/7")})
    pairing = propose_cables([a, typical_host("esx-b")])
    assert pairing.cable_of("esx-a/vmnic1") is None
    assert "core-sw1" in pairing.exclusion_of("esx-a/vmnic1").reason
    assert "link it by hand" in pairing.exclusion_of("esx-b/vmnic1").reason


def test_link_down_excluded_and_peer_left_for_manual():
    pairing = propose_cables([typical_host("esx-a", down=("vmnic6",)), typical_host("esx-b")])
    assert pairing.exclusion_of("esx-a/vmnic6").reason.startswith("link is down")
    assert pairing.cable_of("esx-b/vmnic6") is None
    assert len(pairing.cables) == 3


def test_uplinks_of_owned_vswitches_stay_eligible():
    a = typical_host("esx-a")
    a = replace(a, vswitches=(*a.vswitches, VSwitch("vmesh-1", 9000, ("vmnic1",), ("vmnic1",))))
    assert propose_cables([a, typical_host("esx-b")]).cable_of("esx-a/vmnic1") is not None
    other = propose_cables([a, typical_host("esx-b")], owned_prefix="other")
    assert other.cable_of("esx-a/vmnic1") is None


def test_three_hosts_with_same_names_are_left_for_manual_linking():
    hosts = [typical_host(n) for n in ("esx-a", "esx-b", "esx-c")]
    pairing = propose_cables(hosts)
    assert pairing.cables == ()
    assert (
        pairing.exclusion_of("esx-c/vmnic2").reason
        == "vmnic2 is free and link-up on 3 hosts; link it by hand"
    )


def test_three_host_mesh_from_cdp():
    a = typical_host("esx-a", neighbors={"vmnic1": cdp("esx-b", "vmnic1"), "vmnic2": cdp("esx-c", "vmnic1")})
    b = typical_host("esx-b", neighbors={"vmnic1": cdp("esx-a", "vmnic1"), "vmnic2": cdp("esx-c", "vmnic2")})
    c = typical_host("esx-c", neighbors={"vmnic1": cdp("esx-a", "vmnic2"), "vmnic2": cdp("esx-b", "vmnic2")})
    pairing = propose_cables([c, b, a])
    assert [(x.a, x.b) for x in pairing.cables if x.source == "cdp"] == [
        ("esx-a/vmnic1", "esx-b/vmnic1"),
        ("esx-a/vmnic2", "esx-c/vmnic1"),
        ("esx-b/vmnic2", "esx-c/vmnic2"),
    ]


def test_manual_link_replaces_cables_and_frees_old_peers():
    hosts = [typical_host("esx-a"), typical_host("esx-b")]
    pairing = link(propose_cables(hosts), hosts, "esx-b/vmnic2", "esx-a/vmnic1")
    assert pairing.cable_of("esx-a/vmnic1") == Cable("esx-a/vmnic1", "esx-b/vmnic2", "manual", False)
    assert pairing.cable_of("esx-a/vmnic2") is None and pairing.cable_of("esx-b/vmnic1") is None
    assert pairing.exclusion_of("esx-b/vmnic1").reason == "its cable was replaced by a manual link"
    refs = [end for c in pairing.cables for end in c.ends]
    assert len(refs) == len(set(refs))


def test_manual_link_is_verified_when_neighbours_agree():
    a = typical_host("esx-a", neighbors={"vmnic1": cdp("esx-b", "vmnic5")})
    hosts = [a, typical_host("esx-b")]
    assert (
        link(propose_cables(hosts), hosts, "esx-a/vmnic1", "esx-b/vmnic5").cable_of("esx-a/vmnic1").verified
    )


def test_unlink_then_link_round_trip():
    hosts = [typical_host("esx-a"), typical_host("esx-b")]
    pairing = propose_cables(hosts)
    cut = unlink(pairing, "esx-b/vmnic5")
    assert len(cut.cables) == 3
    assert cut.exclusion_of("esx-a/vmnic5").reason == "unlinked by hand"
    again = link(cut, hosts, "esx-a/vmnic5", "esx-b/vmnic5")
    assert [(c.a, c.b) for c in again.cables] == [(c.a, c.b) for c in pairing.cables]


@pytest.mark.parametrize(
    ("a", "b", "code"),
    [
        ("esx-a/vmnic0", "esx-b/vmnic1", "nic-in-use"),
        ("esx-a/vmnic9", "esx-b/vmnic1", "unknown-nic"),
        ("esx-z/vmnic1", "esx-b/vmnic1", "unknown-host"),
        ("esx-a/vmnic1", "esx-a/vmnic2", "same-host"),
        ("vmnic1", "esx-b/vmnic1", "bad-nic-ref"),
    ],
)
def test_link_rejects_bad_input_with_a_remedy(a, b, code):
    hosts = [typical_host("esx-a"), typical_host("esx-b")]
    with pytest.raises(CoreError) as caught:
        link(propose_cables(hosts), hosts, a, b)
    assert caught.value.code == code
    assert caught.value.remedy


def test_unlink_unknown_ref_and_duplicate_hosts():
    with pytest.raises(CoreError, match="not in any cable"):
        unlink(propose_cables([typical_host("esx-a")]), "esx-a/vmnic1")
    with pytest.raises(CoreError, match="listed twice"):
        propose_cables([typical_host("esx-a"), typical_host("esx-a")])


def test_nic_hearing_its_own_host_is_excluded():
    a = typical_host("esx-a", neighbors={"vmnic1": cdp("esx-a", "vmnic2")})
    pairing = propose_cables([a, typical_host("esx-b")])
    assert pairing.exclusion_of("esx-a/vmnic1").reason == "CDP says it is cabled to vmnic2 of the same host"


def test_neighbour_naming_a_port_the_peer_does_not_have_says_so():
    # Regression: the reason claimed the peer was "already cabled or its neighbour data disagrees".
    a = typical_host("esx-a", neighbors={"vmnic1": cdp("esx-b", "vmnic99")})
    pairing = propose_cables([a, typical_host("esx-b")])
    reason = pairing.exclusion_of("esx-a/vmnic1").reason
    assert "esx-b has no vmnic99" in reason
    assert "already cabled" not in reason and "disagrees" not in reason


def test_neighbour_whose_peer_hears_someone_else_names_what_the_peer_hears():
    a = typical_host("esx-a", neighbors={"vmnic1": cdp("esx-b", "vmnic5")})
    b = typical_host("esx-b", neighbors={"vmnic5": cdp("esx-a", "vmnic6")})
    reason = propose_cables([a, b]).exclusion_of("esx-a/vmnic1").reason
    assert reason == (
        "CDP neighbour is esx-b/vmnic5, which cannot be used: "
        "its own CDP neighbour is esx-a port vmnic6, not esx-a/vmnic1"
    )


def test_neighbour_whose_peer_is_already_cabled_names_that_cable():
    a = typical_host("esx-a", neighbors={"vmnic1": cdp("esx-b", "vmnic1"), "vmnic2": cdp("esx-b", "vmnic1")})
    b = typical_host("esx-b", neighbors={"vmnic1": cdp("esx-a", "vmnic1")})
    pairing = propose_cables([a, b])
    assert pairing.cable_of("esx-a/vmnic1") == Cable("esx-a/vmnic1", "esx-b/vmnic1", "cdp", True)
    assert pairing.exclusion_of("esx-a/vmnic2").reason == (
        "CDP neighbour is esx-b/vmnic1, which cannot be used: it is already cabled to esx-a/vmnic1"
    )
