"""The naive pyVmomi script admins write today, as a baseline and as an independent state reader.

`discover` walks attributes the way most samples do (`host.config.network.pnic`, then `.vswitch`, ...):
every attribute of a managed object is its own request (a hidden `Fetch`), hosts one after the other.
`state` prints the same normalised network state (used to check that the peer and vmesh-tui made the
same change). `reboot HOST` reboots one twin host and waits for it to answer again.

Hosts come as JSON in the file named by --hosts (name, url, user); the password from VMESH_PASSWORD.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from pyVim.connect import Disconnect, SmartConnect
from pyVmomi import vim

OWNED_PREFIX = "vmesh-"


def connect(entry: dict[str, str], password: str) -> Any:
    address, port = entry["url"].split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)
    return SmartConnect(
        host=address, port=int(port), user=entry["user"], pwd=password, disableSslCertValidation=True
    )


def first_host(si: Any) -> Any:
    content = si.RetrieveContent()
    view = content.viewManager.CreateContainerView(content.rootFolder, [vim.HostSystem], True)
    return view.view[0]


def walk_host(host: Any) -> dict[str, Any]:
    """Read what discovery needs, attribute by attribute, as a typical script does."""
    nics = []
    for pnic in host.config.network.pnic:
        nics.append({"device": pnic.device, "link_mb": pnic.linkSpeed.speedMb if pnic.linkSpeed else 0})
    vswitches = {}
    for vswitch in host.config.network.vswitch:
        bridge = vswitch.spec.bridge
        discovery = getattr(bridge, "linkDiscoveryProtocolConfig", None)
        vswitches[vswitch.name] = {
            "mtu": vswitch.mtu,
            "uplinks": sorted(getattr(bridge, "nicDevice", None) or []),
            "cdp": discovery.operation if discovery else None,
        }
    portgroups = {}
    for portgroup in host.config.network.portgroup:
        teaming = portgroup.spec.policy.nicTeaming if portgroup.spec.policy else None
        order = teaming.nicOrder if teaming else None
        portgroups[portgroup.spec.name] = {
            "vswitch": portgroup.spec.vswitchName,
            "vlan": portgroup.spec.vlanId,
            "policy": teaming.policy if teaming else None,
            "active": list(order.activeNic or []) if order else None,
            "standby": list(order.standbyNic or []) if order else None,
        }
    vmotion = host.configManager.virtualNicManager.QueryNetConfig("vmotion")
    selected = set(vmotion.selectedVnic or []) if vmotion else set()
    tagged = {c.device for c in (vmotion.candidateVnic or []) if c.key in selected} if vmotion else set()
    vmks = {}
    for vnic in host.config.network.vnic:
        vmks[vnic.device] = {
            "portgroup": vnic.portgroup or vnic.spec.portgroup,
            "ip": vnic.spec.ip.ipAddress,
            "mask": vnic.spec.ip.subnetMask,
            "mtu": vnic.spec.mtu,
            "netstack": vnic.spec.netStackInstanceKey,
            "vmotion": vnic.device in tagged,
        }
    hints = host.configManager.networkSystem.QueryNetworkHint()
    cdp = {h.device: getattr(h.connectedSwitchPort, "devId", None) for h in hints or []}
    return {
        "name": host.name,
        "boot_time": str(host.runtime.bootTime),
        "nics": nics,
        "vswitches": vswitches,
        "portgroups": portgroups,
        "vmks": vmks,
        "cdp": cdp,
    }


def owned_state(walked: dict[str, Any]) -> dict[str, Any]:
    """The tool-owned part of a host (names starting with vmesh-), vmks keyed by portgroup."""
    owned_pgs = {n: pg for n, pg in walked["portgroups"].items() if n.startswith(OWNED_PREFIX)}
    return {
        "vswitches": {n: v for n, v in walked["vswitches"].items() if n.startswith(OWNED_PREFIX)},
        "portgroups": owned_pgs,
        "vmks": {
            vmk["portgroup"]: {k: v for k, v in vmk.items() if k != "portgroup"}
            for vmk in walked["vmks"].values()
            if vmk["portgroup"] in owned_pgs
        },
    }


def differences(ours: dict[str, Any], theirs: dict[str, Any], path: str = "") -> list[str]:
    """Human-readable differences between two normalised states (ours first)."""
    if isinstance(ours, dict) and isinstance(theirs, dict):
        found = []
        for key in sorted(set(ours) | set(theirs)):
            where = f"{path}/{key}" if path else str(key)
            if key not in theirs:
                found.append(f"{where}: only in vmesh-tui's result")
            elif key not in ours:
                found.append(f"{where}: only in the peer's result")
            else:
                found.extend(differences(ours[key], theirs[key], where))
        return found
    return [] if ours == theirs else [f"{path}: vmesh-tui {ours!r}, peer {theirs!r}"]


def reboot(entry: dict[str, str], password: str, wait_s: float = 60.0) -> None:
    si = connect(entry, password)
    first_host(si).RebootHost_Task(force=True)
    deadline = time.monotonic() + wait_s
    time.sleep(0.5)
    while time.monotonic() < deadline:
        try:
            Disconnect(connect(entry, password))
            return
        except Exception:
            time.sleep(0.2)
    raise SystemExit(f"{entry['name']} did not come back within {wait_s:.0f} s after the reboot")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=("discover", "state", "reboot"))
    parser.add_argument("--hosts", required=True, help="JSON file: a list of {name, url, user}")
    parser.add_argument("--host-name", help="reboot: which host")
    args = parser.parse_args(argv)
    password = os.environ.get("VMESH_PASSWORD", "")
    entries = json.loads(Path(args.hosts).read_text())
    if args.mode == "reboot":
        reboot(next(e for e in entries if e["name"] == args.host_name), password)
        return 0
    result = {}
    for entry in entries:
        si = connect(entry, password)
        walked = walk_host(first_host(si))
        result[walked["name"]] = walked if args.mode == "discover" else owned_state(walked)
        Disconnect(si)
    print(json.dumps({"hosts": result}, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
