"""The twin against vcsim (VMware's govmomi simulator, ESX mode): the same discovery reads, the same
effects of vSwitch/portgroup calls and the same fault types (also for unknown methods and objects and
malformed XML: both answer InvalidRequest / ManagedObjectNotFound like real ESXi). Skipped when vcsim
is not built, except under CI=true."""

from __future__ import annotations

import functools
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
        (type(o).__name__, o._moId, "" if isinstance(o, (vim.ComputeResource, vim.HostSystem)) else o.name)
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


def test_add_vswitch_mtu_9000_is_kept_by_the_twin_and_dropped_by_vcsim(both: dict[str, Any]) -> None:
    spec = vim.host.VirtualSwitch.Specification(numPorts=128, mtu=9000)
    seen = {}
    for name, si in both.items():
        ns = _host(si).configManager.networkSystem
        ns.AddVirtualSwitch("vmesh-fid-mtu", spec)
        vswitch = next(s for s in ns.networkInfo.vswitch if s.name == "vmesh-fid-mtu")
        seen[name] = (vswitch.mtu, vswitch.spec.mtu if vswitch.spec is not None else None)
        ns.RemoveVirtualSwitch("vmesh-fid-mtu")
    # real ESXi stores the spec (jumbo frames depend on it); vcsim ignores AddVirtualSwitch's spec
    # entirely (it appends a HostVirtualSwitch with only the name), so this is a known, asserted difference
    assert seen["twin"] == (9000, 9000)
    assert seen["vcsim"] == (None, None)


def test_duplicate_names_vswitch_alike_portgroup_differs(both: dict[str, Any]) -> None:
    faults = {}
    for name, si in both.items():
        ns = _host(si).configManager.networkSystem
        spec = vim.host.VirtualSwitch.Specification(numPorts=128)
        ns.AddVirtualSwitch("vmesh-fid-dup", spec)
        pg = vim.host.PortGroup.Specification(
            name="vmesh-fid-dup-pg", vlanId=0, vswitchName="vmesh-fid-dup", policy=vim.host.NetworkPolicy()
        )
        ns.AddPortGroup(pg)
        vswitch_again = _fault_of(functools.partial(ns.AddVirtualSwitch, "vmesh-fid-dup", spec))
        portgroup_again = _fault_of(functools.partial(ns.AddPortGroup, pg))
        faults[name] = (vswitch_again, portgroup_again)
        ns.RemovePortGroup("vmesh-fid-dup-pg")
        ns.RemoveVirtualSwitch("vmesh-fid-dup")
    # a second vSwitch of the same name: AlreadyExists on real ESXi, vcsim and the twin alike
    assert faults["twin"][0] == faults["vcsim"][0] == "vim.fault.AlreadyExists"
    # a second portgroup of the same name: real ESXi (and the twin) say AlreadyExists; vcsim says
    # DuplicateName, because it models a portgroup as a Network entity in the datacenter's network
    # folder and trips over the folder's name check first. The twin follows ESXi, not vcsim.
    assert faults["twin"][1] == "vim.fault.AlreadyExists"
    assert faults["vcsim"][1] == "vim.fault.DuplicateName"


def test_query_network_hint_matches_where_vcsim_implements_it(both: dict[str, Any]) -> None:
    hints = {}
    for name, si in both.items():
        found = _host(si).configManager.networkSystem.QueryNetworkHint(["vmnic0", "vmnic1"])
        hints[name] = {h.device: h for h in found}
    for name in ("twin", "vcsim"):
        assert sorted(hints[name]) == ["vmnic0", "vmnic1"]
        assert all(isinstance(h, vim.host.PhysicalNic.NetworkHint) for h in hints[name].values())
        # vmnic1 is an unused NIC (the twin: a cable, no vSwitch): nothing heard on either
        assert hints[name]["vmnic1"].connectedSwitchPort is None and hints[name]["vmnic1"].lldpInfo is None
    # vcsim has no CDP at all; the twin's vmnic0 is a listening uplink on the switch "core", so it hears it
    assert hints["vcsim"]["vmnic0"].connectedSwitchPort is None
    assert hints["twin"]["vmnic0"].connectedSwitchPort.devId == "core"


def test_update_network_config_modify_matches_where_vcsim_implements_it(both: dict[str, Any]) -> None:
    results = {}
    for name, si in both.items():
        ns = _host(si).configManager.networkSystem
        before = sorted(s.name for s in ns.networkInfo.vswitch)
        empty = ns.UpdateNetworkConfig(vim.host.NetworkConfig(), "modify")
        unchanged = sorted(s.name for s in ns.networkInfo.vswitch) == before
        add = vim.host.NetworkConfig(
            vswitch=[
                vim.host.VirtualSwitch.Config(
                    changeOperation="add",
                    name="vmesh-fid-unc",
                    spec=vim.host.VirtualSwitch.Specification(numPorts=128, mtu=9000),
                )
            ]
        )
        added = ns.UpdateNetworkConfig(add, "modify")
        applied = "vmesh-fid-unc" in [s.name for s in ns.networkInfo.vswitch]
        if applied:
            ns.RemoveVirtualSwitch("vmesh-fid-unc")
        results[name] = (
            type(empty).__name__,
            list(empty.vnicDevice),
            unchanged,
            type(added).__name__,
            applied,
        )
    # the same answer to an empty modify (a Result with no new vmks, nothing changed) ...
    assert results["twin"][:4] == results["vcsim"][:4]
    assert results["twin"][:3] == ("vim.host.NetworkConfig.Result", [], True)
    # ... but vcsim only stores the config it is sent and changes nothing; the twin applies it like ESXi
    assert results["twin"][4] is True and results["vcsim"][4] is False


def _names(network: Any) -> tuple[list[str], list[str]]:
    return sorted(s.name for s in network.vswitch or []), sorted(p.spec.name for p in network.portgroup or [])


def test_config_network_against_network_info_after_changes(both: dict[str, Any]) -> None:
    """After a change, HostNetworkSystem.networkInfo shows it on both. HostSystem.config.network, a copy,
    shows it on the twin (as on an ESXi host read directly) but not on vcsim: vcsim's HostNetworkSystem
    methods update networkInfo only, so its config.network stays as it was at start. A vCenter's
    config.network is likewise a cached copy, refreshed asynchronously; the tool therefore reads networkInfo.
    """
    findings = {}
    for name, si in both.items():
        host = _host(si)
        ns = host.configManager.networkSystem
        assert "vmesh-fid-copy" not in _names(host.config.network)[0]  # read once before: a copy made then
        ns.AddVirtualSwitch("vmesh-fid-copy", vim.host.VirtualSwitch.Specification(numPorts=128))
        pg = vim.host.PortGroup.Specification(
            name="vmesh-fid-copy-pg", vlanId=0, vswitchName="vmesh-fid-copy", policy=vim.host.NetworkPolicy()
        )
        ns.AddPortGroup(pg)
        try:
            info, copy = _names(ns.networkInfo), _names(host.config.network)
        finally:
            ns.RemovePortGroup("vmesh-fid-copy-pg")
            ns.RemoveVirtualSwitch("vmesh-fid-copy")
        assert "vmesh-fid-copy" in info[0] and "vmesh-fid-copy-pg" in info[1], (name, info)
        findings[name] = [
            f"config.network lacks {what}"
            for what, present in (
                ("the vSwitch", "vmesh-fid-copy" in copy[0]),
                ("the portgroup", "vmesh-fid-copy-pg" in copy[1]),
            )
            if not present
        ]
    assert findings["twin"] == []
    # the explained finding: vcsim's config.network is stale after its own HostNetworkSystem calls
    assert findings["vcsim"] == ["config.network lacks the vSwitch", "config.network lacks the portgroup"]
