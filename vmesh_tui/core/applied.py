"""The cables the tool configured itself, read back from its own objects on the hosts.

After an apply, each cable is, on each of its two hosts, one portgroup ``PREFIX-vmotion-N`` on a vSwitch
the tool owns (``PREFIX-N`` with that NIC as its only uplink, or ``PREFIX-shared``), whose one active
uplink is the cable's NIC, and one vmk of the tool's on it with a static address in the cable's /30 (or
/31). Two such ends on two hosts, with the same portgroup name and addresses in the same subnet, are the
cable the tool configured: nobody else names objects ``PREFIX-...``, and a /30 holds exactly the two
ends of one cable. That is the hosts' own record, shared by every jump host that manages them (a journal
lives on one machine only). It says what the tool was told to configure, not where the cable really goes:
whether it is verified is judged by the caller from CDP/LLDP (see ``pairing.propose_cables``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import netaddr

from vmesh_tui.core.errors import Finding, Severity
from vmesh_tui.core.model import HostState, Portgroup, nic_ref
from vmesh_tui.core.ordering import is_owned_name, is_owned_portgroup, is_owned_vmk, natural_key

DROPPED_LINK = "dropped-link"  # a NIC the tool configured for a link is in no cable of the plan
LINK_PREFIXES = (30, 31)  # what addressing carves: one subnet holds the two ends of one cable


@dataclass(frozen=True)
class ToolEnd:
    """One host's end of a link the tool configured: the NIC, its portgroup and vSwitch, its vmk's address."""

    ref: str  # HOST/vmnicN
    portgroup: str
    vswitch: str
    vmk: str
    subnet: str  # e.g. 172.31.250.0/30
    ip: str = ""

    @property
    def host(self) -> str:
        return self.ref.rsplit("/", 1)[0]


@dataclass(frozen=True)
class Configured:
    """The cables the tool's objects describe (ref pairs, a before b as on the hosts' sorted order), and
    the tool's link NICs that are in none of them, each with the reason an admin reads."""

    pairs: tuple[tuple[str, str], ...] = ()
    unmatched: tuple[tuple[str, str], ...] = ()  # (HOST/vmnicN, why it is in no configured cable)
    lone_ends: frozenset[str] = frozenset()  # unmatched NICs each configured for a link of its own

    @property
    def notes(self) -> dict[str, str]:
        """HOST/vmnicN -> what the tool uses it for, for each of its uplinks in no configured cable."""
        return dict(self.unmatched)


def _link_nic(host: HostState, group: Portgroup) -> str | None:
    """The one NIC a tool portgroup carries: its one active (or, mid-recovery, one standby) uplink, else
    its vSwitch's only uplink; None when that is not exactly one uplink of the vSwitch."""
    switch = host.vswitch(group.vswitch)
    if switch is None:
        return None
    chosen = group.active or group.standby or switch.uplinks
    if len(chosen) != 1 or chosen[0] not in switch.uplinks:
        return None
    return chosen[0]


def link_number(portgroup: str, owned_prefix: str = "vmesh") -> int | None:
    """N of a tool portgroup named ``PREFIX-vmotion-N`` (the link's number), else None."""
    head = f"{owned_prefix}-vmotion-"
    tail = portgroup[len(head) :]
    if not portgroup.startswith(head) or not (tail.isascii() and tail.isdigit()) or tail.startswith("0"):
        return None
    return int(tail)


def _subnet(ip: str | None, prefix: int | None) -> str | None:
    if ip is None or prefix not in LINK_PREFIXES:
        return None
    try:
        return str(netaddr.IPNetwork(f"{ip}/{prefix}", version=4).cidr)
    except (netaddr.AddrFormatError, ValueError, TypeError):
        return None


def tool_ends(host: HostState, owned_prefix: str = "vmesh") -> list[ToolEnd]:
    """Every link end of the tool's on ``host``: a tool portgroup with one NIC and one tool vmk in a /30
    or /31 on it. A NIC carried by two of them is no end at all (the objects disagree)."""
    ends = []
    for group in host.portgroups:
        if not is_owned_portgroup(group, owned_prefix):
            continue
        nic = _link_nic(host, group)
        vmks = [v for v in host.vmks if v.portgroup == group.name and is_owned_vmk(host, v, owned_prefix)]
        if nic is None or len(vmks) != 1 or host.pnic(nic) is None:
            continue
        subnet = _subnet(vmks[0].ip, vmks[0].prefix)
        if subnet is not None:
            ref = nic_ref(host.name, nic)
            ends.append(ToolEnd(ref, group.name, group.vswitch, vmks[0].device, subnet, vmks[0].ip or ""))
    twice = {end.ref for end in ends if sum(other.ref == end.ref for other in ends) > 1}
    return [end for end in ends if end.ref not in twice]


def configured_cables(hosts: Sequence[HostState], owned_prefix: str = "vmesh") -> Configured:
    """The cables the tool's own objects on ``hosts`` describe (see the module docstring), and why each
    other uplink of the tool's vSwitches is in none."""
    ends = [end for host in hosts for end in tool_ends(host, owned_prefix)]
    groups: dict[tuple[str, str], list[ToolEnd]] = defaultdict(list)
    for end in ends:
        groups[(end.portgroup, end.subnet)].append(end)
    pairs: list[tuple[str, str]] = []
    paired: set[str] = set()
    for members in groups.values():
        if len(members) == 2 and members[0].host != members[1].host and members[0].ip != members[1].ip:
            one, other = sorted((m.ref for m in members), key=_ref_key)
            pairs.append((one, other))
            paired.update((one, other))
    unmatched = {}
    for end in ends:
        if end.ref in paired:
            continue
        members = groups[(end.portgroup, end.subnet)]
        if len(members) == 1:
            why = f"no other host read here has a {end.portgroup} vmk in {end.subnet}"
        else:
            why = f"{len(members)} NICs have a {end.portgroup} vmk in {end.subnet}, so the objects disagree"
        unmatched[end.ref] = f"in use by vmesh-tui ({end.vswitch}), but {why}"
    for host in hosts:
        for switch in host.vswitches:
            if not is_owned_name(switch.name, owned_prefix):
                continue
            for nic in switch.uplinks:
                ref = nic_ref(host.name, nic)
                if ref not in paired and ref not in unmatched and host.pnic(nic) is not None:
                    unmatched[ref] = f"in use by vmesh-tui (an uplink of {switch.name})"
    ordered = sorted(pairs, key=lambda p: (_ref_key(p[0]), _ref_key(p[1])))
    lone = frozenset(end.ref for end in ends if end.ref not in paired)
    notes = tuple(sorted(unmatched.items(), key=lambda item: _ref_key(item[0])))
    return Configured(tuple(ordered), notes, lone)


def _ref_key(ref: str) -> tuple[object, ...]:
    host, _, device = ref.rpartition("/")
    return (host, natural_key(device))


def dropped_link_findings(
    hosts: Sequence[HostState], cabled: Iterable[str], owned_prefix: str = "vmesh"
) -> tuple[Finding, ...]:
    """A warning per NIC the tool configured for a link (its link vSwitch's uplink) that is in none of
    the ``cabled`` NICs of a plan: the plan takes the link's objects off it, and the admin should know
    why before applying (its other end lost its vmk or vSwitch, a host is not connected, ...)."""
    in_plan = set(cabled)
    notes = configured_cables(hosts, owned_prefix).notes
    return tuple(
        Finding(
            DROPPED_LINK,
            Severity.WARNING,
            f"{ref} is {why}: it is in no cable of this plan, so applying takes that link off it",
            "if its cable is still there, put back what is missing on its other end, or apply again once"
            " the NIC is free (the probe or equal names find the cable; --link means listing every cable)",
            ref,
            "{n} NICs the tool configured for a link are in no cable of this plan",
        )
        for ref, why in notes.items()
        if ref not in in_plan
    )
