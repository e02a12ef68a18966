"""Sessions and the service surface of the twin, with pyVmomi as the client over real HTTPS."""

from __future__ import annotations

import hashlib
import socket
import ssl
import urllib.request
import xml.etree.ElementTree as ET

import pytest
from pyVmomi import vim, vmodl


def _unverified() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def _port(host) -> int:
    return int(host.url.rsplit(":", 1)[1].split("/")[0])


def test_each_host_has_its_own_port_and_certificate_with_a_matching_thumbprint(small_lab) -> None:
    ports, thumbprints = set(), set()
    for host in small_lab.hosts:
        with (
            socket.create_connection(("127.0.0.1", _port(host)), timeout=5) as raw,
            _unverified().wrap_socket(raw, server_hostname="127.0.0.1") as tls,
        ):
            der = tls.getpeercert(binary_form=True)
        assert hashlib.sha256(der).hexdigest() == host.thumbprint
        assert host.url == f"https://127.0.0.1:{_port(host)}/sdk"
        ports.add(_port(host))
        thumbprints.add(host.thumbprint)
    assert len(ports) == len(thumbprints) == 2


def test_service_versions_document_names_the_labs_version(small_lab) -> None:
    host = small_lab.hosts[0]
    url = host.url + "/vimServiceVersions.xml"
    with urllib.request.urlopen(url, context=_unverified(), timeout=5) as response:
        root = ET.fromstring(response.read())
    assert root.tag == "namespaces"
    assert root.findtext("namespace/name") == "urn:vim25"
    assert root.findtext("namespace/version") == "8.0.3.0"
    assert "8.0.0.0" in [v.text for v in root.findall("namespace/priorVersions/version")]


def test_login_gives_an_esxi_host_agent_service_content(small_lab, connect) -> None:
    host = small_lab.host("esx-a.test")
    si = connect(host)
    content = si.RetrieveContent()
    assert content.about.apiType == "HostAgent"
    assert content.about.version == "8.0.3"
    assert content.about.apiVersion == "8.0.3.0"
    datacenter = content.rootFolder.childEntity[0]
    assert datacenter.name == "ha-datacenter"
    compute = datacenter.hostFolder.childEntity[0]
    assert isinstance(compute, vim.ComputeResource)
    assert compute.host[0]._moId == "ha-host"
    assert compute.host[0].name == "esx-a.test"
    assert content.sessionManager.currentSession.userName == "root"


def test_wrong_password_is_invalid_login(small_lab, connect) -> None:
    host = small_lab.host("esx-a.test")
    with pytest.raises(vim.fault.InvalidLogin):
        connect(host, password="secret-b")
    with pytest.raises(vim.fault.InvalidLogin):
        connect(host, user="admin")


def test_calls_without_a_session_are_not_authenticated(small_lab) -> None:
    from pyVmomi import SoapStubAdapter

    host = small_lab.host("esx-b.test")
    stub = SoapStubAdapter(host="127.0.0.1", port=_port(host), version="vim.version.v8_0_3_0",
                           sslContext=_unverified())  # fmt: skip
    content = vim.ServiceInstance("ServiceInstance", stub).RetrieveContent()  # allowed without login
    assert content.about.name == "VMware ESXi"
    with pytest.raises(vim.fault.NotAuthenticated):
        vim.HostSystem("ha-host", stub).name  # noqa: B018 - the attribute read is the remote call
    network_system = vim.host.NetworkSystem("networkSystem", stub)
    with pytest.raises(vim.fault.NotAuthenticated):
        network_system.AddVirtualSwitch("vSwitch9")


def test_logout_ends_the_session(small_lab, connect) -> None:
    si = connect(small_lab.hosts[0])
    host = si.content.rootFolder.childEntity[0].hostFolder.childEntity[0].host[0]
    assert host.name
    si.content.sessionManager.Logout()
    with pytest.raises(vim.fault.NotAuthenticated):
        host.name  # noqa: B018


def test_two_sessions_share_the_hosts_state(small_lab, connect) -> None:
    host = small_lab.host("esx-a.test")
    first, second = connect(host), connect(host)
    assert first._stub.cookie != second._stub.cookie
    first_ns = _network_system(first)
    first_ns.AddVirtualSwitch("vSwitch7", vim.host.VirtualSwitch.Specification(numPorts=128, mtu=9000))
    seen = {s.name: s.mtu for s in _network_system(second).networkInfo.vswitch}
    assert seen["vSwitch7"] == 9000
    other = connect(small_lab.host("esx-b.test"))
    assert "vSwitch7" not in [s.name for s in _network_system(other).networkInfo.vswitch]


def test_unknown_objects_and_unsupported_methods_answer_real_faults(small_lab, connect) -> None:
    si = connect(small_lab.hosts[0])
    stub = si._stub
    with pytest.raises(vmodl.fault.ManagedObjectNotFound):
        vim.host.NetworkSystem("networkSystem-999", stub).RefreshNetworkSystem()
    with pytest.raises(vmodl.fault.MethodNotFound):
        vim.HostSystem("ha-host", stub).RetrieveHardwareUptime()


def _network_system(si) -> vim.host.NetworkSystem:
    content = si.RetrieveContent()
    host = content.rootFolder.childEntity[0].hostFolder.childEntity[0].host[0]
    return host.configManager.networkSystem


def test_one_client_reuses_one_keep_alive_connection(small_lab, connect) -> None:
    endpoint = small_lab.endpoint("esx-b.test")
    si = connect(small_lab.host("esx-b.test"))
    network_system = _network_system(si)
    before = endpoint.connections_accepted
    for _ in range(20):
        network_system.RefreshNetworkSystem()
    assert endpoint.connections_accepted - before <= 1
    assert small_lab.stats()["hosts"]["esx-b.test"]["RefreshNetworkSystem"] == 20
