"""The API version handshake: GET /sdk/vimServiceVersions.xml (where the certificate is checked, before
any credential), and the newest vim25 version both sides speak."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from pyVmomi import VmomiSupport

from vmesh_tui.vsphere.errors import NotVSphere
from vmesh_tui.vsphere.guard import CallGuard, GuardedHTTPSConnection
from vmesh_tui.vsphere.targets import Target
from vmesh_tui.vsphere.tls import PinnedContext


def service_versions(target: Target, context: PinnedContext, guard: CallGuard) -> ET.Element:
    connection = GuardedHTTPSConnection(
        target.address, target.port, context=context, timeout=guard.timeout, guard=guard
    )
    try:
        connection.request("GET", "/sdk/vimServiceVersions.xml")
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    try:
        root = ET.fromstring(body) if response.status == 200 else None
    except ET.ParseError:
        root = None
    if root is None or root.tag != "namespaces":
        raise NotVSphere(
            f"{target.endpoint} answers HTTPS but is not a vSphere endpoint (no /sdk/vimServiceVersions.xml)",
            "point the URL at an ESXi host or a vCenter Server",
        )
    return root


def choose_version(root: ET.Element) -> str:
    """The newest vim25 version that both pyVmomi and the server speak (as SmartConnect picks it)."""
    offered: set[str] = set()
    for namespace in root.findall("namespace"):
        offered.update(v.text or "" for v in namespace.findall("version"))
        offered.update(v.text or "" for v in namespace.findall("priorVersions/version"))
    for version in VmomiSupport.GetServiceVersions("vim25"):
        if VmomiSupport.versionIdMap.get(version) in offered:
            return str(version)
    raise NotVSphere("the endpoint speaks no vSphere API version that this tool knows", "update pyVmomi")
