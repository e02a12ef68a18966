"""CDP through QueryNetworkHint: who hears whom for each listen/advertise combination, and switches.

Timing is left out here (the hosts advertise with cdp_interval_s 0: heard at once); test_cdp_time.py
covers when CDP is heard and for how long."""

from __future__ import annotations

import dataclasses

import pytest
from pyVmomi import vim

from vmesh_tui.sim.fabric.fabric import Fabric, build_fabric
from vmesh_tui.sim.host.simhost import SimHost
from vmesh_tui.sim.lab.load import demo_lab

A, B = "esx-a.lab.local", "esx-b.lab.local"
MODES = ("none", "listen", "advertise", "both")


def uplink_vswitch(host: SimHost, nic: str, cdp: str) -> None:
    ldp = vim.host.LinkDiscoveryProtocolConfig(protocol="cdp", operation=cdp)
    bridge = vim.host.VirtualSwitch.BondBridge(nicDevice=[nic], linkDiscoveryProtocolConfig=ldp)
    host.AddVirtualSwitch(
        f"cdp-{nic}", vim.host.VirtualSwitch.Specification(numPorts=128, mtu=9000, bridge=bridge)
    )


def heard(host: SimHost, nic: str) -> tuple[str, str] | None:
    (hint,) = host.QueryNetworkHint([nic])
    assert hint.device == nic
    port = hint.connectedSwitchPort
    return (port.devId, port.portId) if port is not None else None


@pytest.fixture
def fabric() -> Fabric:
    lab = demo_lab()
    hosts = tuple(dataclasses.replace(h, cdp_interval_s=0.0) for h in lab.hosts)
    return build_fabric(dataclasses.replace(lab, hosts=hosts))


@pytest.mark.parametrize("a_mode", MODES)
@pytest.mark.parametrize("b_mode", MODES)
def test_each_end_hears_the_other_only_when_it_listens_and_the_other_advertises(
    fabric: Fabric, a_mode: str, b_mode: str
) -> None:
    a, b = fabric.hosts[A], fabric.hosts[B]
    uplink_vswitch(a, "vmnic5", a_mode)
    uplink_vswitch(b, "vmnic5", b_mode)
    a_hears = a_mode in ("listen", "both") and b_mode in ("advertise", "both")
    b_hears = b_mode in ("listen", "both") and a_mode in ("advertise", "both")
    assert heard(a, "vmnic5") == ((B, "vmnic5") if a_hears else None)
    assert heard(b, "vmnic5") == ((A, "vmnic5") if b_hears else None)


def test_cdp_details_from_an_esxi_peer(fabric: Fabric) -> None:
    uplink_vswitch(fabric.hosts[A], "vmnic1", "both")
    uplink_vswitch(fabric.hosts[B], "vmnic1", "both")
    (hint,) = fabric.hosts[A].QueryNetworkHint(["vmnic1"])
    port = hint.connectedSwitchPort
    assert (port.address, port.mtu, port.hardwarePlatform) == ("192.168.10.12", 9000, "VMware ESX")
    assert "8.0.3" in port.softwareVersion and port.fullDuplex is True


def test_a_nic_that_is_no_uplink_hears_nothing(fabric: Fabric) -> None:
    uplink_vswitch(fabric.hosts[B], "vmnic2", "advertise")
    assert heard(fabric.hosts[A], "vmnic2") is None


def test_switch_ports_show_the_switch_to_listening_uplinks(fabric: Fabric) -> None:
    a = fabric.hosts[A]
    assert heard(a, "vmnic0") == ("core", "GigabitEthernet1/0/1")
    assert heard(a, "vmnic4") == ("core", "GigabitEthernet1/0/2")
    spec = next(v.spec for v in a.network_info().vswitch if v.name == "vSwitch0")
    spec.bridge.linkDiscoveryProtocolConfig.operation = "advertise"
    a.UpdateVirtualSwitch("vSwitch0", spec)
    assert heard(a, "vmnic0") is None


def test_query_all_nics_and_unknown_nic(fabric: Fabric) -> None:
    hints = fabric.hosts[A].QueryNetworkHint()
    assert [h.device for h in hints] == [f"vmnic{n}" for n in range(8)]
    with pytest.raises(vim.fault.NotFound, match="vmnic9"):
        fabric.hosts[A].QueryNetworkHint(["vmnic9"])
