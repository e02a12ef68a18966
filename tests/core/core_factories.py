"""Small builders for host states used across the core tests (the typical lab: two hosts, 8 NICs)."""

from __future__ import annotations

from vmesh_tui.core.model import HostState, Neighbor, Pnic, Portgroup, Vmk, VSwitch

DIRECT_NICS = ("vmnic1", "vmnic2", "vmnic5", "vmnic6")


def pnic(device: str, up: bool = True, neighbor: Neighbor | None = None, speed: int = 1000) -> Pnic:
    return Pnic(
        device, f"00:50:56:00:00:{int(device[5:]):02x}", "igb", speed if up else None, neighbor=neighbor
    )


def typical_host(
    name: str,
    mgmt_ip: str = "192.168.10.11/24",
    down: tuple[str, ...] = (),
    neighbors: dict[str, Neighbor] | None = None,
) -> HostState:
    """vmnic0/vmnic4 on vSwitch0 (management), vmnic3/7 on a VM switch, four direct NICs."""
    neighbors = neighbors or {}
    nics = tuple(pnic(f"vmnic{i}", f"vmnic{i}" not in down, neighbors.get(f"vmnic{i}")) for i in range(8))
    ip, _, length = mgmt_ip.partition("/")
    return HostState(
        name=name,
        version="8.0.3",
        pnics=nics,
        vswitches=(
            VSwitch("vSwitch0", 1500, ("vmnic0", "vmnic4"), ("vmnic0",), ("vmnic4",)),
            VSwitch("vSwitch1", 1500, ("vmnic3", "vmnic7"), ("vmnic3", "vmnic7")),
        ),
        portgroups=(
            Portgroup("Management Network", "vSwitch0", 0, ("vmnic0",), ("vmnic4",), "failover_explicit"),
            Portgroup("VM Network", "vSwitch1"),
        ),
        vmks=(Vmk("vmk0", "Management Network", ip, int(length), 1500, frozenset({"management"})),),
    )


def cdp(host: str, port: str) -> Neighbor:
    return Neighbor("cdp", host, port, mtu=9000)


def with_lookalike(
    host: HostState, group: str = "vmesh-vmotion-9", services: frozenset[str] | None = None
) -> HostState:
    """``host`` plus a portgroup named like the tool's on vSwitch0, with a management vmk1 on it."""
    tags = frozenset({"management"}) if services is None else services
    return HostState(
        name=host.name,
        version=host.version,
        pnics=host.pnics,
        vswitches=host.vswitches,
        portgroups=(*host.portgroups, Portgroup(group, "vSwitch0")),
        vmks=(*host.vmks, Vmk("vmk1", group, "192.168.20.11", 24, 1500, tags)),
    )
