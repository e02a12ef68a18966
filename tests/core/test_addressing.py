"""Carving per-cable subnets: stable order, lower address to the first end, errors that say what to type."""

from __future__ import annotations

from dataclasses import replace

import netaddr
import pytest
from core_factories import typical_host, with_lookalike

from vmesh_tui.core.addressing import carve, suggest_supernet
from vmesh_tui.core.errors import CoreError
from vmesh_tui.core.model import Portgroup, Vmk, VSwitch
from vmesh_tui.core.pairing import Cable


def _cables(*pairs: tuple[str, str]) -> list[Cable]:
    return [Cable.between(a, b, "name", False) for a, b in pairs]


FOUR = _cables(*((f"esx-a/vmnic{n}", f"esx-b/vmnic{n}") for n in (6, 1, 5, 2)))


def test_slash30_per_cable_in_sorted_order():
    result = carve(FOUR, "172.31.250.0/28")
    assert [(link.index, link.cable.a, link.subnet, link.a_ip, link.b_ip) for link in result.links] == [
        (0, "esx-a/vmnic1", "172.31.250.0/30", "172.31.250.1", "172.31.250.2"),
        (1, "esx-a/vmnic2", "172.31.250.4/30", "172.31.250.5", "172.31.250.6"),
        (2, "esx-a/vmnic5", "172.31.250.8/30", "172.31.250.9", "172.31.250.10"),
        (3, "esx-a/vmnic6", "172.31.250.12/30", "172.31.250.13", "172.31.250.14"),
    ]
    assert result.findings == ()
    assert result.links[2].ip_of("esx-b/vmnic5") == "172.31.250.10"


def test_slash31_uses_both_addresses_and_warns():
    result = carve(FOUR[:1], "10.9.0.0/31", prefix=31)
    assert (result.links[0].a_ip, result.links[0].b_ip) == ("10.9.0.0", "10.9.0.1")
    assert [f.code for f in result.findings] == ["prefix-31"]


def test_public_supernet_warns():
    assert [f.code for f in carve(FOUR, "8.8.8.0/24").findings] == ["public-addresses"]


@pytest.mark.parametrize(
    ("supernet", "code", "hint"),
    [
        ("172.31.250.0", "not-cidr", "172.31.250.0/24"),
        ("banana/24", "not-cidr", "CIDR"),
        ("10.0.0.0/33", "not-cidr", "between 0 and 32"),
        ("10.0.0.5/24", "host-bits", "10.0.0.0/24"),
        ("fd00::/64", "ipv6", "IPv4"),
        ("10.0.0.0/29", "supernet-too-small", "/28"),
        ("127.0.0.0/24", "reserved-network", "loopback"),
    ],
)
def test_bad_supernets_name_the_fix(supernet, code, hint):
    with pytest.raises(CoreError) as caught:
        carve(FOUR, supernet)
    assert caught.value.code == code
    assert hint in str(caught.value)


def test_too_small_names_the_largest_prefix_that_fits():
    with pytest.raises(CoreError) as caught:
        carve(FOUR * 2, "10.0.0.0/28")
    assert caught.value.remedy == "use a /27 or larger, e.g. 10.0.0.0/27"
    assert str(caught.value).endswith("Use a /27 or larger, e.g. 10.0.0.0/27")


def test_bad_prefix():
    with pytest.raises(CoreError, match="Use 30"):
        carve(FOUR, "10.0.0.0/24", prefix=24)


def test_overlap_with_foreign_vmk_names_vmk_and_host():
    hosts = [typical_host("esx-a", "10.0.0.11/16"), typical_host("esx-b")]
    with pytest.raises(CoreError) as caught:
        carve(FOUR, "10.0.4.0/24", hosts=hosts)
    assert caught.value.code == "overlap"
    assert "vmk0 on esx-a" in caught.value.message


def test_tool_owned_vmks_do_not_count_as_overlap():
    host = typical_host("esx-a")
    owned = Vmk("vmk1", "vmesh-vmotion-1", "10.0.4.1", 30, 9000, frozenset({"vmotion"}))
    host = replace(
        host,
        vswitches=(*host.vswitches, VSwitch("vmesh-1", 9000, ("vmnic1",), ("vmnic1",))),
        portgroups=(*host.portgroups, Portgroup("vmesh-vmotion-1", "vmesh-1")),
        vmks=(*host.vmks, owned),
    )
    assert len(carve(FOUR, "10.0.4.0/24", hosts=[host]).links) == 4


def test_no_cables_gives_no_links():
    assert carve([], "10.0.4.0/30").links == ()


def test_a_vmk_on_a_lookalike_portgroup_counts_as_overlap():
    # Regression: any vmk on a vmesh-* portgroup was skipped, even on vSwitch0.
    with pytest.raises(CoreError) as caught:
        carve(FOUR, "192.168.20.0/28", hosts=[with_lookalike(typical_host("esx-a"))])
    assert caught.value.code == "overlap" and "vmk1 on esx-a" in caught.value.message


def test_overlap_remedy_proposes_the_first_clear_private_slash24():
    # Regression: the remedy only said "pick a supernet that no existing VMkernel network uses".
    hosts = [typical_host("esx-a", "172.16.0.11/23"), typical_host("esx-b", "172.16.2.12/24")]
    with pytest.raises(CoreError) as caught:
        carve(FOUR, "172.16.0.0/24", hosts=hosts)
    assert caught.value.remedy == "pick a supernet that no existing VMkernel network uses, e.g. 172.16.3.0/24"
    assert carve(FOUR, "172.16.3.0/24", hosts=hosts).links


def test_suggested_supernet_moves_on_to_10_then_192_168_and_grows_with_the_links():
    taken = [netaddr.IPNetwork("172.16.0.0/12")]
    assert suggest_supernet(taken, 4) == "10.0.0.0/24"
    assert suggest_supernet([*taken, netaddr.IPNetwork("10.0.0.0/8")], 4) == "192.168.0.0/24"
    assert suggest_supernet([*taken, netaddr.IPNetwork("10.0.0.0/9")], 100) == "10.128.0.0/23"
    assert suggest_supernet([], 100, prefix=31) == "172.16.0.0/24"
    assert suggest_supernet([netaddr.IPNetwork("0.0.0.0/0")], 4) is None
    hosts = [typical_host("esx-a", "172.16.9.9/12")]
    many = _cables(*((f"esx-a/vmnic{n}", f"esx-b/vmnic{n}") for n in range(100)))
    with pytest.raises(CoreError) as caught:
        carve(many, "172.20.0.0/16", hosts=hosts)
    assert caught.value.remedy.endswith("e.g. 10.0.0.0/23")
    assert len(carve(many, "10.0.0.0/23", hosts=hosts).links) == 100


def test_ip_of_a_nic_not_on_the_link_names_the_ends_to_use():
    # Regression: the CoreError had an empty remedy.
    link = carve(FOUR, "172.31.250.0/28").links[0]
    with pytest.raises(CoreError) as caught:
        link.ip_of("esx-a/vmnic2")
    assert caught.value.code == "not-on-link"
    assert caught.value.remedy.startswith("use esx-a/vmnic1 or esx-b/vmnic1")


def test_dhcp_vmks_are_never_considered_for_overlap():
    host = typical_host("esx-a")
    host = replace(host, vmks=(*host.vmks, Vmk("vmk2", "VM Network", None, None)))
    assert len(carve(FOUR, "172.31.250.0/28", hosts=[host]).links) == 4
