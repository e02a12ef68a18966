"""From what the probed NICs heard to cables and findings, one per NIC, never a guess.

Every NIC whose neighbour is known (heard during the probe, or already before it) is judged from the
claims of all NICs: A's CDP names B/vmnicN. A cable is verified when its two ends agree (or the far end,
free but silent, is claimed by nobody else). Two NICs naming one peer, or a peer naming someone else, is
a conflict (a hub or an unmanaged switch passes CDP between several hosts, or a recabled NIC still shows
its old neighbour): reported, never resolved by picking one. A probed NIC that heard nothing is dark.
The cables the tool configured (its own objects on both ends, see core.applied) stay as they are, with
source "applied"; the other uplinks of its vSwitches, which the probe cannot reach, are paired by name.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from vmesh_tui.core.model import HostState, Neighbor, nic_ref, split_ref
from vmesh_tui.core.ordering import natural_key
from vmesh_tui.core.pairing import (
    Cable,
    Exclusion,
    Pairing,
    applied_cables,
    find_host,
    pair_by_name,
    unusable_reason,
)
from vmesh_tui.core.probing import ProbePlan

NicCode = Literal[
    "cable", "switch", "other-host", "same-host", "unknown-port", "peer-in-use", "conflict", "dark"
]
_ESXI_PORT = re.compile(r"^vmnic\d+$")


@dataclass(frozen=True)
class NicFinding:
    """What the probe learnt about one NIC. ``peer``: the far ``HOST/vmnicN``, or ``DEVICE port PORT``."""

    ref: str
    code: NicCode
    message: str
    peer: str = ""


@dataclass(frozen=True)
class ProbeReport:
    """The cables (verified ones from CDP), the NICs left out with reasons, and a finding per NIC."""

    pairing: Pairing
    nics: tuple[NicFinding, ...]
    probed: tuple[str, ...] = ()

    def finding(self, ref: str) -> NicFinding | None:
        return next((f for f in self.nics if f.ref == ref), None)

    def with_code(self, code: NicCode) -> tuple[NicFinding, ...]:
        return tuple(f for f in self.nics if f.code == code)


def with_neighbours(hosts: Sequence[HostState], heard: Mapping[str, Neighbor | None]) -> list[HostState]:
    """The hosts with each probed NIC's neighbour set to what it heard (``heard`` maps HOST/vmnicN)."""
    result = []
    for host in hosts:
        pnics = tuple(
            replace(p, neighbor=heard[nic_ref(host.name, p.device)])
            if nic_ref(host.name, p.device) in heard
            else p
            for p in host.pnics
        )
        result.append(replace(host, pnics=pnics))
    return result


def settled(hosts: Sequence[HostState], plan: ProbePlan, heard: Mapping[str, Neighbor | None]) -> set[str]:
    """The probed NICs whose far end is known: they heard a neighbour, or some NIC heard them."""
    by_name = {h.name: h for h in hosts}
    done = {ref for ref in plan.refs if heard.get(ref) is not None}
    for ref, neighbor in heard.items():
        if neighbor is None:
            continue
        code, peer = _place(by_name, split_ref(ref)[0], neighbor)
        if code == "cable" and peer in plan.refs:
            done.add(peer)
    return done


def _place(by_name: dict[str, HostState], own_host: str, neighbor: Neighbor) -> tuple[NicCode, str]:
    """Where a neighbour puts a NIC: ("cable", HOST/vmnicN) for a NIC of one of the hosts, else why not."""
    where = f"{neighbor.device_id} port {neighbor.port_id}"
    peer = find_host(by_name, neighbor.device_id)
    if peer is None:
        return ("other-host" if _ESXI_PORT.match(neighbor.port_id) else "switch"), where
    if peer.name == own_host:
        return "same-host", nic_ref(peer.name, neighbor.port_id)
    if peer.pnic(neighbor.port_id) is None:
        return "unknown-port", nic_ref(peer.name, neighbor.port_id)
    return "cable", nic_ref(peer.name, neighbor.port_id)


def read_probe(
    hosts: Sequence[HostState],
    plan: ProbePlan,
    heard: Mapping[str, Neighbor | None],
    owned_prefix: str = "vmesh",
    waited_s: float = 0.0,
    finished: bool = True,
) -> ProbeReport:
    """Judge the probe from the last hints: ``heard`` maps ``HOST/vmnicN`` to the neighbour it heard (or
    None); a probed NIC missing from it heard nothing, any other NIC keeps the neighbour it had (also
    when it hears nothing by the end: the probe left its far end out because of it, and a hint that ran
    out of hold time meanwhile must not turn a known cable into a guess by name).

    A probed NIC that heard nothing is dark only when the wait ran to its end (``finished``); after a
    cancelled or failed wait it is not known yet, and is paired by name as before the probe."""
    lasting = {ref: n for ref, n in heard.items() if n is not None or ref in plan.refs}
    merged = with_neighbours(hosts, {**dict.fromkeys(plan.refs), **lasting})
    by_name = {h.name: h for h in merged}
    unusable = {
        nic_ref(h.name, p.device): reason
        for h in merged
        for p in h.pnics
        if (reason := unusable_reason(h, p.device, owned_prefix)) is not None
    }
    placed: dict[str, tuple[NicCode, str]] = {}
    for host in merged:
        for pnic in host.pnics:
            if pnic.neighbor is not None:
                placed[nic_ref(host.name, pnic.device)] = _place(by_name, host.name, pnic.neighbor)
    claims = {ref: peer for ref, (code, peer) in placed.items() if code == "cable"}
    groups = _claim_groups(claims)

    findings: dict[str, NicFinding] = {}
    applied, configured = applied_cables(merged, owned_prefix)  # the tool's links stay as configured
    cables: set[Cable] = set(applied)
    taken = {ref for cable in applied for ref in cable.ends}
    every = [nic_ref(h.name, p.device) for h in merged for p in h.pnics]
    eligible = sorted((ref for ref in every if ref not in unusable and ref not in taken), key=_sort_key)
    probed = set(plan.refs) if finished else set()  # not finished: silence is no verdict
    in_use = {**unusable, **_configured_for(applied)}  # a free NIC cabled to one of them is no cable
    for ref in eligible:
        finding = _judge(ref, placed, groups.get(ref, frozenset()), claims, in_use, probed, waited_s)
        if finding is None:
            continue
        findings[ref] = finding
        if finding.code == "cable":
            cables.add(Cable.between(ref, finding.peer, "cdp", verified=True))

    excluded = dict(unusable)
    excluded.update({ref: f.message for ref, f in findings.items() if f.code != "cable"})
    unknown = {ref for ref in eligible if ref not in findings}
    cables.update(pair_by_name(unknown, excluded, configured.notes, configured.lone_ends))
    return ProbeReport(
        Pairing(
            tuple(sorted(cables, key=Cable.sort_key)),
            tuple(Exclusion(ref, excluded[ref]) for ref in sorted(excluded, key=_sort_key)),
        ),
        tuple(findings[ref] for ref in sorted(findings, key=_sort_key)),
        plan.refs,
    )


def _configured_for(applied: Iterable[Cable]) -> dict[str, str]:
    """Why each end of a cable the tool configured cannot take another cable (CDP that joins it to a
    free NIC means the cable was moved since the apply: validation says which link fails)."""
    why = "vmesh-tui configured it for the link to {} (the cable was moved? `vmesh-tui validate` tells)"
    return {one: why.format(other) for cable in applied for one, other in (cable.ends, cable.ends[::-1])}


def _claim_groups(claims: Mapping[str, str]) -> dict[str, frozenset[str]]:
    """Each NIC named in a claim -> every NIC linked to it by claims (either way, transitively).

    Two NICs (one naming the other, or each the other) make a cable; three or more make a conflict.
    """
    linked: dict[str, set[str]] = defaultdict(set)
    for one, other in claims.items():
        linked[one].add(other)
        linked[other].add(one)
    groups: dict[str, frozenset[str]] = {}
    for start in linked:
        if start in groups:
            continue
        seen, todo = {start}, [start]
        while todo:
            for nxt in linked[todo.pop()] - seen:
                seen.add(nxt)
                todo.append(nxt)
        group = frozenset(seen)
        groups.update(dict.fromkeys(group, group))
    return groups


def _judge(
    ref: str,
    placed: Mapping[str, tuple[NicCode, str]],
    group: frozenset[str],
    claims: Mapping[str, str],
    unusable: Mapping[str, str],
    probed: set[str],
    waited_s: float,
) -> NicFinding | None:
    """The finding for one usable NIC; None when nothing is known about it (it was not probed)."""
    if len(group) > 2:
        others = ", ".join(sorted(group - {ref}, key=_sort_key))
        return NicFinding(ref, "conflict", _conflict_text(group, claims), others)
    if group:
        (peer,) = group - {ref}
        if peer in unusable:
            text = f"cabled to {peer}, which cannot be used: {unusable[peer]}"
            return NicFinding(ref, "peer-in-use", text, peer)
        return NicFinding(ref, "cable", f"CDP: cabled to {peer}", peer)
    if ref in placed:
        code, where = placed[ref]
        if code == "switch":
            text = f"on a switch: CDP names {where}; a link needs a direct cable to another host"
        elif code == "other-host":
            text = f"cabled to {where}, a host that is not connected here; add it to use this cable"
        elif code == "same-host":
            text = f"cabled to {split_ref(where)[1]} of the same host"
        else:
            text = f"CDP names {where}, which that host does not have; discover again"
        return NicFinding(ref, code, text, where)
    if ref in probed:
        text = (
            f"dark: heard no CDP neighbour in {waited_s:.0f} s (no cable, the far end is off, or the far"
            " NIC is in use by a vSwitch that does not advertise CDP)"
        )
        return NicFinding(ref, "dark", text)
    return None


def _conflict_text(involved: Iterable[str], claims: Mapping[str, str]) -> str:
    said = [f"{one} hears {claims[one]}" for one in sorted(involved, key=_sort_key) if one in claims]
    return (
        "CDP disagrees (" + "; ".join(said) + "): a hub or unmanaged switch may join them, or a cable was"
        " moved recently; check the cabling, then probe again or link it by hand"
    )


def _sort_key(ref: str) -> tuple[object, ...]:
    host, device = split_ref(ref)
    return (host, natural_key(device))
