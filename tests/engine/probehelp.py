"""Probe test helpers: the probe labs, and an independent reader of every host's network configuration.

The reader is stock pyVmomi on HostNetworkSystem.networkInfo (plus the vNIC manager's selection), one
fresh session per read, serialized as on the wire: it shares no code with the tool.
"""

from __future__ import annotations

import contextlib
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

LABS = Path(__file__).resolve().parent.parent / "labs"
CROSSED = LABS / "crossed.toml"
MESH3 = LABS / "mesh3.toml"

A, B = "esx-a.lab.local", "esx-b.lab.local"
CROSSED_CABLES = [
    (f"{A}/vmnic1", f"{B}/vmnic1"),
    (f"{A}/vmnic2", f"{B}/vmnic4"),
    (f"{A}/vmnic4", f"{B}/vmnic2"),
]
MESH_CABLES = sorted(
    (f"{a.replace('/', '.lab.local/')}", f"{b.replace('/', '.lab.local/')}")
    for a, b in [
        ("h1/vmnic1", "h2/vmnic2"),
        ("h1/vmnic2", "h2/vmnic1"),
        ("h1/vmnic3", "h3/vmnic1"),
        ("h1/vmnic4", "h3/vmnic2"),
        ("h2/vmnic3", "h3/vmnic4"),
        ("h2/vmnic4", "h3/vmnic3"),
    ]
)


def lab_spec(path: Path, **changes: Any) -> Any:
    """A lab file parsed by the twin, with fields of its LabSpec replaced (e.g. faults=...)."""
    import dataclasses

    from vmesh_tui.sim.lab.load import load_lab

    return dataclasses.replace(load_lab(path), **changes)


@contextlib.contextmanager
def _host_system(host: Any) -> Iterator[Any]:
    """The twin host's HostSystem through a fresh stock pyVmomi session (logged out afterwards)."""
    from pyVim.connect import Disconnect, SmartConnect

    port = int(host.url.rsplit(":", 1)[1].split("/")[0])
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    si = SmartConnect(host="127.0.0.1", port=port, user=host.user, pwd=host.password, sslContext=context)
    try:
        yield si.content.rootFolder.childEntity[0].hostFolder.childEntity[0].host[0]
    finally:
        with contextlib.suppress(Exception):
            Disconnect(si)


def read_networks(lab: Any) -> dict[str, str]:
    """Every host's networkInfo and vMotion selection, read with plain pyVmomi, serialized."""
    from pyVmomi.SoapAdapter import Serialize

    found = {}
    for host in lab.hosts:
        with _host_system(host) as system:
            network = system.configManager.networkSystem.networkInfo
            selection = system.configManager.virtualNicManager.info.netConfig
            parts = [Serialize(network), *(Serialize(c) for c in selection or [])]
            found[host.name] = "".join(p.decode() if isinstance(p, bytes) else p for p in parts)
    return found


def vswitch_names(lab: Any) -> dict[str, list[str]]:
    """Each host's vSwitch names, read with plain pyVmomi."""
    found = {}
    for host in lab.hosts:
        with _host_system(host) as system:
            found[host.name] = [v.name for v in system.configManager.networkSystem.networkInfo.vswitch]
    return found
