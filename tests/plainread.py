"""An independent view of a host's networking for the safety tests: stock pyVmomi, nothing of vmesh_tui.

It reads HostNetworkSystem.networkInfo and the vMotion selection the way an admin's script would and
returns plain data, so a test compares what the host holds with what it held before, never through the
tool's own reader. (The shared reader under tests/ replaces this once it lands.)
"""

from __future__ import annotations

import ssl
from typing import Any
from urllib.parse import urlsplit

from pyVim.connect import Disconnect, SmartConnect

View = dict[str, Any]


def read_host(url: str, user: str, password: str) -> View:
    """vSwitches, portgroups and vmks of the one host behind ``url``, as plain tuples and dicts."""
    parts = urlsplit(url)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # a loopback test endpoint with a self-signed certificate
    si = SmartConnect(
        host=parts.hostname, port=parts.port or 443, user=user, pwd=password, sslContext=context
    )
    try:
        content = si.RetrieveContent()
        host = content.rootFolder.childEntity[0].hostFolder.childEntity[0].host[0]
        info = host.configManager.networkSystem.networkInfo
        selected = host.configManager.virtualNicManager.info.netConfig or []
        vmotion = {
            key.split("-")[-1] if key.startswith("VMotionConfig.vmotion.") else key
            for config in selected
            if config.nicType == "vmotion"
            for key in (config.selectedVnic or [])
        }
        vswitches = {
            s.name: (s.mtu, tuple(s.spec.bridge.nicDevice) if s.spec.bridge else ())
            for s in info.vswitch or []
        }
        portgroups = {}
        for group in info.portgroup or []:
            order = group.spec.policy.nicTeaming.nicOrder if group.spec.policy.nicTeaming else None
            active = tuple(order.activeNic or ()) if order else None
            standby = tuple(order.standbyNic or ()) if order else None
            portgroups[group.spec.name] = (group.spec.vswitchName, active, standby)
        vmks = {
            v.device: (v.portgroup, v.spec.ip.ipAddress, v.spec.ip.subnetMask, v.spec.mtu)
            for v in info.vnic or []
        }
        return {"vswitches": vswitches, "portgroups": portgroups, "vmks": vmks, "vmotion": len(vmotion)}
    finally:
        Disconnect(si)


def read_lab(lab: Any) -> dict[str, View]:
    """Every host of a running twin lab, by name."""
    return {h.name: read_host(h.url, h.user, h.password) for h in lab.hosts}


def owned(view: View, prefix: str = "vmesh-") -> list[str]:
    """The names of the tool's objects a view shows (vSwitches, portgroups, vmks on its portgroups)."""
    names = [n for n in (*view["vswitches"], *view["portgroups"]) if n.startswith(prefix)]
    names += [d for d, v in view["vmks"].items() if v[0].startswith(prefix)]
    return sorted(names)
