"""Ping across the fabric: the layouts that work and fail on real hosts, MTU on the path, reboot."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from pyVmomi import vim

from vmesh_tui.sim.fabric.fabric import Fabric, build_fabric
from vmesh_tui.sim.host.simhost import SimHost
from vmesh_tui.sim.lab.load import demo_lab, parse_lab

A, B = "esx-a.lab.local", "esx-b.lab.local"
LINK_NICS = ("vmnic1", "vmnic2", "vmnic5", "vmnic6")
Policy = vim.host.NetworkPolicy


def failover(active: str) -> vim.host.NetworkPolicy:
    order = Policy.NicOrderPolicy(activeNic=[active], standbyNic=[])
    return Policy(nicTeaming=Policy.NicTeamingPolicy(policy="failover_explicit", nicOrder=order))


def add_vmk(host: SimHost, pg: str, address: str, mask: str, mtu: int = 9000) -> str:
    spec = vim.host.VirtualNic.Specification(
        ip=vim.host.IpConfig(dhcp=False, ipAddress=address, subnetMask=mask), mtu=mtu
    )
    return host.AddVirtualNic(pg, spec)


def per_link(fabric: Fabric, addresses: list[tuple[str, str]], mask: str, mtu: int = 9000) -> None:
    """One vSwitch + portgroup + vmk per cable on both hosts (the tool's default layout)."""
    for index, (nic, pair) in enumerate(zip(LINK_NICS, addresses), start=1):
        for host, address in zip((fabric.hosts[A], fabric.hosts[B]), pair):
            bridge = vim.host.VirtualSwitch.BondBridge(nicDevice=[nic])
            spec = vim.host.VirtualSwitch.Specification(numPorts=128, mtu=mtu, bridge=bridge)
            host.AddVirtualSwitch(f"vmesh-{index}", spec)
            host.AddPortGroup(
                vim.host.PortGroup.Specification(
                    name=f"vmesh-{index}", vlanId=0, vswitchName=f"vmesh-{index}", policy=failover(nic)
                )
            )
            add_vmk(host, f"vmesh-{index}", address, mask, mtu)


def shared(fabric: Fabric, addresses: list[tuple[str, str]]) -> None:
    """All link NICs on one vSwitch, one portgroup per link with one active NIC (the older recipe)."""
    for host_index, host in enumerate((fabric.hosts[A], fabric.hosts[B])):
        bridge = vim.host.VirtualSwitch.BondBridge(nicDevice=list(LINK_NICS))
        host.AddVirtualSwitch(
            "vmesh-all", vim.host.VirtualSwitch.Specification(numPorts=128, mtu=9000, bridge=bridge)
        )
        for index, nic in enumerate(LINK_NICS, start=1):
            spec = vim.host.PortGroup.Specification(
                name=f"vmesh-{index}", vlanId=0, vswitchName="vmesh-all", policy=failover(nic)
            )
            host.AddPortGroup(spec)
            add_vmk(host, f"vmesh-{index}", addresses[index - 1][host_index], "255.255.255.252")


SLASH30 = [(f"10.99.0.{4 * i + 1}", f"10.99.0.{4 * i + 2}") for i in range(4)]
SLASH24 = [(f"10.98.0.{i + 1}", f"10.98.0.{i + 11}") for i in range(4)]


@pytest.fixture
def fabric() -> Fabric:
    return build_fabric(demo_lab())


def link_results(
    fabric: Fabric, addresses: list[tuple[str, str]], *, interface: bool, size: int = 8972
) -> list[bool]:
    """Per link: did both directions answer a df ping of ``size``?"""
    results = []
    for index, (a_ip, b_ip) in enumerate(addresses, start=1):
        vmk = f"vmk{index}" if interface else None
        there = fabric.hosts[A].ping(b_ip, interface=vmk, size=size, df=True, count=2)
        back = fabric.hosts[B].ping(a_ip, interface=vmk, size=size, df=True, count=2)
        results.append(there.received == 2 and back.received == 2)
    return results


def test_one_slash30_per_cable_passes_jumbo_both_ways(fabric: Fabric) -> None:
    per_link(fabric, SLASH30, "255.255.255.252")
    assert link_results(fabric, SLASH30, interface=True) == [True] * 4
    assert link_results(fabric, SLASH30, interface=False) == [True] * 4
    outcome = fabric.hosts[A].ping("10.99.0.2", interface="vmk1", size=8972, df=True, count=3)
    assert (outcome.sent, outcome.received, outcome.packet_lost_pct, outcome.error) == (3, 3, 0, None)
    assert [r.seq for r in outcome.replies] == [0, 1, 2]
    assert all(r.host == "10.99.0.2" and r.size == 8980 and r.ttl == 64 for r in outcome.replies)
    assert 0 < outcome.rtt_min <= outcome.rtt_avg <= outcome.rtt_max < 1.0


def test_four_vmks_in_one_slash24_on_direct_cables_fail_for_some_peers(fabric: Fabric) -> None:
    per_link(fabric, SLASH24, "255.255.255.0")
    assert link_results(fabric, SLASH24, interface=False) == [True, False, False, False]
    assert link_results(fabric, SLASH24, interface=True) == [True, False, False, False]


def test_vmk_mtu_1500_refuses_jumbo_df_locally(fabric: Fabric) -> None:
    per_link(fabric, SLASH30, "255.255.255.252")
    fabric.hosts[A].UpdateVirtualNic("vmk1", vim.host.VirtualNic.Specification(mtu=1500))
    outcome = fabric.hosts[A].ping("10.99.0.2", interface="vmk1", size=8972, df=True, count=3)
    assert outcome.error == "Message too long" and outcome.received == 0
    assert fabric.hosts[A].ping("10.99.0.2", interface="vmk1", size=1472, df=True).received == 3
    assert fabric.hosts[A].ping("10.99.0.2", interface="vmk1", size=8972, df=False).received == 3, (
        "fragmented"
    )
    back = fabric.hosts[B].ping("10.99.0.1", interface="vmk1", size=8972, df=True, count=2)
    assert (back.error, back.sent, back.received) == (None, 2, 0), "the far end's small MTU is a timeout"


SWITCHED_LAB = """
[[host]]
name = "esx-a.lab.local"
  [[host.nic]]
  device = "vmnic1"
  [[host.vswitch]]
  name = "vSwitch9"
  mtu = 9000
  uplinks = ["vmnic1"]
    [[host.vswitch.portgroup]]
    name = "vmotion"
  [[host.vmk]]
  device = "vmk1"
  portgroup = "vmotion"
  ip = "10.5.0.1/24"
  mtu = 9000
[[host]]
name = "esx-b.lab.local"
  [[host.nic]]
  device = "vmnic1"
  [[host.nic]]
  device = "vmnic2"
  [[host.vswitch]]
  name = "vSwitch9"
  mtu = 9000
  uplinks = ["vmnic1"]
    [[host.vswitch.portgroup]]
    name = "vmotion"
  [[host.vmk]]
  device = "vmk1"
  portgroup = "vmotion"
  ip = "10.5.0.2/24"
  mtu = 9000
[[switch]]
name = "tor"
mtu = 1500
ports = ["esx-a.lab.local/vmnic1", "esx-b.lab.local/vmnic1"]
"""


def test_a_switch_with_mtu_1500_on_the_path_times_out_jumbo_df() -> None:
    fabric = build_fabric(parse_lab(SWITCHED_LAB, "switched.toml"))
    jumbo = fabric.hosts[A].ping("10.5.0.2", interface="vmk1", size=8972, df=True, count=3)
    assert (jumbo.error, jumbo.sent, jumbo.received, jumbo.packet_lost_pct) == (None, 3, 0, 100)
    assert fabric.hosts[A].ping("10.5.0.2", size=1472, df=True).received == 3
    assert fabric.hosts[A].ping("10.5.0.2", size=8972, df=False).received == 3


def test_no_cable_means_no_link_and_a_timeout() -> None:
    fabric = build_fabric(parse_lab(SWITCHED_LAB, "switched.toml"))
    b = fabric.hosts[B]
    spec = b.network_info().vswitch[0].spec
    spec.bridge.nicDevice = ["vmnic2"]
    spec.policy.nicTeaming.nicOrder.activeNic = ["vmnic2"]
    b.UpdateVirtualSwitch("vSwitch9", spec)
    assert next(p for p in b.network_info().pnic if p.device == "vmnic2").linkSpeed is None
    outcome = fabric.hosts[A].ping("10.5.0.2", size=56, df=True, count=2)
    assert (outcome.sent, outcome.received, outcome.error) == (2, 0, None)


def test_shared_vswitch_breaks_after_reboot_until_the_failover_order_is_toggled(fabric: Fabric) -> None:
    shared(fabric, SLASH30)
    assert link_results(fabric, SLASH30, interface=True) == [True] * 4
    a = fabric.hosts[A]
    a.reboot()
    assert link_results(fabric, SLASH30, interface=True) == [True, False, False, False]
    spec = next(p.spec for p in a.network_info().portgroup if p.spec.name == "vmesh-2")
    a.UpdatePortGroup("vmesh-2", spec)  # the same order again: the quirk stays
    spec.vlanId = 4095
    a.UpdatePortGroup("vmesh-2", spec)  # another change, the same order: it stays
    spec.vlanId = 0
    a.UpdatePortGroup("vmesh-2", spec)
    assert link_results(fabric, SLASH30, interface=True) == [True, False, False, False]
    spec.policy.nicTeaming.nicOrder.activeNic, spec.policy.nicTeaming.nicOrder.standbyNic = [], ["vmnic2"]
    a.UpdatePortGroup("vmesh-2", spec)
    spec.policy.nicTeaming.nicOrder.activeNic, spec.policy.nicTeaming.nicOrder.standbyNic = ["vmnic2"], []
    a.UpdatePortGroup("vmesh-2", spec)
    assert link_results(fabric, SLASH30, interface=True) == [True, True, False, False]


def test_portgroup_vlans_must_match_across_the_cable(fabric: Fabric) -> None:
    per_link(fabric, SLASH30, "255.255.255.252")
    b = fabric.hosts[B]
    spec = next(p.spec for p in b.network_info().portgroup if p.spec.name == "vmesh-1")
    spec.vlanId = 20
    b.UpdatePortGroup("vmesh-1", spec)
    assert link_results(fabric, SLASH30, interface=True) == [False, True, True, True]
    spec.vlanId = 4095
    b.UpdatePortGroup("vmesh-1", spec)
    assert link_results(fabric, SLASH30, interface=True) == [True] * 4


def test_per_link_layout_survives_reboot(fabric: Fabric) -> None:
    per_link(fabric, SLASH30, "255.255.255.252")
    fabric.hosts[A].reboot()
    fabric.hosts[B].reboot()
    assert link_results(fabric, SLASH30, interface=True) == [True] * 4


def test_management_ping_through_the_switch_and_link_speeds(fabric: Fabric) -> None:
    outcome = fabric.hosts[A].ping("192.168.10.12", count=1)
    assert outcome.received == 1 and outcome.replies[0].size == 64
    speeds = {p.device: p.linkSpeed.speedMb for p in fabric.hosts[B].network_info().pnic}
    assert speeds == {f"vmnic{n}": 1000 for n in range(8)}
    assert fabric.hosts[A].ping("192.168.10.12", size=1473, df=True).error == "Message too long"


def test_concurrent_pings_hints_and_edits_on_both_hosts_never_deadlock(fabric: Fabric) -> None:
    per_link(fabric, SLASH30, "255.255.255.252")
    a, b = fabric.hosts[A], fabric.hosts[B]
    errors: list[BaseException] = []

    def repeat(action: Callable[[], object]) -> None:
        try:
            for _ in range(40):
                action()
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    def toggle_vlan() -> None:
        spec = next(p.spec for p in b.network_info().portgroup if p.spec.name == "vmesh-4")
        spec.vlanId = 0
        b.UpdatePortGroup("vmesh-4", spec)

    actions = [
        lambda: a.ping("10.99.0.2", interface="vmk1", size=8972, df=True, count=1),
        lambda: b.ping("10.99.0.5", interface="vmk2", size=8972, df=True, count=1),
        lambda: a.QueryNetworkHint(["vmnic1", "vmnic0"]),
        lambda: b.QueryNetworkHint(),
        toggle_vlan,
    ]
    threads = [threading.Thread(target=repeat, args=(action,), daemon=True) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(t.is_alive() for t in threads), "a thread is stuck: lock order broken"
    assert errors == []
    assert link_results(fabric, SLASH30, interface=True) == [True] * 4


def test_a_frame_on_a_nic_unused_in_the_target_vmks_portgroup_is_lost(fabric: Fabric) -> None:
    """The receive rule beyond LAB_FORMAT.md's text (packets.py, docs/twin-model.md): the far vSwitch
    owning the NIC is not enough, the NIC must be active or standby in the receiving vmk's portgroup."""
    shared(fabric, SLASH30)
    b = fabric.hosts[B]
    spec = next(p.spec for p in b.network_info().portgroup if p.spec.name == "vmesh-2")
    spec.policy.nicTeaming.nicOrder.activeNic = ["vmnic1"]  # vmnic2 is now unused in B's vmesh-2
    b.UpdatePortGroup("vmesh-2", spec)
    assert fabric.hosts[A].ping("10.99.0.6", interface="vmk2", size=56, count=2).received == 0
    assert link_results(fabric, SLASH30, interface=True) == [True, False, True, True]


def test_the_receive_rules_are_documented() -> None:
    from pathlib import Path

    from vmesh_tui.sim.fabric import packets

    page = (Path(__file__).parents[2] / "docs" / "twin-model.md").read_text(encoding="utf-8")
    for text in (packets.__doc__ or "", page):
        assert "active or standby" in text and "4095" in text and "reboot" in text
        assert "LAB_FORMAT.md" in text and "netstack" in text
