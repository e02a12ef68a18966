"""The twin's default host against a real ESXi host's capture (govmomi's simulator/esx), kind by kind.

govmomi ships what `govc host.info -dump` read from a real host (ESXi 6.5). esxshape (Go, built by
build.sh) marshals that capture with govmomi's own XML encoder; the twin's values are read raw off the
wire (RetrievePropertiesEx). Per element path (vswitch.spec.policy.nicTeaming, pnic, vnic.spec, ...)
the test compares which child fields are present: set, or present and empty. Values are not compared.
Every difference must be in ALLOWED with the reason it stays (docs/twin-model.md repeats them).
"""

from __future__ import annotations

import http.client
import json
import ssl
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any
from xml.sax.saxutils import escape

import pytest
from pyVim.connect import Disconnect, SmartConnect
from pyVmomi import vim

from tests.govmomi.conftest import ESXSHAPE

Shape = dict[str, set[str]]  # element path -> names of the child elements seen there
TWIN_PATHS = {  # (managed object type, property path) -> the capture's kind
    ("HostSystem", "config.network"): "networkInfo",
    ("HostSystem", "config.virtualNicManagerInfo"): "virtualNicManagerInfo",
    ("HostSystem", "config.product"): "product",
    ("HostSystem", "runtime"): "runtime",
    ("HostNetworkSystem", "capabilities"): "capabilities",
}

NO_GATEWAY = "Labs name no gateway: the twin's hosts have none (pings off the vmks' subnets fail)."
STATIC_DNS = (
    "Labs name no DNS server: the twin's DNS is static, with no servers; virtualNicDevice comes with DHCP."
)
FIXED_TEAMING = (
    "The capture's Management Network overrides its whole teaming (as the Host Client writes it); the "
    "demo's portgroups override nothing, and the twin sends exactly what a portgroup sets."
)
GO_ZERO = "The capture's Go type drops a zero percentage (omitempty), so it cannot say; the twin sends 0."
# (kind, element path, field, "capture only" | "twin only") -> why the difference stays
ALLOWED: dict[tuple[str, str, str, str], str] = {
    ("networkInfo", "dnsConfig", "address", "capture only"): STATIC_DNS,
    ("networkInfo", "dnsConfig", "virtualNicDevice", "capture only"): STATIC_DNS,
    ("networkInfo", "netStackInstance.dnsConfig", "address", "capture only"): STATIC_DNS,
    ("networkInfo", "netStackInstance.dnsConfig", "virtualNicDevice", "capture only"): STATIC_DNS,
    ("networkInfo", "ipRouteConfig", "defaultGateway", "capture only"): NO_GATEWAY,
    ("networkInfo", "netStackInstance.ipRouteConfig", "defaultGateway", "capture only"): NO_GATEWAY,
    ("networkInfo", "pnic", "fcoeConfiguration", "capture only"): "The twin models no FCoE-capable NICs.",
    ("networkInfo", "pnic.spec", "linkSpeed", "capture only"): (
        "The capture's vmxnet3 NICs cannot auto-negotiate, so their speed is fixed; the twin's NICs "
        "auto-negotiate and spec.linkSpeed is set only by UpdatePhysicalNicLinkSpeed (unset = auto)."
    ),
    ("networkInfo", "portgroup.spec.policy.nicTeaming", "nicOrder", "capture only"): FIXED_TEAMING,
    ("networkInfo", "portgroup.spec.policy.nicTeaming", "notifySwitches", "capture only"): FIXED_TEAMING,
    ("networkInfo", "portgroup.spec.policy.nicTeaming", "policy", "capture only"): FIXED_TEAMING,
    ("networkInfo", "portgroup.spec.policy.nicTeaming", "rollingOrder", "capture only"): FIXED_TEAMING,
    ("networkInfo", "portgroup.spec.policy.nicTeaming.failureCriteria", "checkBeacon", "capture only"): (
        FIXED_TEAMING
    ),
    ("networkInfo", "portgroup.computedPolicy.nicTeaming.failureCriteria", "percentage", "twin only"): (
        GO_ZERO
    ),
    ("networkInfo", "vswitch.spec.policy.nicTeaming.failureCriteria", "percentage", "twin only"): GO_ZERO,
    ("networkInfo", "vswitch.spec", "mtu", "twin only"): (
        "The installer's vSwitch0 leaves spec.mtu unset (both captures); the twin always sends the MTU it "
        "applies, so a read-modify-write of the spec keeps it. Clients read vswitch.mtu."
    ),
    ("runtime", "", "bootTime", "twin only"): (
        "The capture leaves bootTime out (vcsim sets it when it creates a host); real hosts send it and "
        "the tool detects reboots by it."
    ),
    ("runtime", "", "healthSystemRuntime", "capture only"): "The twin models no hardware sensors.",
    ("runtime", "", "hostMaxVirtualDiskCapacity", "capture only"): "The twin models no storage.",
    ("runtime", "", "vsanRuntimeInfo", "capture only"): "The twin models no vSAN.",
}


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def shape_of(element: ET.Element) -> Shape:
    """The child names at every element path below `element` (array items merged)."""
    shape: Shape = {}

    def walk(node: ET.Element, path: str) -> None:
        names = shape.setdefault(path, set())
        for child in node:
            name = _local(child.tag)
            names.add(name)
            walk(child, f"{path}.{name}" if path else name)

    walk(element, "")
    return shape


def differences(kind: str, capture: Shape, twin: Shape) -> set[tuple[str, str, str, str]]:
    found: set[tuple[str, str, str, str]] = set()
    for path in sorted(set(capture) & set(twin)):
        found |= {(kind, path, field, "capture only") for field in capture[path] - twin[path]}
        found |= {(kind, path, field, "twin only") for field in twin[path] - capture[path]}
    return found


@pytest.fixture(scope="module")
def capture(govmomi_built: None) -> dict[str, Shape]:
    done = subprocess.run([str(ESXSHAPE)], capture_output=True, text=True, timeout=60, check=True)
    documents: dict[str, str] = json.loads(done.stdout)
    shapes = {}
    for kind, document in documents.items():
        value = next(iter(ET.fromstring(document)))  # <val><Value>...</Value></val>
        shapes[kind] = shape_of(value)
    return shapes


def _raw_retrieve(host: Any, cookie: str, network_system: str) -> bytes:
    props = {"HostSystem": [], "HostNetworkSystem": []}  # type: dict[str, list[str]]
    for kind, path in TWIN_PATHS:
        props[kind].append(path)
    prop_sets = "".join(
        f"<propSet><type>{kind}</type>{''.join(f'<pathSet>{p}</pathSet>' for p in paths)}</propSet>"
        for kind, paths in props.items()
    )
    objects = (
        '<objectSet><obj type="HostSystem">ha-host</obj></objectSet>'
        f'<objectSet><obj type="HostNetworkSystem">{escape(network_system)}</obj></objectSet>'
    )
    body = (
        '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope '
        'xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>'
        '<RetrievePropertiesEx xmlns="urn:vim25">'
        '<_this type="PropertyCollector">ha-property-collector</_this>'
        f"<specSet>{prop_sets}{objects}</specSet><options></options></RetrievePropertiesEx>"
        "</soapenv:Body></soapenv:Envelope>"
    ).encode()
    port = int(host.url.rsplit(":", 1)[1].split("/")[0])
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=30)
    try:
        connection.request("POST", "/sdk", body, {"Content-Type": "text/xml", "Cookie": cookie})
        response = connection.getresponse()
        data = response.read()
        assert response.status == 200, data[:500]
        return data
    finally:
        connection.close()


@pytest.fixture
def twin_shapes(twin: Any) -> Iterator[dict[str, Shape]]:
    """The demo lab's first host, read raw off the wire (pyVmomi only logs in and finds the objects)."""
    host = twin.hosts[0]
    si = SmartConnect(
        host="127.0.0.1", port=int(host.url.rsplit(":", 1)[1].split("/")[0]), user=host.user,
        pwd=host.password, disableSslCertValidation=True,
    )  # fmt: skip
    try:
        host_system = si.content.rootFolder.childEntity[0].hostFolder.childEntity[0].host[0]
        assert isinstance(host_system, vim.HostSystem)
        data = _raw_retrieve(host, si._stub.cookie, host_system.configManager.networkSystem._moId)
    finally:
        Disconnect(si)
    shapes: dict[str, Shape] = {}
    for obj in ET.fromstring(data).iter("{urn:vim25}objects"):
        kind = obj.find("{urn:vim25}obj").get("type")  # type: ignore[union-attr]
        for prop in obj.iter("{urn:vim25}propSet"):
            name = prop.findtext("{urn:vim25}name") or ""
            val = prop.find("{urn:vim25}val")
            assert val is not None
            shapes[TWIN_PATHS[(str(kind), name)]] = shape_of(val)
    yield shapes


def test_twin_default_host_has_the_shape_of_a_real_host(capture: dict[str, Shape], twin_shapes: Any) -> None:
    assert set(twin_shapes) == set(capture)
    found: set[tuple[str, str, str, str]] = set()
    for kind in sorted(capture):
        found |= differences(kind, capture[kind], twin_shapes[kind])
    unexplained = sorted(found - set(ALLOWED))
    fixed = sorted(set(ALLOWED) - found)
    assert not unexplained, "differences from the real host's capture, not in ALLOWED:\n" + "\n".join(
        f"{k} {p or '(top)'} {f}: {s}" for k, p, f, s in unexplained
    )
    assert not fixed, f"ALLOWED lists differences that are gone (remove them): {fixed}"
