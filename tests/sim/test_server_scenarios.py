"""The packet model's scenarios end to end: the demo lab served over HTTPS, configured with pyVmomi calls
(AddVirtualSwitch, AddPortGroup, AddVirtualNic, UpdatePortGroup, RebootHost_Task) and checked with esxcli
`network diag ping` through RetrieveManagedMethodExecuter/ExecuteSoap on the same session, as a client
of real hosts would. (test_fabric.py covers the same rules in-process; this proves they survive the wire.)
"""

from __future__ import annotations

import contextlib
import http.client
import ssl
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any
from xml.sax.saxutils import escape

import pytest
from pyVim.connect import Disconnect, SmartConnect
from pyVmomi import vim

A, B = "esx-a.lab.local", "esx-b.lab.local"
LINK_NICS = ("vmnic1", "vmnic2", "vmnic5", "vmnic6")
SLASH30 = [(f"10.99.0.{4 * i + 1}", f"10.99.0.{4 * i + 2}") for i in range(4)]
SLASH24 = [(f"10.98.0.{i + 1}", f"10.98.0.{i + 11}") for i in range(4)]
Policy = vim.host.NetworkPolicy
NS = "{urn:vim25}"


def _context() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def _port(lab_host: Any) -> int:
    return int(lab_host.url.rsplit(":", 1)[1].split("/")[0])


class Host:
    """One pyVmomi session on one twin host, plus esxcli ping over that session's cookie."""

    def __init__(self, lab_host: Any) -> None:
        self.lab_host = lab_host
        self.si = SmartConnect(
            host="127.0.0.1", port=_port(lab_host), user=lab_host.user, pwd=lab_host.password,
            sslContext=_context(), connectionPoolTimeout=-1,
        )  # fmt: skip
        self.system: vim.HostSystem = (
            self.si.content.rootFolder.childEntity[0].hostFolder.childEntity[0].host[0]
        )
        self.ns: vim.host.NetworkSystem = self.system.configManager.networkSystem

    def close(self) -> None:
        with contextlib.suppress(Exception):  # rebooted hosts have already dropped the session
            Disconnect(self.si)

    def _soap(self, body: str) -> ET.Element:
        envelope = (
            '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">'
            f"<soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"
        )
        connection = http.client.HTTPSConnection(
            "127.0.0.1", _port(self.lab_host), context=_context(), timeout=10
        )
        try:
            headers = {"Cookie": self.si._stub.cookie, "Content-Type": "text/xml"}
            connection.request("POST", "/sdk", envelope.encode(), headers)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        assert response.status == 200, data[:400]
        return ET.fromstring(data)

    def ping(self, target: str, interface: str | None = None, size: int = 8972, count: int = 2) -> int | str:
        """A df ping: the replies received, or esxcli's error message."""
        executer = self._soap(
            '<RetrieveManagedMethodExecuter xmlns="urn:vim25"><_this type="HostSystem">ha-host</_this>'
            "</RetrieveManagedMethodExecuter>"
        )
        moid = executer.find(f".//{NS}returnval").text  # type: ignore[union-attr]
        arguments = {"host": target, "size": str(size), "df": "true", "count": str(count)}
        if interface:
            arguments["interface"] = interface
        args = "".join(
            f"<argument><name>{name}</name><val>{escape(f'<{name}>{value}</{name}>')}</val></argument>"
            for name, value in arguments.items()
        )
        answer = self._soap(
            f'<ExecuteSoap xmlns="urn:vim25"><_this type="ReflectManagedMethodExecuter">{moid}</_this>'
            "<moid>ha-cli-handler-network-diag</moid><version>urn:vim25/5.0</version>"
            f"<method>vim.EsxCLI.network.diag.ping</method>{args}</ExecuteSoap>"
        ).find(f".//{NS}returnval")
        assert answer is not None
        fault = answer.find(f"{NS}fault/{NS}faultMsg")
        if fault is not None:
            return fault.text or ""
        document = ET.fromstring(answer.findtext(f"{NS}response") or "")
        return int(document.findtext(f"{NS}Summary/{NS}Recieved") or "-1")


@pytest.fixture
def demo() -> Iterator[Any]:
    from vmesh_tui.sim.lab.load import demo_lab
    from vmesh_tui.sim.runner import start_lab

    lab = start_lab(demo_lab(), reboot_downtime_s=0.05)
    try:
        yield lab
    finally:
        lab.stop()


@pytest.fixture
def hosts(demo: Any) -> Iterator[dict[str, Host]]:
    opened = {name: Host(demo.host(name)) for name in (A, B)}
    yield opened
    for host in opened.values():
        host.close()


def failover(active: str) -> vim.host.NetworkPolicy:
    order = Policy.NicOrderPolicy(activeNic=[active], standbyNic=[])
    return Policy(nicTeaming=Policy.NicTeamingPolicy(policy="failover_explicit", nicOrder=order))


def add_vmk(host: Host, portgroup: str, address: str, mask: str, mtu: int = 9000) -> str:
    spec = vim.host.VirtualNic.Specification(
        ip=vim.host.IpConfig(dhcp=False, ipAddress=address, subnetMask=mask), mtu=mtu
    )
    return host.ns.AddVirtualNic(portgroup, spec)


def vswitch_spec(nics: list[str], cdp: str | None = None) -> vim.host.VirtualSwitch.Specification:
    ldp = vim.host.LinkDiscoveryProtocolConfig(protocol="cdp", operation=cdp) if cdp else None
    bridge = vim.host.VirtualSwitch.BondBridge(nicDevice=nics, linkDiscoveryProtocolConfig=ldp)
    return vim.host.VirtualSwitch.Specification(numPorts=128, mtu=9000, bridge=bridge)


def per_link(hosts: dict[str, Host], addresses: list[tuple[str, str]], mask: str) -> None:
    """The default layout: one vSwitch + portgroup + vmk per cable on both hosts."""
    for index, (nic, pair) in enumerate(zip(LINK_NICS, addresses), start=1):
        for host, address in zip((hosts[A], hosts[B]), pair):
            name = f"vmesh-{index}"
            host.ns.AddVirtualSwitch(name, vswitch_spec([nic]))
            host.ns.AddPortGroup(
                vim.host.PortGroup.Specification(name=name, vlanId=0, vswitchName=name, policy=failover(nic))
            )
            assert add_vmk(host, name, address, mask) == f"vmk{index}"


def shared(hosts: dict[str, Host], addresses: list[tuple[str, str]]) -> None:
    """The older recipe: all link NICs on one vSwitch, one portgroup per link with one active NIC."""
    for side, host in enumerate((hosts[A], hosts[B])):
        host.ns.AddVirtualSwitch("vmesh-all", vswitch_spec(list(LINK_NICS)))
        for index, nic in enumerate(LINK_NICS, start=1):
            host.ns.AddPortGroup(
                vim.host.PortGroup.Specification(
                    name=f"vmesh-{index}", vlanId=0, vswitchName="vmesh-all", policy=failover(nic)
                )
            )
            add_vmk(host, f"vmesh-{index}", addresses[index - 1][side], "255.255.255.252")


def link_results(hosts: dict[str, Host], addresses: list[tuple[str, str]], *, interface: bool) -> list[bool]:
    """Per link: did a jumbo df ping answer in both directions?"""
    results = []
    for index, (a_ip, b_ip) in enumerate(addresses, start=1):
        vmk = f"vmk{index}" if interface else None
        results.append(hosts[A].ping(b_ip, vmk) == 2 and hosts[B].ping(a_ip, vmk) == 2)
    return results


def test_four_vmks_in_one_slash24_fail_over_https(hosts: dict[str, Host]) -> None:
    per_link(hosts, SLASH24, "255.255.255.0")
    assert link_results(hosts, SLASH24, interface=False) == [True, False, False, False]
    assert link_results(hosts, SLASH24, interface=True) == [True, False, False, False]


def test_one_slash30_per_cable_passes_over_https(hosts: dict[str, Host]) -> None:
    per_link(hosts, SLASH30, "255.255.255.252")
    assert link_results(hosts, SLASH30, interface=True) == [True] * 4
    assert link_results(hosts, SLASH30, interface=False) == [True] * 4


def test_vmk_mtu_1500_answers_message_too_long_over_https(hosts: dict[str, Host]) -> None:
    per_link(hosts, SLASH30, "255.255.255.252")
    hosts[A].ns.UpdateVirtualNic("vmk1", vim.host.VirtualNic.Specification(mtu=1500))
    assert "Message too long" in str(hosts[A].ping("10.99.0.2", "vmk1"))
    assert hosts[A].ping("10.99.0.2", "vmk1", size=1472) == 2
    assert hosts[B].ping("10.99.0.1", "vmk1") == 0, "the far end's small MTU is a timeout"


def _reconnect(lab_host: Any) -> Host:
    for _ in range(100):
        try:
            return Host(lab_host)
        except (OSError, http.client.HTTPException):
            time.sleep(0.05)
    raise AssertionError(f"{lab_host.name} did not come back after the reboot")


def test_shared_layout_fails_after_reboot_task_until_the_portgroup_is_toggled(
    demo: Any, hosts: dict[str, Host]
) -> None:
    shared(hosts, SLASH30)
    assert link_results(hosts, SLASH30, interface=True) == [True] * 4
    boot_before = hosts[A].system.runtime.bootTime
    hosts[A].system.RebootHost_Task(force=True)  # no maintenance mode: forced, as `reboot -f`
    time.sleep(0.2)
    hosts[A].close()
    hosts[A] = _reconnect(demo.host(A))
    assert hosts[A].system.runtime.bootTime > boot_before
    assert link_results(hosts, SLASH30, interface=True) == [True, False, False, False]
    ns: Any = hosts[A].ns  # (pyVmomi stubs type networkInfo and the policy as optional)
    spec = next(p.spec for p in ns.networkInfo.portgroup if p.spec.name == "vmesh-2")
    ns.UpdatePortGroup("vmesh-2", spec)  # the same spec again leaves the quirk
    assert link_results(hosts, SLASH30, interface=True) == [True, False, False, False]
    order = spec.policy.nicTeaming.nicOrder
    order.activeNic, order.standbyNic = [], ["vmnic2"]
    ns.UpdatePortGroup("vmesh-2", spec)
    order.activeNic, order.standbyNic = ["vmnic2"], []
    ns.UpdatePortGroup("vmesh-2", spec)
    assert link_results(hosts, SLASH30, interface=True) == [True, True, False, False]


def test_query_network_hint_shows_the_cdp_peer_over_https() -> None:
    """Both ends set to both: nothing is heard until an advertisement interval (1 s here) has passed."""
    from tests.engine.twinlab import cdp_every
    from vmesh_tui.sim.lab.load import demo_lab
    from vmesh_tui.sim.runner import start_lab

    lab = start_lab(cdp_every(demo_lab(), 1.0))
    hosts = {name: Host(lab.host(name)) for name in (A, B)}
    try:
        started = time.monotonic()
        for host in hosts.values():
            host.ns.AddVirtualSwitch("cdp-vmnic5", vswitch_spec(["vmnic5"], cdp="both"))
        early = [h.ns.QueryNetworkHint(["vmnic5"])[0].connectedSwitchPort for h in hosts.values()]
        if time.monotonic() - started < 1.0:  # asked within the interval (always, unless the box stalls)
            assert early == [None, None]
        time.sleep(max(0.0, started + 1.2 - time.monotonic()))
        for here, there in ((A, B), (B, A)):
            (hint,) = hosts[here].ns.QueryNetworkHint(["vmnic5"])
            port = hint.connectedSwitchPort
            assert hint.device == "vmnic5" and port is not None
            assert (port.devId, port.portId, port.ttl) == (there, "vmnic5", 3)
    finally:
        for host in hosts.values():
            host.close()
        lab.stop()
