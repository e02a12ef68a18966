"""Cables between hosts: proposed from CDP/LLDP neighbours or equal NIC names, then edited by hand.

A cable joins two NICs on two different hosts, written as ``HOST/vmnicN`` references. Neighbour
evidence gives *verified* cables; equal device names (admins cable vmnicN to vmnicN) give unverified
ones that validation proves later. A NIC is in at most one cable. NICs that cannot be used are listed
as exclusions, each with the reason an admin reads.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from vmesh_tui.core.errors import CoreError
from vmesh_tui.core.model import HostState, Neighbor, nic_ref, split_ref
from vmesh_tui.core.ordering import is_owned_name, natural_key

CableSource = Literal["cdp", "name", "manual"]


def _ref_key(ref: str) -> tuple[object, ...]:
    host, device = split_ref(ref)
    return (host, natural_key(device))


@dataclass(frozen=True)
class Cable:
    """A direct cable between two NICs ``a`` and ``b`` (``HOST/vmnicN``), a sorting before b.

    ``source`` "cdp" means neighbour evidence (CDP or LLDP); "name" equal device names; "manual" the admin.
    """

    a: str
    b: str
    source: CableSource
    verified: bool

    @classmethod
    def between(cls, one: str, other: str, source: CableSource, verified: bool) -> Cable:
        """A cable with its ends in the normal order."""
        a, b = sorted((one, other), key=_ref_key)
        return cls(a, b, source, verified)

    @property
    def ends(self) -> tuple[str, str]:
        return (self.a, self.b)

    @property
    def hosts(self) -> tuple[str, str]:
        return (split_ref(self.a)[0], split_ref(self.b)[0])

    def touches(self, ref: str) -> bool:
        return ref in (self.a, self.b)

    def sort_key(self) -> tuple[object, ...]:
        return (_ref_key(self.a), _ref_key(self.b))

    def __str__(self) -> str:
        return f"{self.a} <-> {self.b}"


@dataclass(frozen=True)
class Exclusion:
    """A NIC that is in no cable, and why."""

    ref: str
    reason: str


@dataclass(frozen=True)
class Pairing:
    cables: tuple[Cable, ...] = ()
    excluded: tuple[Exclusion, ...] = ()

    def cable_of(self, ref: str) -> Cable | None:
        return next((c for c in self.cables if c.touches(ref)), None)

    def exclusion_of(self, ref: str) -> Exclusion | None:
        return next((e for e in self.excluded if e.ref == ref), None)


def _sorted_pairing(cables: Iterable[Cable], excluded: Iterable[Exclusion]) -> Pairing:
    return Pairing(
        tuple(sorted(cables, key=Cable.sort_key)),
        tuple(sorted(excluded, key=lambda e: _ref_key(e.ref))),
    )


def foreign_owner(host: HostState, device: str, owned_prefix: str = "vmesh") -> str | None:
    """What this tool did not create that uses ``device`` as an uplink: a vSwitch's name, or
    "distributed switch NAME" (a distributed switch is never the tool's), else None."""
    owner = host.uplink_owner(device)
    if owner is not None:
        return None if is_owned_name(owner.name, owned_prefix) else owner.name
    return host.nic_user(device)


def unusable_reason(host: HostState, device: str, owned_prefix: str = "vmesh") -> str | None:
    """Why a NIC cannot carry a link (None when it can). Link-down NICs are not proposed."""
    pnic = host.pnic(device)
    if pnic is None:
        return f"{host.name} has no NIC {device}"
    owner = foreign_owner(host, device, owned_prefix)
    if owner is not None:
        return f"uplink of {owner}, which this tool did not create"
    if not pnic.link_up:
        return "link is down (no cable, or the other end is off)"
    return None


def _hosts_by_name(hosts: Sequence[HostState]) -> dict[str, HostState]:
    by_name: dict[str, HostState] = {}
    for host in hosts:
        if host.name in by_name:
            raise CoreError("duplicate-host", f"host {host.name} is listed twice", "list each host once")
        by_name[host.name] = host
    return by_name


def find_host(by_name: dict[str, HostState], device_id: str) -> HostState | None:
    """The host a neighbour's device id names (exact, else case-insensitive, else short name)."""
    if device_id in by_name:
        return by_name[device_id]
    folded = device_id.casefold()
    matches = [
        h for n, h in by_name.items() if n.casefold() == folded or n.casefold().split(".")[0] == folded
    ]
    return matches[0] if len(matches) == 1 else None


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


def propose_cables(hosts: Sequence[HostState], owned_prefix: str = "vmesh") -> Pairing:
    """Propose cables: neighbour evidence first (verified), then equal names on two hosts (unverified)."""
    by_name = _hosts_by_name(hosts)
    free: set[str] = set()
    excluded: dict[str, str] = {}
    for host in hosts:
        for pnic in host.pnics:
            reason = unusable_reason(host, pnic.device, owned_prefix)
            if reason is None:
                free.add(nic_ref(host.name, pnic.device))
            else:
                excluded[nic_ref(host.name, pnic.device)] = reason
    cables: list[Cable] = []
    for ref in sorted(free, key=_ref_key):
        if ref not in free:
            continue  # already cabled as the peer of an earlier NIC
        host_name, device = split_ref(ref)
        neighbor = by_name[host_name].pnic(device).neighbor  # type: ignore[union-attr]
        if neighbor is None:
            continue
        peer_host = find_host(by_name, neighbor.device_id)
        if peer_host is None:
            free.discard(ref)
            excluded[ref] = (
                f"{neighbor.protocol.upper()} says it is cabled to {neighbor.device_id} port "
                f"{neighbor.port_id}, which is not one of the hosts"
            )
            continue
        if peer_host.name == host_name:
            free.discard(ref)
            excluded[ref] = (
                f"{neighbor.protocol.upper()} says it is cabled to {neighbor.port_id} of the same host"
            )
            continue
        peer = nic_ref(peer_host.name, neighbor.port_id)
        peer_pnic = peer_host.pnic(neighbor.port_id)
        if peer_pnic is None:
            free.discard(ref)
            excluded[ref] = (
                f"{neighbor.protocol.upper()} neighbour is {peer}, but {peer_host.name} has no "
                f"{neighbor.port_id}; re-read the hosts, or link it by hand"
            )
            continue
        peer_says = peer_pnic.neighbor
        agrees = peer_says is None or find_host(by_name, peer_says.device_id) is by_name[host_name]
        if peer_says is not None and agrees:
            agrees = peer_says.port_id == device
        if peer not in free or not agrees:
            free.discard(ref)
            why = excluded.get(peer) or _why_not(peer, cables, peer_says, ref)
            excluded[ref] = f"{neighbor.protocol.upper()} neighbour is {peer}, which cannot be used: {why}"
            continue
        cables.append(Cable.between(ref, peer, "cdp", verified=True))
        free -= {ref, peer}
    cables += pair_by_name(free, excluded)
    return _sorted_pairing(cables, (Exclusion(ref, why) for ref, why in excluded.items()))


def _why_not(peer: str, cables: Sequence[Cable], peer_says: Neighbor | None, ref: str) -> str:
    """Why a free, existing peer NIC cannot take the cable ``ref``'s neighbour data points to."""
    taken = next((c for c in cables if c.touches(peer)), None)
    if taken is not None:
        return f"it is already cabled to {taken.b if taken.a == peer else taken.a}"
    if peer_says is not None:
        return (
            f"its own {peer_says.protocol.upper()} neighbour is {peer_says.device_id} port "
            f"{peer_says.port_id}, not {ref}"
        )
    return "it is already cabled or its neighbour data disagrees"


def pair_by_name(free: set[str], excluded: dict[str, str]) -> list[Cable]:
    """Pair free NICs whose device name is free on exactly two hosts; explain the rest."""
    holders: dict[str, list[str]] = defaultdict(list)
    for ref in free:
        holders[split_ref(ref)[1]].append(ref)
    cables = []
    for device, refs in holders.items():
        if len(refs) == 2:
            cables.append(Cable.between(refs[0], refs[1], "name", verified=False))
        elif len(refs) == 1:
            excluded[refs[0]] = f"no other host has a free, link-up {device}; link it by hand if it is cabled"
        else:
            for ref in refs:
                excluded[ref] = f"{device} is free and link-up on {len(refs)} hosts; link it by hand"
    return cables


def link(
    pairing: Pairing, hosts: Sequence[HostState], a: str, b: str, owned_prefix: str = "vmesh"
) -> Pairing:
    """Add a manual cable a<->b, replacing any cable either NIC was in. CoreError on bad input."""
    by_name = _hosts_by_name(hosts)
    for ref in (a, b):
        host_name, device = split_ref(ref)
        host = by_name.get(host_name)
        if host is None:
            known = ", ".join(sorted(by_name)) or "none"
            raise CoreError("unknown-host", f"{ref}: there is no host {host_name}", f"use one of: {known}")
        if host.pnic(device) is None:
            names = ", ".join(p.device for p in host.pnics) or "none"
            raise CoreError("unknown-nic", f"{host_name} has no NIC {device}", f"use one of: {names}")
        owner = foreign_owner(host, device, owned_prefix)
        if owner is not None:
            raise CoreError(
                "nic-in-use",
                f"{ref} cannot be linked: it is an uplink of {owner}, which this tool did not create",
                "pick a free NIC, or remove it from that vSwitch first",
            )
    if split_ref(a)[0] == split_ref(b)[0]:
        raise CoreError("same-host", f"{a} and {b} are on the same host", "a cable joins two different hosts")
    verified = _neighbours_confirm(by_name, a, b)
    cables = [c for c in pairing.cables if not (c.touches(a) or c.touches(b))]
    freed = {end for c in pairing.cables if c.touches(a) or c.touches(b) for end in c.ends} - {a, b}
    cables.append(Cable.between(a, b, "manual", verified))
    excluded = [e for e in pairing.excluded if e.ref not in (a, b)]
    excluded += [Exclusion(ref, "its cable was replaced by a manual link") for ref in freed]
    return _sorted_pairing(cables, excluded)


def _neighbours_confirm(by_name: dict[str, HostState], a: str, b: str) -> bool:
    for one, other in ((a, b), (b, a)):
        host_name, device = split_ref(one)
        neighbor = by_name[host_name].pnic(device).neighbor  # type: ignore[union-attr]
        peer_host, peer_device = split_ref(other)
        if neighbor is not None and neighbor.port_id == peer_device:
            found = find_host(by_name, neighbor.device_id)
            if found is not None and found.name == peer_host:
                return True
    return False


def unlink(pairing: Pairing, ref: str) -> Pairing:
    """Remove the cable that ``ref`` is in; both its NICs become excluded. CoreError if there is none."""
    split_ref(ref)
    cable = pairing.cable_of(ref)
    if cable is None:
        raise CoreError("not-linked", f"{ref} is not in any cable", "pick a NIC shown in the cable list")
    cables = [c for c in pairing.cables if c != cable]
    excluded = [e for e in pairing.excluded if not cable.touches(e.ref)]
    excluded += [Exclusion(end, "unlinked by hand") for end in cable.ends]
    return _sorted_pairing(cables, excluded)
