"""The desired state: per-link and shared layouts, names, MTU, netstacks, forced speeds, bad options."""

from __future__ import annotations

from dataclasses import replace

import pytest
from core_factories import typical_host, with_lookalike

from vmesh_tui.core.addressing import carve
from vmesh_tui.core.design import DesignOptions, NicSpeed, design
from vmesh_tui.core.errors import CoreError
from vmesh_tui.core.model import CdpMode, Portgroup, Vmk, VSwitch
from vmesh_tui.core.pairing import propose_cables

HOSTS = {h.name: h for h in (typical_host("esx-a"), typical_host("esx-b", "192.168.10.12/24"))}
LINKS = carve(propose_cables(list(HOSTS.values())).cables, "172.31.250.0/24").links


def test_per_link_layout_on_first_host():
    a = design(HOSTS, LINKS)["esx-a"]
    assert a.vswitch("vmesh-2") == VSwitch("vmesh-2", 9000, ("vmnic2",), ("vmnic2",), (), CdpMode.LISTEN, 128)
    assert a.portgroup("vmesh-vmotion-2") == Portgroup(
        "vmesh-vmotion-2", "vmesh-2", 0, ("vmnic2",), (), "failover_explicit"
    )
    assert a.vmk_on("vmesh-vmotion-2") == Vmk(
        "", "vmesh-vmotion-2", "172.31.250.5", 30, 9000, frozenset({"vmotion"}), "defaultTcpipStack"
    )
    assert [v.name for v in a.vswitches] == [
        "vSwitch0",
        "vSwitch1",
        "vmesh-1",
        "vmesh-2",
        "vmesh-3",
        "vmesh-4",
    ]
    assert a.vmk("vmk0") == HOSTS["esx-a"].vmk("vmk0")


def test_second_host_gets_the_upper_address():
    b = design(HOSTS, LINKS)["esx-b"]
    assert [v.ip for v in b.vmks if v.portgroup.startswith("vmesh")] == [
        "172.31.250.2",
        "172.31.250.6",
        "172.31.250.10",
        "172.31.250.14",
    ]


def test_shared_layout_one_vswitch_and_one_active_nic_per_portgroup():
    options = DesignOptions(name_prefix="vmo", layout="shared", cdp=CdpMode.BOTH, mtu=8000)
    a = design(HOSTS, LINKS, options)["esx-a"]
    shared = a.vswitch("vmo-shared")
    assert shared is not None and shared.uplinks == ("vmnic1", "vmnic2", "vmnic5", "vmnic6")
    assert (shared.mtu, shared.cdp) == (8000, CdpMode.BOTH)
    assert [(p.name, p.vswitch, p.active, p.standby) for p in a.portgroups if p.name.startswith("vmo-")] == [
        (f"vmo-vmotion-{n}", "vmo-shared", (nic,), ())
        for n, nic in enumerate(("vmnic1", "vmnic2", "vmnic5", "vmnic6"), 1)
    ]


def test_vmotion_netstack_vmks_carry_no_service_tags():
    a = design(HOSTS, LINKS, DesignOptions(netstack="vmotion"))["esx-a"]
    vmk = a.vmk_on("vmesh-vmotion-1")
    assert vmk is not None and (vmk.netstack, vmk.services) == ("vmotion", frozenset())


def test_owned_objects_are_replaced_and_existing_vmk_device_kept():
    a = HOSTS["esx-a"]
    old = replace(
        a,
        vswitches=(*a.vswitches, VSwitch("vmesh-9", 1500, ("vmnic2",), ("vmnic2",))),
        portgroups=(*a.portgroups, Portgroup("vmesh-vmotion-1", "vmesh-9")),
        vmks=(*a.vmks, Vmk("vmk7", "vmesh-vmotion-1", "10.1.1.1", 24, mac="aa")),
    )
    desired = design({**HOSTS, "esx-a": old}, LINKS)["esx-a"]
    assert desired.vswitch("vmesh-9") is None
    vmk = desired.vmk_on("vmesh-vmotion-1")
    assert vmk is not None and (vmk.device, vmk.mac, vmk.ip) == ("vmk7", "aa", "172.31.250.1")


def test_forced_speed_lands_on_the_pnic():
    options = DesignOptions(nic_speeds=(NicSpeed("esx-a/vmnic1", 1000, True), NicSpeed("esx-b/vmnic1", None)))
    desired = design(HOSTS, LINKS, options)
    assert desired["esx-a"].pnic("vmnic1").configured_speed_mb == 1000
    assert desired["esx-b"].pnic("vmnic1").configured_speed_mb is None


def test_designing_twice_is_stable():
    once = design(HOSTS, LINKS)
    assert design(once, LINKS) == once


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"mtu": 1279}, "bad-mtu"),
        ({"mtu": 9001}, "bad-mtu"),
        ({"mtu": "9000"}, "bad-mtu"),
        ({"layout": "mesh"}, "bad-layout"),
        ({"netstack": "provisioning"}, "bad-netstack"),
        ({"name_prefix": "has space"}, "bad-prefix-name"),
        ({"name_prefix": ""}, "bad-prefix-name"),
        ({"cdp": "loud"}, "bad-cdp"),
        ({"nic_speeds": (NicSpeed("esx-a/vmnic1", -5),)}, "bad-speed"),
    ],
)
def test_bad_options_raise_core_errors(kwargs, code):
    with pytest.raises(CoreError) as caught:
        DesignOptions(**kwargs)
    assert caught.value.code == code and caught.value.remedy


def test_long_prefix_is_refused_with_the_length_that_fits():
    with pytest.raises(CoreError) as caught:
        design(HOSTS, LINKS, DesignOptions(name_prefix="x" * 24))
    assert caught.value.code == "name-too-long"
    assert "at most 22 characters" in caught.value.remedy
    assert design(HOSTS, LINKS, DesignOptions(name_prefix="x" * 22))


def test_speed_on_a_nic_outside_the_links_is_refused():
    with pytest.raises(CoreError, match="not in a link"):
        design(HOSTS, LINKS, DesignOptions(nic_speeds=(NicSpeed("esx-a/vmnic0", 1000),)))


def test_lookalike_portgroup_and_management_vmk_are_kept_as_observed():
    a = with_lookalike(HOSTS["esx-a"])
    desired = design({**HOSTS, "esx-a": a}, LINKS)["esx-a"]
    assert desired.portgroup("vmesh-vmotion-9") == a.portgroup("vmesh-vmotion-9")
    assert desired.vmk("vmk1") == a.vmk("vmk1")


def test_a_management_vmk_on_an_owned_portgroup_is_kept_and_never_reused():
    a = HOSTS["esx-a"]
    a = replace(
        a,
        vswitches=(*a.vswitches, VSwitch("vmesh-1", 9000, ("vmnic1",), ("vmnic1",))),
        portgroups=(*a.portgroups, Portgroup("vmesh-vmotion-1", "vmesh-1")),
        vmks=(*a.vmks, Vmk("vmk3", "vmesh-vmotion-1", "10.1.1.1", 24, services=frozenset({"management"}))),
    )
    desired = design({**HOSTS, "esx-a": a}, LINKS)["esx-a"]
    assert desired.vmk("vmk3") == a.vmk("vmk3")
    assert [v.device for v in desired.vmks if v.portgroup == "vmesh-vmotion-1"] == ["vmk3", ""]
