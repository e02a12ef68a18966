"""Ping's answers for bad input and edge cases: unknown interface or netstack, no route, local address."""

from __future__ import annotations

import pytest
from pyVmomi import vim

from vmesh_tui.sim.fabric.fabric import Fabric, build_fabric
from vmesh_tui.sim.host.simhost import SimHost
from vmesh_tui.sim.lab.load import demo_lab, parse_lab

A, B = "esx-a.lab.local", "esx-b.lab.local"


@pytest.fixture
def fabric() -> Fabric:
    return build_fabric(demo_lab())


def vmotion_stack_link(fabric: Fabric) -> None:
    for host, address in ((fabric.hosts[A], "10.7.0.1"), (fabric.hosts[B], "10.7.0.2")):
        bridge = vim.host.VirtualSwitch.BondBridge(nicDevice=["vmnic1"])
        host.AddVirtualSwitch(
            "vmesh-1", vim.host.VirtualSwitch.Specification(numPorts=128, mtu=9000, bridge=bridge)
        )
        host.AddPortGroup(vim.host.PortGroup.Specification(name="vmesh-1", vlanId=0, vswitchName="vmesh-1"))
        ip = vim.host.IpConfig(dhcp=False, ipAddress=address, subnetMask="255.255.255.252")
        spec = vim.host.VirtualNic.Specification(ip=ip, mtu=9000, netStackInstanceKey="vmotion")
        assert host.AddVirtualNic("vmesh-1", spec) == "vmk1"


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"interface": "vmk9"}, "Unknown interface 'vmk9'"),
        ({"netstack": "warp"}, "Invalid netstack instance 'warp'"),
        ({"size": 70000}, "Message too long"),
        ({"count": 0}, "Invalid argument: count must be at least 1 and size not negative"),
    ],
)
def test_bad_arguments_answer_an_error(fabric: Fabric, kwargs: dict, error: str) -> None:
    outcome = fabric.hosts[A].ping("192.168.10.12", **kwargs)
    assert (outcome.error, outcome.sent, outcome.received) == (error, 0, 0)


def test_unknown_host_and_no_route(fabric: Fabric) -> None:
    assert fabric.hosts[A].ping("esx-b").error == "Unknown host 'esx-b'"
    assert fabric.hosts[A].ping("172.16.0.1").error == "Network is unreachable"


def test_pinging_an_own_address_answers_locally(fabric: Fabric) -> None:
    outcome = fabric.hosts[A].ping("192.168.10.11", count=2)
    assert (outcome.received, outcome.error) == (2, None)


def test_vmotion_netstack_pings_must_name_the_netstack(fabric: Fabric) -> None:
    vmotion_stack_link(fabric)
    a = fabric.hosts[A]
    assert a.ping("10.7.0.2", interface="vmk1").error == "Unknown interface 'vmk1'"
    assert a.ping("10.7.0.2").error == "Network is unreachable"
    outcome = a.ping("10.7.0.2", interface="vmk1", size=8972, df=True, netstack="vmotion")
    assert (outcome.received, outcome.error) == (3, None)


def test_standby_uplink_carries_traffic_when_the_active_has_no_link(fabric: Fabric) -> None:
    a, b = fabric.hosts[A], fabric.hosts[B]
    for host, address in ((a, "10.8.0.1"), (b, "10.8.0.2")):
        bridge = vim.host.VirtualSwitch.BondBridge(nicDevice=["vmnic1", "vmnic2"])
        host.AddVirtualSwitch(
            "pair", vim.host.VirtualSwitch.Specification(numPorts=128, mtu=9000, bridge=bridge)
        )
        order = vim.host.NetworkPolicy.NicOrderPolicy(activeNic=["vmnic1"], standbyNic=["vmnic2"])
        policy = vim.host.NetworkPolicy(nicTeaming=vim.host.NetworkPolicy.NicTeamingPolicy(nicOrder=order))
        host.AddPortGroup(
            vim.host.PortGroup.Specification(name="pg", vlanId=0, vswitchName="pair", policy=policy)
        )
        ip = vim.host.IpConfig(dhcp=False, ipAddress=address, subnetMask="255.255.255.0")
        host.AddVirtualNic("pg", vim.host.VirtualNic.Specification(ip=ip, mtu=9000))
    assert a.ping("10.8.0.2", size=8972, df=True).received == 3
    a.UpdatePhysicalNicLinkSpeed("vmnic1", vim.host.PhysicalNic.LinkSpeedDuplex(speedMb=100, duplex=True))
    b.UpdatePhysicalNicLinkSpeed("vmnic1", vim.host.PhysicalNic.LinkSpeedDuplex(speedMb=10, duplex=True))
    assert a.ping("10.8.0.2", size=8972, df=True).received == 3, "fails over to vmnic2"


def test_a_lone_host_has_no_links() -> None:
    lab = parse_lab('[[host]]\nname = "solo"\n  [[host.nic]]\n  device = "vmnic0"\n', "solo.toml")
    bare = SimHost(lab.hosts[0])  # not (yet) on a fabric: no links, no CDP, and no wires to ping over
    assert bare.network_info().pnic[0].linkSpeed is None
    assert bare.QueryNetworkHint()[0].connectedSwitchPort is None
    with pytest.raises(RuntimeError, match="on no fabric"):
        bare.ping("10.0.0.1")
    solo = build_fabric(lab).hosts["solo"]  # a lone host gets a fabric of its own
    assert solo.network_info().pnic[0].linkSpeed is None
    assert solo.QueryNetworkHint()[0].connectedSwitchPort is None
    assert solo.ping("10.0.0.1").error == "Network is unreachable"


def two_host_lab(speed_mb: int) -> Fabric:
    hosts = []
    for name, address in ((A, "10.6.0.1/30"), (B, "10.6.0.2/30")):
        hosts.append(
            f'[[host]]\nname = "{name}"\n[[host.nic]]\ndevice = "vmnic1"\nspeed_mb = {speed_mb}\n'
            '[[host.vswitch]]\nname = "v"\nmtu = 9000\nuplinks = ["vmnic1"]\n'
            '[[host.vswitch.portgroup]]\nname = "pg"\n'
            f'[[host.vmk]]\ndevice = "vmk1"\nportgroup = "pg"\nip = "{address}"\nmtu = 9000\n'
        )
    cable = f'[[cable]]\na = "{A}/vmnic1"\nb = "{B}/vmnic1"\n'
    return build_fabric(parse_lab("".join(hosts) + cable, "pair.toml"))


def test_rtt_grows_with_size_and_shrinks_with_speed() -> None:
    gig, ten_gig = two_host_lab(1000), two_host_lab(10000)
    small = gig.hosts[A].ping("10.6.0.2", size=56, count=1).rtt_avg
    large = gig.hosts[A].ping("10.6.0.2", size=8972, count=1).rtt_avg
    fast = ten_gig.hosts[A].ping("10.6.0.2", size=8972, count=1).rtt_avg
    assert large > fast > small > 0
    assert ten_gig.hosts[B].network_info().pnic[0].linkSpeed.speedMb == 10000
