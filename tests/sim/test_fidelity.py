"""The twin against vcsim (VMware's govmomi simulator, ESX mode): the same discovery reads, the same
effects of vSwitch/portgroup calls and the same fault types (also for unknown methods and objects and
malformed XML: both answer InvalidRequest / ManagedObjectNotFound like real ESXi). Skipped when vcsim
is not built, except under CI=true."""

from __future__ import annotations

import json
import os
import ssl
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pyVim.connect import Disconnect, SmartConnect
from pyVmomi import vim, vmodl

LAUNCHER = Path(__file__).parents[1] / "vcsim" / "bin" / "vcsim-launch"
PC = vmodl.query.PropertyCollector
DISCOVERY_PATHS = [
    "name",
    "config.network",
    "runtime.bootTime",
    "runtime.connectionState",
    "config.product",
    "configManager.networkSystem",
    "configManager.virtualNicManager",
    "summary.config.product",
]

pytestmark = pytest.mark.vcsim


def _context() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def _login(url: str, user: str, password: str) -> Any:
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    return SmartConnect(host="127.0.0.1", port=port, user=user, pwd=password, sslContext=_context())


@pytest.fixture(scope="module")
def vcsim() -> Iterator[dict[str, str]]:
    if not LAUNCHER.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"vcsim launcher missing under CI: {LAUNCHER} (bash tests/vcsim/build.sh)")
        pytest.skip("vcsim launcher not built (bash tests/vcsim/build.sh)")
    password = "vcsim-fidelity-1"
    process = subprocess.Popen(
        [str(LAUNCHER), "-mode", "esx", "-port", "0"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "VCSIM_PASSWORD": password},
    )
    assert process.stdout is not None
    info = json.loads(process.stdout.readline())
    yield {"url": info["url"], "user": info.get("user", "root"), "password": password}
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def both(vcsim: dict[str, str], small_lab: Any) -> Iterator[dict[str, Any]]:
    """A logged-in ServiceInstance on vcsim and on the twin."""
    twin_host = small_lab.host("esx-a.test")
    sessions = {
        "vcsim": _login(vcsim["url"], vcsim["user"], vcsim["password"]),
        "twin": _login(twin_host.url, twin_host.user, twin_host.password),
    }
    yield sessions
    for si in sessions.values():
        Disconnect(si)


def _host(si: Any) -> vim.HostSystem:
    return si.content.rootFolder.childEntity[0].hostFolder.childEntity[0].host[0]


def _shape(si: Any) -> list[tuple[str, str, str]]:
    content = si.RetrieveContent()
    datacenter = content.rootFolder.childEntity[0]
    compute = datacenter.hostFolder.childEntity[0]
    objects = [content.rootFolder, datacenter, datacenter.hostFolder, compute, compute.host[0]]
    return [
        (type(o).__name__, o._moId, o.name if not isinstance(o, vim.ComputeResource | vim.HostSystem) else "")
        for o in objects
    ]


def test_inventory_shape_and_about(both: dict[str, Any]) -> None:
    assert _shape(both["twin"]) == _shape(both["vcsim"])
    assert both["twin"].content.about.apiType == both["vcsim"].content.about.apiType == "HostAgent"


def test_discovery_read_returns_the_same_paths_and_types(both: dict[str, Any]) -> None:
    seen = {}
    for name, si in both.items():
        content = si.RetrieveContent()
        view = content.viewManager.CreateContainerView(content.rootFolder, [vim.HostSystem], True)
        traverse = PC.TraversalSpec(name="t", type=vim.view.ContainerView, path="view", skip=False)
        spec = PC.FilterSpec(
            objectSet=[PC.ObjectSpec(obj=view, skip=True, selectSet=[traverse])],
            propSet=[PC.PropertySpec(type=vim.HostSystem, pathSet=DISCOVERY_PATHS)],
        )
        result = content.propertyCollector.RetrievePropertiesEx([spec], PC.RetrieveOptions())
        seen[name] = {p.name: type(p.val).__name__ for p in result.objects[0].propSet}
        view.DestroyView()
    assert seen["twin"] == seen["vcsim"]


def _fault_of(call: Callable[[], Any]) -> str:
    try:
        call()
    except vmodl.MethodFault as fault:
        return type(fault).__name__
    return "ok"


def _scenario(ns: vim.host.NetworkSystem) -> list[tuple[str, Any]]:
    """vSwitch and portgroup calls as the tool makes them, with their effects and faults."""
    pg = vim.host.PortGroup.Specification(
        name="vmesh-fid-pg", vlanId=0, vswitchName="vmesh-fid", policy=vim.host.NetworkPolicy()
    )
    stray = vim.host.PortGroup.Specification(
        name="stray", vlanId=0, vswitchName="no-such-vswitch", policy=vim.host.NetworkPolicy()
    )
    spec = vim.host.VirtualSwitch.Specification(numPorts=128)
    steps: list[tuple[str, Any]] = [
        ("add vswitch", _fault_of(lambda: ns.AddVirtualSwitch("vmesh-fid", spec)))
    ]
    steps.append(("vswitch listed", "vmesh-fid" in [s.name for s in ns.networkInfo.vswitch]))
    steps.append(("add vswitch again", _fault_of(lambda: ns.AddVirtualSwitch("vmesh-fid", spec))))
    steps.append(("add portgroup", _fault_of(lambda: ns.AddPortGroup(pg))))
    steps.append(("portgroup listed", "vmesh-fid-pg" in [p.spec.name for p in ns.networkInfo.portgroup]))
    duplicate = _fault_of(lambda: ns.AddPortGroup(pg))
    steps.append(("add portgroup again", duplicate in ("AlreadyExists", "DuplicateName")))
    steps.append(("add portgroup to missing vswitch", _fault_of(lambda: ns.AddPortGroup(stray))))
    steps.append(("remove portgroup", _fault_of(lambda: ns.RemovePortGroup("vmesh-fid-pg"))))
    steps.append(("portgroup gone", "vmesh-fid-pg" not in [p.spec.name for p in ns.networkInfo.portgroup]))
    steps.append(("remove portgroup again", _fault_of(lambda: ns.RemovePortGroup("vmesh-fid-pg"))))
    steps.append(("remove vswitch", _fault_of(lambda: ns.RemoveVirtualSwitch("vmesh-fid"))))
    steps.append(("vswitch gone", "vmesh-fid" not in [s.name for s in ns.networkInfo.vswitch]))
    steps.append(("remove vswitch again", _fault_of(lambda: ns.RemoveVirtualSwitch("vmesh-fid"))))
    return steps


def test_vswitch_and_portgroup_effects_and_faults_match(both: dict[str, Any]) -> None:
    twin = _scenario(_host(both["twin"]).configManager.networkSystem)
    reference = _scenario(_host(both["vcsim"]).configManager.networkSystem)
    assert twin == reference
    assert dict(twin)["remove vswitch again"] == "vim.fault.NotFound"


def test_login_and_session_faults_match(vcsim: dict[str, str], small_lab: Any) -> None:
    twin_host = small_lab.host("esx-a.test")
    for url, user in ((vcsim["url"], vcsim["user"]), (twin_host.url, twin_host.user)):
        with pytest.raises(vim.fault.InvalidLogin):
            _login(url, user, "not-the-password")


def _raw_fault(url: str, cookie: str, body: str) -> str | None:
    """POST a raw SOAP body; the xsi:type of the fault detail (None for a success)."""
    import http.client
    import xml.etree.ElementTree as ET

    port = int(url.rsplit(":", 1)[1].split("/")[0])
    envelope = (
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">'
        f"<soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"
    )
    connection = http.client.HTTPSConnection("127.0.0.1", port, context=_context(), timeout=10)
    connection.request("POST", "/sdk", envelope.encode(), {"Cookie": cookie, "Content-Type": "text/xml"})
    response = connection.getresponse()
    root = ET.fromstring(response.read())
    connection.close()
    detail = root.find(".//detail")
    if detail is None:
        return None
    return next(iter(detail)).get("{http://www.w3.org/2001/XMLSchema-instance}type")


@pytest.mark.parametrize(
    "body",
    [
        '<NoSuchMethod xmlns="urn:vim25"><_this type="HostSystem">ha-host</_this></NoSuchMethod>',
        '<RefreshNetworkSystem xmlns="urn:vim25"><_this type="HostNetworkSystem">x</_this>'
        "</RefreshNetworkSystem>",
        "<NotClosed",
    ],
    ids=["unknown-method", "unknown-object", "malformed"],
)
def test_bad_requests_get_the_same_fault_types(both: dict[str, Any], body: str) -> None:
    types = {name: _raw_fault(_url_of(si), si._stub.cookie, body) for name, si in both.items()}
    assert types["twin"] == types["vcsim"] is not None


def _url_of(si: Any) -> str:
    return f"https://{si._stub.host}/sdk"
