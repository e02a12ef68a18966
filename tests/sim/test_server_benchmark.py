"""The twin's throughput: small write calls per second over one keep-alive HTTPS connection, at a floor."""

from __future__ import annotations

import time

import pytest
from pyVmomi import vim

from tests.benchmarks.budgets import TWIN_PYVMOMI_CALLS_PER_S_FLOOR


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
    served = small_lab.stats()["hosts"]["esx-a.test"]
    assert served.get("AddVirtualSwitch") == served.get("RemoveVirtualSwitch") == calls // 2
    assert rate >= TWIN_PYVMOMI_CALLS_PER_S_FLOOR, (
        f"{rate:.0f} calls/s through pyVmomi, below the floor of {TWIN_PYVMOMI_CALLS_PER_S_FLOOR:.0f}"
        " (tests/benchmarks/budgets.py)"
    )
