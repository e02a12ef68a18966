"""What the README promises a host holds after an apply, written out literally (not computed by the tool),
and checks of an independent view against it and against a starting view."""

from __future__ import annotations

import ipaddress
from typing import Any

from tests.hostview.reader import View, differences

PER_LINK_NAMES = ("vmesh-{n}", "vmesh-vmotion-{n}")


def link_objects(n: int, vmnic: str, cidr: str, *, mtu: int = 9000, cdp: str = "listen") -> dict[str, Any]:
    """Link ``n`` at one end, default layout: its vSwitch, portgroup and vmk as the reader shows them."""
    interface = ipaddress.IPv4Interface(cidr)
    switch, group = (name.format(n=n) for name in PER_LINK_NAMES)
    return {
        "vswitch": (switch, {"mtu": mtu, "uplinks": (vmnic,), "cdp": ("cdp", cdp)}),
        "portgroup": (
            group,
            {"vswitch": switch, "vlan": 0, "active": (vmnic,), "standby": (), "teaming": "failover_explicit"},
        ),
        "vmk": {
            "portgroup": group,
            "ip": str(interface.ip),
            "mask": str(interface.netmask),
            "mtu": mtu,
            "netstack": "defaultTcpipStack",
            "vmotion": True,
            "dvport": None,
        },
    }


def missing_from(view: View, wanted: dict[str, Any]) -> list[str]:
    """What of one link's promised objects the host's view lacks or holds differently (empty when all)."""
    problems: list[str] = []
    for kind, table in (("vswitch", "vswitches"), ("portgroup", "portgroups")):
        name, fields = wanted[kind]
        held = view[table].get(name)
        if held is None:
            problems.append(f"no {kind} {name}")
            continue
        problems += [
            f"{kind} {name} {k}: {held.get(k)!r}, promised {v!r}" for k, v in fields.items() if held[k] != v
        ]
    vmks = [v for v in view["vmks"].values() if v["portgroup"] == wanted["vmk"]["portgroup"]]
    if len(vmks) != 1:
        problems.append(f"{len(vmks)} vmks on {wanted['vmk']['portgroup']}, promised one")
    else:
        held = vmks[0]
        problems += [
            f"vmk {k}: {held[k]!r}, promised {v!r}" for k, v in wanted["vmk"].items() if held[k] != v
        ]
    return problems


def only_added(start: View, now: View, names: set[str]) -> list[str]:
    """Everything in ``now`` that differs from ``start`` other than the named vSwitches/portgroups and
    vmks on those portgroups (so an apply changed nothing else)."""
    trimmed = {
        "vswitches": {k: v for k, v in now["vswitches"].items() if k not in names},
        "portgroups": {k: v for k, v in now["portgroups"].items() if k not in names},
        "vmks": {k: v for k, v in now["vmks"].items() if v["portgroup"] not in names},
    }
    trimmed = {**now, **trimmed}
    return differences({"host": start}, {"host": trimmed})
