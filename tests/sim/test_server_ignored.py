"""`[[fault]] kind = "ignored"`: the host answers the call as usual and changes nothing (a host that lies)."""

from __future__ import annotations

from typing import Any

import pytest
from pyVmomi import vim

IGNORED = """
[[fault]]
host = "esx-a.test"
method = "AddVirtualSwitch"
kind = "ignored"

[[fault]]
host = "esx-a.test"
method = "AddVirtualNic"
kind = "ignored"

[[fault]]
host = "esx-a.test"
method = "SelectVnicForNicType"
kind = "ignored"
"""


@pytest.fixture
def lying_lab(serve_lab: Any, small_lab_text: str) -> Any:
    return serve_lab(small_lab_text + IGNORED)


def test_ignored_calls_answer_success_and_change_nothing(lying_lab: Any, connect: Any) -> None:
    host = (
        connect(lying_lab.host("esx-a.test"))
        .content.rootFolder.childEntity[0]
        .hostFolder.childEntity[0]
        .host[0]
    )
    ns, manager = host.configManager.networkSystem, host.configManager.virtualNicManager
    spec = vim.host.VirtualSwitch.Specification(numPorts=128, mtu=9000)
    assert ns.AddVirtualSwitch(vswitchName="vmesh-1", spec=spec) is None  # success, as usual
    assert "vmesh-1" not in [s.name for s in ns.networkInfo.vswitch]
    ns.AddVirtualSwitch(vswitchName="vmesh-1", spec=spec)  # the 2nd call is not ignored
    assert "vmesh-1" in [s.name for s in ns.networkInfo.vswitch]
    group = vim.host.PortGroup.Specification(
        name="vmesh-1", vswitchName="vmesh-1", vlanId=0, policy=vim.host.NetworkPolicy()
    )
    ns.AddPortGroup(portgrp=group)
    nic = vim.host.VirtualNic.Specification(
        ip=vim.host.IpConfig(dhcp=False, ipAddress="10.9.0.1", subnetMask="255.255.255.252")
    )
    device = ns.AddVirtualNic(portgroup="vmesh-1", nic=nic)
    assert device.startswith("vmk") and device not in [v.device for v in ns.networkInfo.vnic]
    created = ns.AddVirtualNic(portgroup="vmesh-1", nic=nic)
    manager.SelectVnicForNicType(nicType="vmotion", device=created)  # ignored: stays unselected
    vmotion = next(c for c in manager.info.netConfig if c.nicType == "vmotion")
    assert not [key for key in vmotion.selectedVnic or [] if key.endswith(created)]
    manager.SelectVnicForNicType(nicType="vmotion", device=created)
    vmotion = next(c for c in manager.info.netConfig if c.nicType == "vmotion")
    assert [key for key in vmotion.selectedVnic or [] if key.endswith(created)]


def test_an_ignored_vswitch_never_advertises_cdp(serve_lab: Any, small_lab_text: str, connect: Any) -> None:
    """CDP follows the configuration the host kept: the far end never hears a vSwitch that was ignored."""
    instant = small_lab_text.replace('.test"\n', '.test"\ncdp_interval_s = 0\ncdp_holdtime_s = 0\n')
    lab = serve_lab(instant + IGNORED)
    systems = {
        name: connect(lab.host(name)).content.rootFolder.childEntity[0].hostFolder.childEntity[0].host[0]
        for name in ("esx-a.test", "esx-b.test")
    }
    ldp = vim.host.LinkDiscoveryProtocolConfig(protocol="cdp", operation="both")
    bridge = vim.host.VirtualSwitch.BondBridge(nicDevice=["vmnic1"], linkDiscoveryProtocolConfig=ldp)
    spec = vim.host.VirtualSwitch.Specification(numPorts=128, mtu=1500, bridge=bridge)
    for system in systems.values():  # esx-a's AddVirtualSwitch is ignored, esx-b's is not
        system.configManager.networkSystem.AddVirtualSwitch(vswitchName="probe", spec=spec)
    (heard,) = systems["esx-b.test"].configManager.networkSystem.QueryNetworkHint(device=["vmnic1"])
    assert heard.connectedSwitchPort is None
    systems["esx-a.test"].configManager.networkSystem.AddVirtualSwitch(vswitchName="probe", spec=spec)
    (heard,) = systems["esx-b.test"].configManager.networkSystem.QueryNetworkHint(device=["vmnic1"])
    assert heard.connectedSwitchPort.devId == "esx-a.test"
