"""The shapes of SimHost's pyVmomi views, and proof they are well typed: pyVmomi serialises them."""

from __future__ import annotations

from pyVmomi import SoapAdapter, vim

from vmesh_tui.sim.fabric.fabric import build_fabric
from vmesh_tui.sim.host.simhost import SimHost
from vmesh_tui.sim.lab.load import demo_lab, parse_lab

LAB = """
[[host]]
name = "esx-a.lab.local"
  [[host.nic]]
  device = "vmnic0"
  driver = "igb"
  mac = "00:50:56:aa:00:00"
  [[host.nic]]
  device = "vmnic1"
  [[host.nic]]
  device = "vmnic4"
  driver = "tg3"
  [[host.vswitch]]
  name = "vSwitch0"
  mtu = 1500
  uplinks = ["vmnic0"]
  standby = ["vmnic4"]
  cdp = "both"
    [[host.vswitch.portgroup]]
    name = "Management Network"
    active = ["vmnic0"]
    standby = ["vmnic4"]
  [[host.vmk]]
  device = "vmk0"
  portgroup = "Management Network"
  ip = "192.168.10.11/24"
  services = ["management", "vmotion"]
"""


def host() -> SimHost:
    return build_fabric(parse_lab(LAB, "info.toml")).hosts["esx-a.lab.local"]


def serialize(obj: object) -> str:
    """As an 8.0.3 host answers (without a version pyVmomi drops fields newer than vSphere 2.0)."""
    return SoapAdapter.Serialize(obj, version="vim.version.v8_0_3_0").decode()


def test_network_info_shapes() -> None:
    info = host().network_info()
    pnic = info.pnic[0]
    assert (pnic.key, pnic.device, pnic.mac, pnic.driver) == (
        "key-vim.host.PhysicalNic-vmnic0",
        "vmnic0",
        "00:50:56:aa:00:00",
        "igb",
    )
    assert pnic.linkSpeed is None, "no cable, no switch: no link"
    assert pnic.spec.linkSpeed is None and len(pnic.validLinkSpecification) == 5
    vswitch = info.vswitch[0]
    assert (vswitch.key, vswitch.name, vswitch.mtu, vswitch.numPorts) == (
        "key-vim.host.VirtualSwitch-vSwitch0",
        "vSwitch0",
        1500,
        128,
    )
    assert vswitch.portgroup == ["key-vim.host.PortGroup-Management Network"]
    assert vswitch.pnic == ["key-vim.host.PhysicalNic-vmnic0", "key-vim.host.PhysicalNic-vmnic4"]
    assert isinstance(vswitch.spec.bridge, vim.host.VirtualSwitch.BondBridge)
    assert vswitch.spec.bridge.linkDiscoveryProtocolConfig.protocol == "cdp"
    assert vswitch.spec.bridge.linkDiscoveryProtocolConfig.operation == "both"
    order = vswitch.spec.policy.nicTeaming.nicOrder
    assert (order.activeNic, order.standbyNic) == (["vmnic0"], ["vmnic4"])
    pg = info.portgroup[0]
    assert (pg.key, pg.vswitch, pg.spec.name, pg.spec.vlanId, pg.spec.vswitchName) == (
        "key-vim.host.PortGroup-Management Network",
        "key-vim.host.VirtualSwitch-vSwitch0",
        "Management Network",
        0,
        "vSwitch0",
    )
    assert pg.spec.policy.nicTeaming.policy is None, "only the override is set"
    assert pg.spec.policy.nicTeaming.nicOrder.activeNic == ["vmnic0"]
    assert pg.computedPolicy.nicTeaming.policy == "loadbalance_srcid"
    assert [p.type for p in pg.port] == ["host"] and pg.port[0].mac == [info.vnic[0].spec.mac]
    vnic = info.vnic[0]
    assert (vnic.device, vnic.key, vnic.portgroup) == (
        "vmk0",
        "key-vim.host.VirtualNic-vmk0",
        "Management Network",
    )
    assert (vnic.spec.ip.dhcp, vnic.spec.ip.ipAddress, vnic.spec.ip.subnetMask, vnic.spec.mtu) == (
        False,
        "192.168.10.11",
        "255.255.255.0",
        1500,
    )
    assert vnic.spec.netStackInstanceKey == "defaultTcpipStack"
    assert [s.key for s in info.netStackInstance] == ["defaultTcpipStack", "vmotion"]


def test_services_from_the_lab_are_selected() -> None:
    configs = {c.nicType: c for c in host().net_config()}
    assert list(configs["management"].selectedVnic) == ["management.key-vim.host.VirtualNic-vmk0"]
    assert list(configs["vmotion"].selectedVnic) == ["vmotion.key-vim.host.VirtualNic-vmk0"]
    assert list(configs["vsan"].selectedVnic) == []


def test_every_view_serialises_with_pyvmomi() -> None:
    sim = build_fabric(demo_lab()).hosts["esx-a.lab.local"]
    text = serialize(sim.network_info())
    assert 'xsi:type="HostNetworkInfo"' in text
    assert "<linkDiscoveryProtocolConfig><protocol>cdp</protocol><operation>listen</operation>" in text
    assert "<key>key-vim.host.PhysicalNic-vmnic7</key>" in text
    assert (
        "<mtu>1500</mtu>" in text and "<netStackInstanceKey>defaultTcpipStack</netStackInstanceKey>" in text
    )
    for config in sim.net_config():
        assert "<nicType>" in serialize(config)
    assert "<canSetPhysicalNicLinkSpeed>true</canSetPhysicalNicLinkSpeed>" in serialize(sim.capabilities())
    for hint in sim.QueryNetworkHint():
        assert "<device>vmnic" in serialize(hint)
    assert "<devId>core</devId>" in serialize(sim.QueryNetworkHint(["vmnic0"])[0])
    result = sim.UpdateNetworkConfig(vim.host.NetworkConfig(), "modify")
    assert "HostNetworkConfigResult" in serialize(result)


def test_password_stays_out_of_reprs() -> None:
    sim = host()
    assert sim.password == "vmware" and "vmware" not in repr(sim)
