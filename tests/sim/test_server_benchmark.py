"""Measurements (printed, not asserted): write calls per second over one keep-alive HTTPS connection."""

from __future__ import annotations

import time

import pytest
from pyVmomi import vim


@pytest.mark.benchmark
def test_small_write_calls_per_second(small_lab, connect) -> None:
    si = connect(small_lab.host("esx-a.test"))
    manager = si.content.rootFolder.childEntity[0].hostFolder.childEntity[0].host[0].configManager
    network_system = manager.networkSystem
    spec = vim.host.VirtualSwitch.Specification(numPorts=64, mtu=9000)
    calls, started = 0, time.perf_counter()
    while time.perf_counter() - started < 2.0:
        network_system.AddVirtualSwitch("bench", spec)
        network_system.RemoveVirtualSwitch("bench")
        calls += 2
    rate = calls / (time.perf_counter() - started)
    print(f"\nAddVirtualSwitch/RemoveVirtualSwitch over HTTPS keep-alive: {rate:.0f} calls/s")
    assert calls > 0
