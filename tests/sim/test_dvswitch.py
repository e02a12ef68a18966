"""The twin's distributed switch ([[host.dvswitch]] and a vmk's dvswitch): networkInfo.proxySwitch as a
vCenter-managed host shows it, its uplinks refused to a standard vSwitch, and the lab file's checks."""

from __future__ import annotations

from typing import Any

import pytest
from pyVmomi import vim

from tests.sim.small_lab import host_toml
from vmesh_tui.sim.lab.load import LabError, parse_lab

HOST = host_toml("esx-a.test", "192.168.10.11/24")
DVS = """
  [[host.dvswitch]]
  name = "dvs-prod"
  uplinks = ["vmnic2"]
  mtu = 9000
  [[host.vmk]]
  device = "vmk1"
  dvswitch = "dvs-prod"
  portgroup = "dvportgroup-21"
  ip = "10.40.0.11/24"
  services = ["vmotion"]
"""


def test_the_host_shows_its_proxy_switch_and_distributed_vmk(serve_lab: Any, connect: Any) -> None:
    lab = serve_lab(HOST + DVS)
    host = connect(lab.host("esx-a.test")).content.rootFolder.childEntity[0].hostFolder.childEntity[0].host[0]
    ns = host.configManager.networkSystem
    info = ns.networkInfo
    (proxy,) = info.proxySwitch
    assert proxy.dvsName == "dvs-prod" and proxy.mtu == 9000 and proxy.dvsUuid
    assert list(proxy.pnic) == ["key-vim.host.PhysicalNic-vmnic2"]
    assert [p.pnicDevice for p in proxy.spec.backing.pnicSpec] == ["vmnic2"]
    vmk1 = next(v for v in info.vnic if v.device == "vmk1")
    assert vmk1.portgroup == "" and vmk1.spec.distributedVirtualPort.switchUuid == proxy.dvsUuid
    assert vmk1.spec.distributedVirtualPort.portgroupKey == "dvportgroup-21"
    spec = vim.host.VirtualSwitch.Specification(
        numPorts=128, bridge=vim.host.VirtualSwitch.BondBridge(nicDevice=["vmnic2"])
    )
    with pytest.raises(vim.fault.ResourceInUse) as taken:
        ns.AddVirtualSwitch(vswitchName="vmesh-1", spec=spec)
    assert "distributed switch dvs-prod" in taken.value.msg


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            DVS.replace('uplinks = ["vmnic2"]', 'uplinks = ["vmnic0"]'),
            r"vmnic0 is already an uplink of vSwitch0",
        ),
        (DVS.replace('uplinks = ["vmnic2"]', 'uplinks = ["vmnic9"]'), r"uplink 'vmnic9' is not a NIC"),
        (
            DVS.replace('dvswitch = "dvs-prod"', 'dvswitch = "dvs-other"'),
            r"'dvs-other' is not a distributed switch",
        ),
        (DVS.replace("mtu = 9000", 'mode = "x"'), r"mode"),
    ],
    ids=["uplink-of-a-vswitch", "unknown-nic", "unknown-dvswitch", "unknown-key"],
)
def test_lab_errors_name_the_table_and_the_problem(extra: str, expected: str) -> None:
    with pytest.raises(LabError, match=expected):
        parse_lab(HOST + extra, "lab.toml")
