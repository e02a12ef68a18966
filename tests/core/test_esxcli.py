"""esxcli rendering: the commands an admin could paste, vmk numbers as the host would pick them."""

from __future__ import annotations

from core_factories import typical_host

from vmesh_tui.core.addressing import carve
from vmesh_tui.core.design import DesignOptions, NicSpeed, design
from vmesh_tui.core.esxcli import render_esxcli
from vmesh_tui.core.model import CdpMode
from vmesh_tui.core.pairing import propose_cables
from vmesh_tui.core.plan import Plan, apply_plan, make_plan

HOSTS = {h.name: h for h in (typical_host("esx-a"), typical_host("esx-b", "192.168.10.12/24"))}
LINKS = carve(propose_cables(list(HOSTS.values())).cables, "172.31.250.0/24").links


def test_fresh_per_link_plan_renders_the_recipe():
    lines = render_esxcli(make_plan(HOSTS, design(HOSTS, LINKS)), HOSTS)["esx-b"]
    assert lines[0] == "# esx-b: 12 steps"
    for expected in (
        "esxcli network vswitch standard add -v vmesh-1 -P 128",
        "esxcli network vswitch standard set -v vmesh-1 -m 9000 -c listen",
        "esxcli network vswitch standard uplink add -u vmnic1 -v vmesh-1",
        "esxcli network vswitch standard policy failover set -v vmesh-1 -a vmnic1",
        "esxcli network vswitch standard portgroup add -p vmesh-vmotion-4 -v vmesh-4",
        "esxcli network vswitch standard portgroup policy failover set -p vmesh-vmotion-4 "
        "--active-uplinks vmnic6 --load-balancing explicit",
        "esxcli network ip interface add -i vmk4 -p vmesh-vmotion-4 -m 9000",
        "esxcli network ip interface ipv4 set -i vmk4 -t static -I 172.31.250.14 -N 255.255.255.252",
        "esxcli network ip interface tag add -i vmk4 -t VMotion",
    ):
        assert expected in lines
    assert lines.index("esxcli network vswitch standard add -v vmesh-4 -P 128") < lines.index(
        "esxcli network ip interface add -i vmk1 -p vmesh-vmotion-1 -m 9000"
    )


def test_new_vmk_numbers_match_what_the_applier_assigns():
    observed = apply_plan(HOSTS, make_plan(HOSTS, design(HOSTS, LINKS[:2])))
    plan = make_plan(observed, design(observed, LINKS, DesignOptions(netstack="vmotion")))
    applied = apply_plan(observed, plan)
    rendered = "\n".join(render_esxcli(plan, observed)["esx-a"])
    for vmk in applied["esx-a"].vmks[1:]:
        assert f"add -i {vmk.device} -p {vmk.portgroup} -m 9000 --netstack=vmotion" in rendered
    assert "remove -i vmk1" in rendered and "tag add" not in rendered


def test_shared_layout_says_which_uplinks_stay_unused():
    plan = make_plan(HOSTS, design(HOSTS, LINKS[:2], DesignOptions(layout="shared")))
    lines = render_esxcli(plan)["esx-a"]
    assert "# vmnic2 stays unused on vmesh-vmotion-1: listed neither active nor standby" in lines
    assert "esxcli network vswitch standard uplink add -u vmnic2 -v vmesh-shared" in lines


def test_updates_speeds_and_reverts():
    options = DesignOptions(mtu=8000, nic_speeds=(NicSpeed("esx-a/vmnic1", 1000),))
    applied = apply_plan(HOSTS, make_plan(HOSTS, design(HOSTS, LINKS[:1])))
    plan = make_plan(applied, design(applied, LINKS[:1], options))
    assert render_esxcli(plan, applied)["esx-a"][1:] == [
        "esxcli network vswitch standard set -v vmesh-1 -m 8000 -c listen",
        "esxcli network ip interface set -i vmk1 -m 8000",
        "esxcli network nic set -n vmnic1 -S 1000 -D full",
    ]
    undo = render_esxcli(plan.inverse(), apply_plan(applied, plan))["esx-a"]
    assert undo[1] == "esxcli network nic set -n vmnic1 -a"
    revert = render_esxcli(make_plan(HOSTS, design(HOSTS, LINKS[:1])).inverse(), applied)["esx-b"]
    assert revert[1:] == [
        "esxcli network ip interface remove -i vmk1",
        "esxcli network vswitch standard portgroup remove -p vmesh-vmotion-1 -v vmesh-1",
        "esxcli network vswitch standard remove -v vmesh-1",
    ]


def test_empty_plan_renders_nothing():
    assert render_esxcli(Plan()) == {}


def test_cdp_modes_use_the_words_esxcli_accepts():
    # Regression: CdpMode.NONE gave "-c none"; esxcli --cdp-status takes down|listen|advertise|both.
    for mode, word in (
        (CdpMode.NONE, "down"),
        (CdpMode.LISTEN, "listen"),
        (CdpMode.ADVERTISE, "advertise"),
        (CdpMode.BOTH, "both"),
    ):
        plan = make_plan(HOSTS, design(HOSTS, LINKS[:1], DesignOptions(cdp=mode)))
        lines = render_esxcli(plan, HOSTS)["esx-a"]
        assert f"esxcli network vswitch standard set -v vmesh-1 -m 9000 -c {word}" in lines
        assert not [line for line in lines if line.endswith("-c none")]
