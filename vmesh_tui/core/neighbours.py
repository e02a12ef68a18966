"""Host names as neighbours and admins write them, and what CDP/LLDP neighbours say about cables: which
host a neighbour names, a NIC reference with a short host name, and whether two NICs' own neighbours
confirm (or contradict) a cable between them."""

from __future__ import annotations

from collections.abc import Sequence

from vmesh_tui.core.errors import CoreError
from vmesh_tui.core.model import HostState, nic_ref, split_ref


def find_host(by_name: dict[str, HostState], device_id: str) -> HostState | None:
    """The host a neighbour's device id names (exact, else case-insensitive, else short name)."""
    if device_id in by_name:
        return by_name[device_id]
    folded = device_id.casefold()
    matches = [
        h for n, h in by_name.items() if n.casefold() == folded or n.casefold().split(".")[0] == folded
    ]
    return matches[0] if len(matches) == 1 else None


def neighbours_confirm(by_name: dict[str, HostState], a: str, b: str) -> bool:
    """True when a neighbour heard on one end names the other end."""
    return any(_names(by_name, one, other) for one, other in ((a, b), (b, a)))


def neighbours_agree(by_name: dict[str, HostState], a: str, b: str) -> bool:
    """True when a neighbour heard on one end names the other, and neither end hears anything else."""
    for one, other in ((a, b), (b, a)):
        host_name, device = split_ref(one)
        pnic = by_name[host_name].pnic(device)
        if pnic is not None and pnic.neighbor is not None and not _names(by_name, one, other):
            return False
    return neighbours_confirm(by_name, a, b)


def _names(by_name: dict[str, HostState], one: str, other: str) -> bool:
    host_name, device = split_ref(one)
    pnic = by_name[host_name].pnic(device)
    neighbor = pnic.neighbor if pnic is not None else None
    peer_host, peer_device = split_ref(other)
    if neighbor is None or neighbor.port_id != peer_device:
        return False
    found = find_host(by_name, neighbor.device_id)
    return found is not None and found.name == peer_host


def resolve_ref(ref: str, hosts: Sequence[HostState]) -> str:
    """``HOST/vmnicN`` with HOST as the host names itself; a unique short name (``esx-a`` for
    ``esx-a.lab.local``) or another case is accepted. CoreError when HOST matches no host, or several."""
    host, device = split_ref(ref)
    names = sorted(h.name for h in hosts)
    if host in names:
        return ref
    folded = host.casefold()
    matches = [n for n in names if n.casefold() == folded or n.casefold().split(".")[0] == folded]
    if len(matches) == 1:
        return nic_ref(matches[0], device)
    if matches:
        raise CoreError(
            "ambiguous-host", f"{ref}: {host} could be {' or '.join(matches)}", "write the host's full name"
        )
    raise CoreError(
        "unknown-host", f"{ref}: there is no host {host}", f"use one of: {', '.join(names) or 'none'}"
    )
