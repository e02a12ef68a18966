"""Every HostNetworkSystem / HostVirtualNicManager method over SOAP, its effect and its faults,
and esxcli `network diag ping` through RetrieveManagedMethodExecuter/ExecuteSoap."""

from __future__ import annotations

import ssl
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape

import pytest
from pyVmomi import vim, vmodl


@pytest.fixture
def host_a(small_lab, connect):
    si = connect(small_lab.host("esx-a.test"))
    return si.content.rootFolder.childEntity[0].hostFolder.childEntity[0].host[0]


def _vswitch_spec(nics: list[str], mtu: int = 9000) -> vim.host.VirtualSwitch.Specification:
    bridge = vim.host.VirtualSwitch.BondBridge(nicDevice=nics) if nics else None
    return vim.host.VirtualSwitch.Specification(numPorts=128, mtu=mtu, bridge=bridge)


def _portgroup_spec(name: str, vswitch: str, active: list[str]) -> vim.host.PortGroup.Specification:
    teaming = vim.host.NetworkPolicy.NicTeamingPolicy(
        policy="failover_explicit", nicOrder=vim.host.NetworkPolicy.NicOrderPolicy(activeNic=active)
    )
    return vim.host.PortGroup.Specification(
        name=name, vlanId=0, vswitchName=vswitch, policy=vim.host.NetworkPolicy(nicTeaming=teaming)
    )


def _vnic_spec(ip: str, mask: str = "255.255.255.252", mtu: int = 9000) -> vim.host.VirtualNic.Specification:
    return vim.host.VirtualNic.Specification(
        ip=vim.host.IpConfig(dhcp=False, ipAddress=ip, subnetMask=mask), mtu=mtu
    )


def test_vswitch_add_update_remove_round_trip_and_faults(host_a) -> None:
    ns = host_a.configManager.networkSystem
    ns.AddVirtualSwitch("vmesh-1", _vswitch_spec(["vmnic1"]))
    vswitch = next(s for s in ns.networkInfo.vswitch if s.name == "vmesh-1")
    assert vswitch.mtu == 9000 and list(vswitch.spec.bridge.nicDevice) == ["vmnic1"]
    with pytest.raises(vim.fault.AlreadyExists):
        ns.AddVirtualSwitch("vmesh-1", _vswitch_spec([]))
    with pytest.raises(vim.fault.ResourceInUse):
        ns.AddVirtualSwitch("vmesh-2", _vswitch_spec(["vmnic0"]))  # vSwitch0's uplink
    ns.UpdateVirtualSwitch("vmesh-1", _vswitch_spec(["vmnic1"], mtu=1500))
    assert next(s for s in ns.networkInfo.vswitch if s.name == "vmesh-1").mtu == 1500
    ns.RemoveVirtualSwitch("vmesh-1")
    assert "vmesh-1" not in [s.name for s in ns.networkInfo.vswitch]
    with pytest.raises(vim.fault.NotFound):
        ns.RemoveVirtualSwitch("vmesh-1")


def test_portgroup_vmk_and_vmotion_selection_round_trip(host_a) -> None:
    ns = host_a.configManager.networkSystem
    manager = host_a.configManager.virtualNicManager
    ns.AddVirtualSwitch("vmesh-1", _vswitch_spec(["vmnic1"]))
    ns.AddPortGroup(_portgroup_spec("vmesh-1-pg", "vmesh-1", ["vmnic1"]))
    with pytest.raises(vim.fault.AlreadyExists):
        ns.AddPortGroup(_portgroup_spec("vmesh-1-pg", "vmesh-1", ["vmnic1"]))
    with pytest.raises(vim.fault.NotFound):
        ns.AddPortGroup(_portgroup_spec("other", "missing-vswitch", []))
    ns.UpdatePortGroup("vmesh-1-pg", _portgroup_spec("vmesh-1-pg", "vmesh-1", ["vmnic1"]))
    device = ns.AddVirtualNic("vmesh-1-pg", _vnic_spec("10.99.0.1"))
    assert device.startswith("vmk") and device != "vmk0"
    ns.UpdateVirtualNic(device, _vnic_spec("10.99.0.1", mtu=1500))
    vnic = next(v for v in ns.networkInfo.vnic if v.device == device)
    assert vnic.spec.mtu == 1500 and vnic.spec.ip.ipAddress == "10.99.0.1"
    manager.SelectVnicForNicType("vmotion", device)
    selected = manager.QueryNetConfig("vmotion").selectedVnic
    assert any(key.endswith(device) for key in selected)
    manager.DeselectVnicForNicType("vmotion", device)
    assert not any(key.endswith(device) for key in manager.QueryNetConfig("vmotion").selectedVnic or [])
    with pytest.raises(vmodl.fault.InvalidArgument):
        manager.SelectVnicForNicType("vmotion", "vmk42")
    with pytest.raises(vim.fault.ResourceInUse):
        ns.RemovePortGroup("vmesh-1-pg")
    ns.RemoveVirtualNic(device)
    ns.RemovePortGroup("vmesh-1-pg")
    ns.RemoveVirtualSwitch("vmesh-1")
    assert [v.device for v in ns.networkInfo.vnic] == ["vmk0"]


def test_link_speed_hints_refresh_and_network_config(host_a) -> None:
    ns = host_a.configManager.networkSystem
    ns.UpdatePhysicalNicLinkSpeed("vmnic1", vim.host.PhysicalNic.LinkSpeedDuplex(speedMb=1000, duplex=True))
    pnic = next(p for p in ns.networkInfo.pnic if p.device == "vmnic1")
    assert pnic.spec.linkSpeed.speedMb == 1000
    ns.UpdatePhysicalNicLinkSpeed("vmnic1", None)
    assert next(p for p in ns.networkInfo.pnic if p.device == "vmnic1").spec.linkSpeed is None
    with pytest.raises(vim.fault.NotFound):
        ns.UpdatePhysicalNicLinkSpeed("vmnic9", None)
    hints = ns.QueryNetworkHint(["vmnic0", "vmnic1"])
    assert sorted(h.device for h in hints) == ["vmnic0", "vmnic1"]
    ns.RefreshNetworkSystem()
    config = ns.networkConfig
    result = ns.UpdateNetworkConfig(config, "modify")
    assert isinstance(result, vim.host.NetworkConfig.Result)


def _raw_soap(lab_host, cookie: str, body: str) -> ET.Element:
    import http.client

    port = int(lab_host.url.rsplit(":", 1)[1].split("/")[0])
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    envelope = (
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">'
        f"<soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"
    )
    connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=10)
    connection.request("POST", "/sdk", envelope.encode(), {"Cookie": cookie, "Content-Type": "text/xml"})
    response = connection.getresponse()
    assert response.status == 200
    root = ET.fromstring(response.read())
    connection.close()
    return root


def _ping(lab_host, cookie: str, **arguments: str) -> ET.Element:
    executer = _raw_soap(
        lab_host, cookie,
        '<RetrieveManagedMethodExecuter xmlns="urn:vim25"><_this type="HostSystem">ha-host</_this>'
        "</RetrieveManagedMethodExecuter>",
    )  # fmt: skip
    moid = executer.find(".//{urn:vim25}returnval").text
    args = "".join(
        f"<argument><name>{name}</name><val>{escape(f'<{name}>{value}</{name}>')}</val></argument>"
        for name, value in arguments.items()
    )
    return _raw_soap(
        lab_host, cookie,
        f'<ExecuteSoap xmlns="urn:vim25"><_this type="ReflectManagedMethodExecuter">{moid}</_this>'
        "<moid>ha-cli-handler-network-diag</moid><version>urn:vim25/5.0</version>"
        f"<method>vim.EsxCLI.network.diag.ping</method>{args}</ExecuteSoap>",
    ).find(".//{urn:vim25}returnval")  # fmt: skip


def test_esxcli_ping_over_the_session(small_lab, connect) -> None:
    lab_host = small_lab.host("esx-a.test")
    si = connect(lab_host)
    cookie = si._stub.cookie
    answer = _ping(lab_host, cookie, host="192.168.10.12", count="2", size="56")
    document = ET.fromstring(answer.find("{urn:vim25}response").text)
    summary = {child.tag.rpartition("}")[2]: child.text for child in document.find("{urn:vim25}Summary")}
    assert summary["Transmitted"] == "2" and summary["Recieved"] == "2" and summary["PacketLost"] == "0"
    assert len(document.findall("{urn:vim25}Trace")) == 2
    too_big = _ping(lab_host, cookie, host="192.168.10.12", size="8972", df="true", count="1")
    assert "Message too long" in too_big.find("{urn:vim25}fault/{urn:vim25}faultMsg").text
    bad_interface = _ping(lab_host, cookie, host="192.168.10.12", interface="vmk9")
    assert bad_interface.find("{urn:vim25}fault") is not None


def test_concurrent_pings_and_network_hints_on_two_hosts_do_not_deadlock(small_lab, connect) -> None:
    import threading

    a, b = small_lab.host("esx-a.test"), small_lab.host("esx-b.test")
    cookie_a = connect(a)._stub.cookie
    hints_b = connect(b).content.rootFolder.childEntity[0].hostFolder.childEntity[0].host[0]
    network_system_b = hints_b.configManager.networkSystem
    errors: list[BaseException] = []

    def pings() -> None:
        try:
            for _ in range(60):
                _ping(a, cookie_a, host="192.168.10.12", count="1")
        except BaseException as exc:  # reported below
            errors.append(exc)

    def hints() -> None:
        try:
            for _ in range(60):
                network_system_b.QueryNetworkHint(["vmnic0", "vmnic1"])
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=pings), threading.Thread(target=hints)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=20)
    assert not any(worker.is_alive() for worker in workers), "requests hung: a lock-order deadlock"
    assert errors == []
