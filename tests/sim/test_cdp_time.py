"""CDP in time: heard an interval after advertising starts, kept for the hold time after it stops.

The hosts' clocks are replaced by one the test moves, so a 60 s interval costs no waiting.
"""

from __future__ import annotations

import dataclasses
import time

import pytest
from pyVmomi import vim

from vmesh_tui.sim.fabric.fabric import Fabric, build_fabric
from vmesh_tui.sim.host.simhost import SimHost
from vmesh_tui.sim.lab.load import LabError, demo_lab, parse_lab

A, B = "esx-a.lab.local", "esx-b.lab.local"


class Clock:
    def __init__(self) -> None:
        self.now = time.monotonic()

    def __call__(self) -> float:
        return self.now


def lab_fabric(interval: float = 60.0, holdtime: float = 180.0) -> tuple[Fabric, Clock]:
    lab = demo_lab()
    hosts = tuple(dataclasses.replace(h, cdp_interval_s=interval, cdp_holdtime_s=holdtime) for h in lab.hosts)
    fabric = build_fabric(dataclasses.replace(lab, hosts=hosts))
    clock = Clock()
    for host in fabric.hosts.values():
        host.cdp.clock = clock
    return fabric, clock


def add(host: SimHost, nic: str, cdp: str = "both", name: str = "") -> None:
    ldp = vim.host.LinkDiscoveryProtocolConfig(protocol="cdp", operation=cdp)
    bridge = vim.host.VirtualSwitch.BondBridge(nicDevice=[nic], linkDiscoveryProtocolConfig=ldp)
    spec = vim.host.VirtualSwitch.Specification(numPorts=128, mtu=1500, bridge=bridge)
    host.AddVirtualSwitch(name or f"probe-{nic}", spec)


def heard(host: SimHost, nic: str) -> tuple[str, str] | None:
    (hint,) = host.QueryNetworkHint([nic])
    port = hint.connectedSwitchPort
    return (port.devId, port.portId) if port is not None else None


def test_a_new_advertiser_is_heard_one_interval_later_on_both_ends() -> None:
    fabric, clock = lab_fabric()
    a, b = fabric.hosts[A], fabric.hosts[B]
    add(a, "vmnic2")
    clock.now += 3
    add(b, "vmnic2")
    clock.now += 56  # a started 59 s ago, b 56 s ago: neither has advertised yet
    assert (heard(a, "vmnic2"), heard(b, "vmnic2")) == (None, None)
    clock.now += 1  # a's first advertisement (60 s after it started): b hears a; a hears b 3 s later
    assert (heard(a, "vmnic2"), heard(b, "vmnic2")) == (None, (A, "vmnic2"))
    clock.now += 3
    assert (heard(a, "vmnic2"), heard(b, "vmnic2")) == ((B, "vmnic2"), (A, "vmnic2"))


def test_what_was_heard_stays_for_the_hold_time_after_advertising_stops() -> None:
    fabric, clock = lab_fabric()
    a, b = fabric.hosts[A], fabric.hosts[B]
    add(a, "vmnic1", "listen")  # a only listens: it keeps what it heard after b goes away
    add(b, "vmnic1", "advertise")
    clock.now += 150  # b advertised at +60 and +120
    assert heard(a, "vmnic1") == (B, "vmnic1")
    b.RemoveVirtualSwitch("probe-vmnic1")
    clock.now += 149  # last advertisement at +120, hold time 180: kept until +300
    assert heard(a, "vmnic1") == (B, "vmnic1")
    clock.now += 2
    assert heard(a, "vmnic1") is None


def test_a_listener_that_stops_listening_forgets_at_once() -> None:
    fabric, clock = lab_fabric()
    a, b = fabric.hosts[A], fabric.hosts[B]
    add(a, "vmnic5")
    add(b, "vmnic5")
    clock.now += 61
    assert heard(a, "vmnic5") == (B, "vmnic5")
    a.RemoveVirtualSwitch("probe-vmnic5")
    assert heard(a, "vmnic5") is None  # no uplink of a listening vSwitch: nothing is reported
    add(a, "vmnic5", "listen")  # listening again: b's next advertisement (at +120) is heard
    assert heard(a, "vmnic5") is None
    clock.now += 59
    assert heard(a, "vmnic5") == (B, "vmnic5")


def test_the_starting_configuration_is_heard_at_once_and_a_switch_on_its_next_advert() -> None:
    fabric, clock = lab_fabric()
    a = fabric.hosts[A]
    assert heard(a, "vmnic0") == ("core", "GigabitEthernet1/0/1")  # listening since the lab started
    spec = next(v.spec for v in a.network_info().vswitch if v.name == "vSwitch0")
    spec.bridge.linkDiscoveryProtocolConfig.operation = "none"
    a.UpdateVirtualSwitch("vSwitch0", spec)
    assert heard(a, "vmnic0") is None
    spec.bridge.linkDiscoveryProtocolConfig.operation = "listen"
    a.UpdateVirtualSwitch("vSwitch0", spec)
    found_after = None
    for second in range(61):
        if heard(a, "vmnic0") is not None:
            found_after = second
            break
        clock.now += 1
    assert found_after is not None and 0 <= found_after <= 60


def test_interval_zero_is_heard_at_once() -> None:
    fabric, _ = lab_fabric(interval=0.0, holdtime=0.0)
    add(fabric.hosts[A], "vmnic6")
    add(fabric.hosts[B], "vmnic6")
    assert heard(fabric.hosts[A], "vmnic6") == (B, "vmnic6")


LAB = """
[[host]]
name = "h1"
{keys}
  [[host.nic]]
  device = "vmnic0"
"""


def test_lab_keys_default_to_esxi_timers_and_are_checked() -> None:
    spec = parse_lab(LAB.format(keys=""), "lab.toml").hosts[0]
    assert (spec.cdp_interval_s, spec.cdp_holdtime_s) == (60.0, 180.0)
    spec = parse_lab(LAB.format(keys="cdp_interval_s = 1\ncdp_holdtime_s = 2.5"), "lab.toml").hosts[0]
    assert (spec.cdp_interval_s, spec.cdp_holdtime_s) == (1.0, 2.5)
    too_short = r"host\[1\]: cdp_holdtime_s = 5 must be at least cdp_interval_s \(10\)"
    with pytest.raises(LabError, match=too_short):
        parse_lab(LAB.format(keys="cdp_interval_s = 10\ncdp_holdtime_s = 5"), "lab.toml")
    with pytest.raises(LabError, match="cdp_interval_s = -1 is out of range"):
        parse_lab(LAB.format(keys="cdp_interval_s = -1"), "lab.toml")
    with pytest.raises(LabError, match="cdp_interval_s must be a number"):
        parse_lab(LAB.format(keys='cdp_interval_s = "fast"'), "lab.toml")


def test_an_unrelated_change_keeps_what_was_heard() -> None:
    fabric, clock = lab_fabric()
    a, b = fabric.hosts[A], fabric.hosts[B]
    add(a, "vmnic1")
    add(b, "vmnic1")
    clock.now += 61
    add(a, "vmnic2", name="another")  # another vSwitch on a: vmnic1 keeps listening and what it heard
    add(b, "vmnic2", name="another")
    assert (heard(a, "vmnic1"), heard(b, "vmnic1")) == ((B, "vmnic1"), (A, "vmnic1"))
