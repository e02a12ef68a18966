"""PropertyCollector filters and WaitForUpdatesEx, and pyVim.task.WaitForTask on a twin task."""

from __future__ import annotations

import time

from pyVim.task import WaitForTask
from pyVmomi import vim, vmodl

PC = vmodl.query.PropertyCollector


def _host(si) -> vim.HostSystem:
    return si.content.rootFolder.childEntity[0].hostFolder.childEntity[0].host[0]


def test_wait_for_updates_reports_enter_then_changes_made_by_another_session(small_lab, connect) -> None:
    lab_host = small_lab.host("esx-a.test")
    watcher, writer = connect(lab_host), connect(lab_host)
    collector = watcher.content.propertyCollector
    network_system = _host(watcher).configManager.networkSystem
    spec = PC.FilterSpec(
        objectSet=[PC.ObjectSpec(obj=network_system)],
        propSet=[PC.PropertySpec(type=vim.host.NetworkSystem, pathSet=["networkInfo.vswitch"])],
    )
    property_filter = collector.CreateFilter(spec, True)
    first = collector.WaitForUpdatesEx("", PC.WaitOptions(maxWaitSeconds=0))
    update = first.filterSet[0].objectSet[0]
    assert update.kind == "enter" and update.obj._moId == "networkSystem"
    assert [s.name for s in update.changeSet[0].val] == ["vSwitch0"]
    assert collector.WaitForUpdatesEx(first.version, PC.WaitOptions(maxWaitSeconds=0)) is None

    _host(writer).configManager.networkSystem.AddVirtualSwitch(
        "watched", vim.host.VirtualSwitch.Specification(numPorts=64)
    )
    started = time.monotonic()
    second = collector.WaitForUpdatesEx(first.version, PC.WaitOptions(maxWaitSeconds=5))
    assert time.monotonic() - started < 5
    change = second.filterSet[0].objectSet[0]
    assert change.kind == "modify"
    assert "watched" in [s.name for s in change.changeSet[0].val]
    property_filter.DestroyPropertyFilter()
    assert collector.WaitForUpdatesEx(second.version, PC.WaitOptions(maxWaitSeconds=0)) is None


def test_pyvim_wait_for_task_sees_the_reboot_task_succeed(small_lab, connect) -> None:
    lab_host = small_lab.host("esx-b.test")
    task = _host(connect(lab_host)).RebootHost_Task(force=True)
    time.sleep(0.3)
    for _ in range(100):
        try:
            si = connect(lab_host)
            break
        except OSError:
            time.sleep(0.05)
    assert WaitForTask(vim.Task(task._moId, si._stub), si=si) == "success"
