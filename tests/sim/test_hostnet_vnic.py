"""SimHost's VMkernel NIC, vMotion selection, NIC speed, UpdateNetworkConfig and reboot behaviour."""

from __future__ import annotations

import pytest
from pyVmomi import vim, vmodl

from vmesh_tui.sim.fabric.fabric import Fabric, build_fabric
from vmesh_tui.sim.host.simhost import SimHost
from vmesh_tui.sim.lab.load import demo_lab

VnicSpec = vim.host.VirtualNic.Specification


def ip(address: str, mask: str = "255.255.255.252") -> vim.host.IpConfig:
    return vim.host.IpConfig(dhcp=False, ipAddress=address, subnetMask=mask)


@pytest.fixture
def fabric() -> Fabric:
    return build_fabric(demo_lab())


@pytest.fixture
def host(fabric: Fabric) -> SimHost:
    host = fabric.hosts["esx-a.lab.local"]
    host.AddVirtualSwitch("vmesh-1", vim.host.VirtualSwitch.Specification(numPorts=128, mtu=9000))
    for name in ("vmesh-1", "vmesh-2"):
        host.AddPortGroup(vim.host.PortGroup.Specification(name=name, vlanId=0, vswitchName="vmesh-1"))
    return host


def vnic(host: SimHost, device: str) -> vim.host.VirtualNic:
    return next(v for v in host.network_info().vnic if v.device == device)


def test_add_vmk_takes_the_lowest_free_number_and_stores_its_spec(host: SimHost) -> None:
    device = host.AddVirtualNic("vmesh-1", VnicSpec(ip=ip("10.0.0.1"), mtu=9000))
    assert device == "vmk1"
    nic = vnic(host, "vmk1")
    assert (nic.key, nic.portgroup) == ("key-vim.host.VirtualNic-vmk1", "vmesh-1")
    assert (nic.spec.ip.dhcp, nic.spec.ip.ipAddress, nic.spec.ip.subnetMask) == (
        False,
        "10.0.0.1",
        "255.255.255.252",
    )
    assert nic.spec.mtu == 9000 and nic.spec.netStackInstanceKey == "defaultTcpipStack"
    assert nic.spec.mac.startswith("00:50:56:")
    host.RemoveVirtualNic("vmk1")
    assert host.AddVirtualNic("vmesh-2", VnicSpec(ip=ip("10.0.0.5"))) == "vmk1"
    assert vnic(host, "vmk1").spec.mtu == 1500, "MTU defaults to 1500"


@pytest.mark.parametrize(
    ("portgroup", "spec", "fault", "text"),
    [
        ("Management Network", VnicSpec(ip=ip("10.0.0.1")), vim.fault.AlreadyExists, "Management Network"),
        ("nope", VnicSpec(ip=ip("10.0.0.1")), vim.fault.NotFound, "nope"),
        ("vmesh-1", VnicSpec(ip=ip("10.0.0.300")), vmodl.fault.InvalidArgument, "ipAddress"),
        ("vmesh-1", VnicSpec(ip=ip("10.0.0.1", "255.0.255.0")), vmodl.fault.InvalidArgument, "subnetMask"),
        ("vmesh-1", VnicSpec(ip=ip("10.0.0.0")), vmodl.fault.InvalidArgument, "network or broadcast"),
        ("vmesh-1", VnicSpec(ip=ip("10.0.0.1"), mtu=9216), vmodl.fault.InvalidArgument, "nic.mtu"),
        ("vmesh-1", VnicSpec(), vmodl.fault.InvalidArgument, "nic.ip"),
        (
            "vmesh-1",
            VnicSpec(ip=ip("10.0.0.1"), netStackInstanceKey="x"),
            vmodl.fault.InvalidArgument,
            "netStack",
        ),
    ],
)
def test_add_vmk_faults(host: SimHost, portgroup: str, spec: VnicSpec, fault: type, text: str) -> None:
    with pytest.raises(fault) as caught:
        host.AddVirtualNic(portgroup, spec)
    assert text in caught.value.msg
    assert [v.device for v in host.network_info().vnic] == ["vmk0"]


def test_update_vmk_changes_only_what_is_set(host: SimHost) -> None:
    host.AddVirtualNic("vmesh-1", VnicSpec(ip=ip("10.0.0.1"), mtu=1500))
    host.UpdateVirtualNic("vmk1", VnicSpec(mtu=9000))
    assert (vnic(host, "vmk1").spec.mtu, vnic(host, "vmk1").spec.ip.ipAddress) == (9000, "10.0.0.1")
    host.UpdateVirtualNic("vmk1", VnicSpec(ip=ip("10.0.0.2")))
    assert vnic(host, "vmk1").spec.ip.ipAddress == "10.0.0.2"
    with pytest.raises(vmodl.fault.InvalidArgument, match="only at creation"):
        host.UpdateVirtualNic("vmk1", VnicSpec(netStackInstanceKey="vmotion"))
    with pytest.raises(vim.fault.NotFound):
        host.UpdateVirtualNic("vmk7", VnicSpec(mtu=9000))
    with pytest.raises(vim.fault.NotFound):
        host.RemoveVirtualNic("vmk7")


def selected(host: SimHost, nic_type: str) -> list[str]:
    return list(host.QueryNetConfig(nic_type).selectedVnic)


def test_vmotion_selection_and_query_net_config(host: SimHost) -> None:
    host.AddVirtualNic("vmesh-1", VnicSpec(ip=ip("10.0.0.1")))
    assert selected(host, "vmotion") == []
    host.SelectVnicForNicType("vmotion", "vmk1")
    host.SelectVnicForNicType("vmotion", "vmk1")
    assert selected(host, "vmotion") == ["vmotion.key-vim.host.VirtualNic-vmk1"]
    config = host.QueryNetConfig("vmotion")
    assert [c.key for c in config.candidateVnic] == [
        "vmotion.key-vim.host.VirtualNic-vmk0",
        "vmotion.key-vim.host.VirtualNic-vmk1",
    ]
    assert selected(host, "management") == ["management.key-vim.host.VirtualNic-vmk0"]
    host.DeselectVnicForNicType("vmotion", "vmk1")
    assert selected(host, "vmotion") == []
    with pytest.raises(vmodl.fault.InvalidArgument, match="nicType"):
        host.SelectVnicForNicType("warp", "vmk1")
    with pytest.raises(vmodl.fault.InvalidArgument, match="device"):
        host.SelectVnicForNicType("vmotion", "vmk9")
    host.SelectVnicForNicType("vmotion", "vmk1")
    host.RemoveVirtualNic("vmk1")
    assert selected(host, "vmotion") == [], "removing a vmk deselects it"
    assert [c.nicType for c in host.net_config()][:2] == ["management", "vmotion"]


def test_a_vmotion_netstack_vmk_takes_over_vmotion(host: SimHost) -> None:
    host.AddVirtualNic("vmesh-1", VnicSpec(ip=ip("10.0.0.1")))
    host.SelectVnicForNicType("vmotion", "vmk1")
    device = host.AddVirtualNic("vmesh-2", VnicSpec(ip=ip("10.0.0.5"), netStackInstanceKey="vmotion"))
    assert vnic(host, device).spec.netStackInstanceKey == "vmotion"
    assert selected(host, "vmotion") == [f"vmotion.key-vim.host.VirtualNic-{device}"]
    stacks = [s.key for s in host.network_info().netStackInstance]
    assert stacks == ["defaultTcpipStack", "vmotion"]


def test_link_speed_forced_and_back_to_auto(fabric: Fabric) -> None:
    a, b = fabric.hosts["esx-a.lab.local"], fabric.hosts["esx-b.lab.local"]

    def pnic(host: SimHost, device: str) -> vim.host.PhysicalNic:
        return next(p for p in host.network_info().pnic if p.device == device)

    assert pnic(a, "vmnic1").linkSpeed.speedMb == 1000 and pnic(a, "vmnic1").spec.linkSpeed is None
    a.UpdatePhysicalNicLinkSpeed("vmnic1", vim.host.PhysicalNic.LinkSpeedDuplex(speedMb=100, duplex=True))
    assert pnic(a, "vmnic1").spec.linkSpeed.speedMb == 100
    assert pnic(a, "vmnic1").linkSpeed.speedMb == 100 and pnic(b, "vmnic1").linkSpeed.speedMb == 100
    b.UpdatePhysicalNicLinkSpeed("vmnic1", vim.host.PhysicalNic.LinkSpeedDuplex(speedMb=10, duplex=True))
    assert pnic(a, "vmnic1").linkSpeed is None and pnic(b, "vmnic1").linkSpeed is None, "forced mismatch"
    a.UpdatePhysicalNicLinkSpeed("vmnic1", None)
    assert pnic(a, "vmnic1").linkSpeed.speedMb == 10 and pnic(a, "vmnic1").spec.linkSpeed is None
    with pytest.raises(vmodl.fault.InvalidArgument, match="10000"):
        a.UpdatePhysicalNicLinkSpeed(
            "vmnic2", vim.host.PhysicalNic.LinkSpeedDuplex(speedMb=10000, duplex=True)
        )
    with pytest.raises(vim.fault.NotFound):
        a.UpdatePhysicalNicLinkSpeed("vmnic9", None)
    valid = [(s.speedMb, s.duplex) for s in pnic(a, "vmnic2").validLinkSpecification]
    assert valid == [(10, False), (10, True), (100, False), (100, True), (1000, True)]


def test_update_network_config_modify_adds_objects_and_reports_new_vmks(host: SimHost) -> None:
    config = vim.host.NetworkConfig(
        vswitch=[
            vim.host.VirtualSwitch.Config(
                changeOperation="add", name="vmesh-9", spec=vim.host.VirtualSwitch.Specification(numPorts=64)
            )
        ],
        portgroup=[
            vim.host.PortGroup.Config(
                changeOperation="add",
                spec=vim.host.PortGroup.Specification(name="pg-9", vlanId=9, vswitchName="vmesh-9"),
            )
        ],
        vnic=[
            vim.host.VirtualNic.Config(
                changeOperation="add", portgroup="pg-9", spec=VnicSpec(ip=ip("10.9.0.1"))
            )
        ],
    )
    result = host.UpdateNetworkConfig(config, "modify")
    assert list(result.vnicDevice) == ["vmk1"]
    assert vnic(host, "vmk1").portgroup == "pg-9"
    edit = vim.host.NetworkConfig(
        vnic=[
            vim.host.VirtualNic.Config(
                changeOperation="edit", device="vmk1", portgroup="", spec=VnicSpec(mtu=9000)
            )
        ]
    )
    host.UpdateNetworkConfig(edit, "modify")
    assert vnic(host, "vmk1").spec.mtu == 9000


def test_update_network_config_is_atomic_and_refuses_replace(host: SimHost) -> None:
    before = host.network_info()
    config = vim.host.NetworkConfig(
        portgroup=[
            vim.host.PortGroup.Config(
                changeOperation="add",
                spec=vim.host.PortGroup.Specification(name="ok", vlanId=0, vswitchName="vmesh-1"),
            ),
            vim.host.PortGroup.Config(
                changeOperation="add",
                spec=vim.host.PortGroup.Specification(name="bad", vlanId=0, vswitchName="nope"),
            ),
        ]
    )
    with pytest.raises(vim.fault.NotFound):
        host.UpdateNetworkConfig(config, "modify")
    after = host.network_info()
    assert [p.spec.name for p in after.portgroup] == [p.spec.name for p in before.portgroup]
    with pytest.raises(vmodl.fault.NotSupported):
        host.UpdateNetworkConfig(vim.host.NetworkConfig(), "replace")


def test_reboot_keeps_config_and_moves_boot_time(host: SimHost) -> None:
    host.AddVirtualNic("vmesh-1", VnicSpec(ip=ip("10.0.0.1"), mtu=9000))
    host.SelectVnicForNicType("vmotion", "vmk1")
    boot = host.boot_time
    assert boot.tzinfo is not None and boot.utcoffset().total_seconds() == 0
    host.reboot()
    assert host.boot_time > boot
    assert vnic(host, "vmk1").spec.mtu == 9000
    assert selected(host, "vmotion") == ["vmotion.key-vim.host.VirtualNic-vmk1"]
    host.RefreshNetworkSystem()
    assert [v.name for v in host.network_info().vswitch] == ["vSwitch0", "vSwitch1", "vmesh-1"]
