"""Reboot (sessions end, same port and certificate, new bootTime, config kept), fault injection
per host and method call, and the per-method request counts."""

from __future__ import annotations

import http.client
import json
import ssl
import time
import xml.etree.ElementTree as ET

import pytest
from pyVim.task import WaitForTask
from pyVmomi import vim


def _host_object(si) -> vim.HostSystem:
    return si.content.rootFolder.childEntity[0].hostFolder.childEntity[0].host[0]


def _wait_until_listening(lab_host, connect, attempts: int = 100):
    for _ in range(attempts):
        try:
            return connect(lab_host)
        except (OSError, http.client.HTTPException):
            time.sleep(0.05)
    raise AssertionError(f"{lab_host.name} did not come back after the reboot")


def _raw_fault_type(lab_host, cookie: str) -> str | None:
    """POST Fetch(ha-host, name) with `cookie` on a new connection; the fault's xsi:type or None."""
    port = int(lab_host.url.rsplit(":", 1)[1].split("/")[0])
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    envelope = (
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>'
        '<Fetch xmlns="urn:vim25"><_this type="HostSystem">ha-host</_this><prop>name</prop></Fetch>'
        "</soapenv:Body></soapenv:Envelope>"
    )
    connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=10)
    try:
        connection.request("POST", "/sdk", envelope.encode(), {"Cookie": cookie, "Content-Type": "text/xml"})
        root = ET.fromstring(connection.getresponse().read())
    finally:
        connection.close()
    detail = root.find(".//detail")
    if detail is None:
        return None
    return next(iter(detail)).get("{http://www.w3.org/2001/XMLSchema-instance}type")


def test_reboot_task_ends_sessions_keeps_config_and_changes_boot_time(small_lab, connect) -> None:
    lab_host = small_lab.host("esx-a.test")
    si = connect(lab_host)
    host = _host_object(si)
    boot_before = host.runtime.bootTime
    host.configManager.networkSystem.AddVirtualSwitch(
        "vmesh-9", vim.host.VirtualSwitch.Specification(numPorts=64, mtu=9000)
    )
    with pytest.raises(vim.fault.InvalidState):  # ESXi: no reboot without force outside maintenance mode
        host.RebootHost_Task(force=False)
    assert host.runtime.bootTime == boot_before and host.runtime.inMaintenanceMode is False
    WaitForTask(host.EnterMaintenanceMode_Task(timeout=0))
    assert host.runtime.inMaintenanceMode is True
    task = host.RebootHost_Task(force=False)
    assert isinstance(task, vim.Task)
    time.sleep(0.3)
    again = _wait_until_listening(lab_host, connect)
    info = vim.Task(task._moId, again._stub).info
    assert info.state == "success" and info.entityName == "esx-a.test"
    assert small_lab.host("esx-a.test").url == lab_host.url
    assert small_lab.host("esx-a.test").thumbprint == lab_host.thumbprint
    # the old cookie, on a fresh connection (the old one was dropped), must meet NotAuthenticated:
    # only that proves the reboot ended the session rather than just closing its socket
    assert _raw_fault_type(lab_host, si._stub.cookie) == "NotAuthenticated"
    new_host = _host_object(again)
    assert new_host.runtime.bootTime > boot_before
    assert new_host.runtime.inMaintenanceMode is True, "maintenance mode survives the reboot"
    assert "vmesh-9" in [s.name for s in new_host.configManager.networkSystem.networkInfo.vswitch]
    WaitForTask(new_host.ExitMaintenanceMode_Task(timeout=0))
    assert new_host.runtime.inMaintenanceMode is False


def test_runner_reboot_is_synchronous(small_lab, connect) -> None:
    lab_host = small_lab.host("esx-b.test")
    boot_before = _host_object(connect(lab_host)).runtime.bootTime
    small_lab.reboot("esx-b.test")
    assert _host_object(connect(lab_host)).runtime.bootTime > boot_before


FAULTS = """
[[fault]]
host = "esx-a.test"
method = "AddVirtualSwitch"
nth = 2

[[fault]]
host = "esx-a.test"
method = "RemoveVirtualSwitch"
kind = "fault"
fault_type = "ResourceInUse"

[[fault]]
host = "esx-b.test"
method = "AddVirtualSwitch"
kind = "lost"

[[fault]]
host = "esx-b.test"
method = "RemoveVirtualSwitch"
kind = "delay"
delay_s = 0.4
"""


@pytest.fixture
def faulty_lab(serve_lab, small_lab_text):
    return serve_lab(small_lab_text + FAULTS)


def _spec() -> vim.host.VirtualSwitch.Specification:
    return vim.host.VirtualSwitch.Specification(numPorts=64)


def test_injected_fault_hits_only_the_nth_call_of_that_method(faulty_lab, connect) -> None:
    ns = _host_object(connect(faulty_lab.host("esx-a.test"))).configManager.networkSystem
    ns.AddVirtualSwitch("first", _spec())
    with pytest.raises(vim.fault.HostConfigFault):
        ns.AddVirtualSwitch("second", _spec())
    ns.AddVirtualSwitch("third", _spec())
    names = [s.name for s in ns.networkInfo.vswitch]
    assert "second" not in names and {"first", "third"} <= set(names)
    with pytest.raises(vim.fault.ResourceInUse):
        ns.RemoveVirtualSwitch("first")
    assert "first" in [s.name for s in ns.networkInfo.vswitch]


def test_lost_reply_applies_the_call_then_drops_the_connection(faulty_lab, connect) -> None:
    ns = _host_object(connect(faulty_lab.host("esx-b.test"))).configManager.networkSystem
    with pytest.raises((OSError, http.client.HTTPException)):
        ns.AddVirtualSwitch("applied-anyway", _spec())
    assert "applied-anyway" in [s.name for s in ns.networkInfo.vswitch]


def test_delay_answers_late(faulty_lab, connect) -> None:
    ns = _host_object(connect(faulty_lab.host("esx-b.test"))).configManager.networkSystem
    started = time.monotonic()
    with pytest.raises(vim.fault.NotFound):
        ns.RemoveVirtualSwitch("does-not-exist")
    assert time.monotonic() - started >= 0.4


def test_stats_count_requests_per_host_and_method(faulty_lab, connect, tmp_path) -> None:
    si = connect(faulty_lab.host("esx-a.test"))
    _host_object(si).configManager.networkSystem.AddVirtualSwitch("counted", _spec())
    path = tmp_path / "stats.json"
    faulty_lab.write_stats(path)
    document = json.loads(path.read_text())
    counts = document["hosts"]["esx-a.test"]
    assert counts["Login"] == 1 and counts["RetrieveServiceContent"] >= 1
    assert counts["AddVirtualSwitch"] == 1 and counts["Fetch"] >= 4
    assert document["hosts"]["esx-b.test"] == {}
    assert document == faulty_lab.stats()


def test_calls_refused_for_no_session_are_not_counted_and_consume_no_fault(faulty_lab, connect) -> None:
    from pyVmomi import SoapStubAdapter

    lab_host = faulty_lab.host("esx-a.test")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    port = int(lab_host.url.rsplit(":", 1)[1].split("/")[0])
    anonymous = SoapStubAdapter(
        host="127.0.0.1", port=port, version="vim.version.v8_0_3_0", sslContext=context
    )
    stray = vim.host.NetworkSystem("networkSystem", anonymous)
    for _ in range(3):
        with pytest.raises(vim.fault.NotAuthenticated):
            stray.AddVirtualSwitch("never", _spec())
    assert "AddVirtualSwitch" not in faulty_lab.stats()["hosts"]["esx-a.test"]
    ns = _host_object(connect(lab_host)).configManager.networkSystem
    ns.AddVirtualSwitch("first", _spec())
    with pytest.raises(vim.fault.HostConfigFault):  # nth = 2 is still the 2nd call with a session
        ns.AddVirtualSwitch("second", _spec())
    assert faulty_lab.stats()["hosts"]["esx-a.test"]["AddVirtualSwitch"] == 2
