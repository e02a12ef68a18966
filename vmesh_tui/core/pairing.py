"""Cables between hosts: the ones the tool configured, then CDP/LLDP neighbours or equal NIC names,
then edited by hand.

A cable joins two NICs on two different hosts, written as ``HOST/vmnicN`` references. The tool's own
objects on both ends give the cables it configured (source "applied"); neighbour evidence gives
*verified* cables; equal device names (admins cable vmnicN to vmnicN) give unverified ones that
validation proves later. A NIC is in at most one cable. NICs that cannot be used are listed as
exclusions, each with the reason an admin reads.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from vmesh_tui.core.applied import Configured, configured_cables
from vmesh_tui.core.errors import CoreError
from vmesh_tui.core.model import HostState, Neighbor, nic_ref, split_ref
from vmesh_tui.core.neighbours import find_host, neighbours_agree, neighbours_confirm
from vmesh_tui.core.ordering import is_owned_name, natural_key

CableSource = Literal["applied", "cdp", "name", "manual"]


def _ref_key(ref: str) -> tuple[object, ...]:
    host, device = split_ref(ref)
    return (host, natural_key(device))


@dataclass(frozen=True)
class Cable:
    """A direct cable between two NICs ``a`` and ``b`` (``HOST/vmnicN``), a sorting before b.

    ``source`` "applied" means the tool's own link objects on both ends (it configured this cable);
    "cdp" neighbour evidence (CDP or LLDP); "name" equal device names; "manual" the admin.
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


def propose_cables(hosts: Sequence[HostState], owned_prefix: str = "vmesh") -> Pairing:
    """Propose cables: first the ones the tool configured (source "applied", read back from its own
    objects on both ends, see core.applied), then neighbour evidence (verified), then equal names on two
    hosts (unverified).

    An applied cable is kept whatever its link state (preflight reports a link that went down, so a
    re-plan never removes a configured link by itself). It is verified only when a CDP/LLDP neighbour
    heard on one end names the other end and neither end hears anything else: the objects prove what
    the tool was told to configure (perhaps a guess by name), not where the cable goes, and a validation
    that passed is not recorded on the hosts (and the cable may have moved since)."""
    by_name = _hosts_by_name(hosts)
    cables, configured = applied_cables(hosts, owned_prefix)
    applied = {ref for cable in cables for ref in cable.ends}
    free: set[str] = set()
    excluded: dict[str, str] = {}
    for host in hosts:
        for pnic in host.pnics:
            ref = nic_ref(host.name, pnic.device)
            if ref in applied:
                continue
            reason = unusable_reason(host, pnic.device, owned_prefix)
            if reason is None:
                free.add(ref)
            else:
                excluded[ref] = reason
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
    cables += pair_by_name(free, excluded, configured.notes, configured.lone_ends)
    return _sorted_pairing(cables, (Exclusion(ref, why) for ref, why in excluded.items()))


def applied_cables(hosts: Sequence[HostState], owned_prefix: str = "vmesh") -> tuple[list[Cable], Configured]:
    """The cables the tool configured (source "applied", verified as :func:`propose_cables` says), and
    what core.applied read (its ``notes`` say what each other uplink of the tool's is used for)."""
    by_name = {host.name: host for host in hosts}
    configured = configured_cables(hosts, owned_prefix)
    cables = [Cable.between(a, b, "applied", neighbours_agree(by_name, a, b)) for a, b in configured.pairs]
    return cables, configured


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


def pair_by_name(
    free: set[str],
    excluded: dict[str, str],
    in_use: Mapping[str, str] | None = None,
    apart: frozenset[str] = frozenset(),
) -> list[Cable]:
    """Pair free NICs whose device name is free on exactly two hosts; explain the rest. ``in_use``: what
    uses an eligible NIC that is not free (an uplink of the tool's), said of it instead of "free";
    ``apart``: NICs each configured for a link of its own, never paired with one another."""
    holders: dict[str, list[str]] = defaultdict(list)
    for ref in free:
        holders[split_ref(ref)[1]].append(ref)
    cables = []
    used = in_use or {}
    for device, refs in holders.items():
        if len(refs) == 2 and not set(refs) <= apart:
            cables.append(Cable.between(refs[0], refs[1], "name", verified=False))
        elif len(refs) == 2:
            for ref, other in (refs, refs[::-1]):
                excluded[ref] = f"{used[ref]}; {other} is configured for another link: link it by hand"
        elif len(refs) == 1 and refs[0] in used:
            excluded[refs[0]] = (
                f"{used[refs[0]]}; no other host has {device}: link it by hand if it is cabled"
            )
        elif len(refs) == 1:
            excluded[refs[0]] = f"no other host has a free, link-up {device}; link it by hand if it is cabled"
        else:
            for ref in refs:
                if ref in used:
                    excluded[ref] = f"{used[ref]}; {device} is on {len(refs)} hosts, name cannot pair it"
                else:
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
    verified = neighbours_confirm(by_name, a, b)
    cables = [c for c in pairing.cables if not (c.touches(a) or c.touches(b))]
    freed = {end for c in pairing.cables if c.touches(a) or c.touches(b) for end in c.ends} - {a, b}
    cables.append(Cable.between(a, b, "manual", verified))
    excluded = [e for e in pairing.excluded if e.ref not in (a, b)]
    excluded += [Exclusion(ref, "its cable was replaced by a manual link") for ref in freed]
    return _sorted_pairing(cables, excluded)


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
