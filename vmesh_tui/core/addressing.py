"""Addressing: carve one small subnet per cable out of a supernet the admin gives.

One subnet per cable is the whole point: with a /30 (or an opt-in /31) each address has exactly one
possible peer, so the vmkernel can only reach it over the right cable. Cables are sorted first, so the
same cables always get the same subnets; the lower address goes to the cable's first end (``a``).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import netaddr

from vmesh_tui.core.applied import link_number, tool_ends
from vmesh_tui.core.errors import CoreError, Finding, Severity
from vmesh_tui.core.model import HostState
from vmesh_tui.core.ordering import is_owned_vmk
from vmesh_tui.core.pairing import Cable

SUPPORTED_PREFIXES = (30, 31)
_PRIVATE = tuple(netaddr.IPNetwork(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))
# Where a suggested supernet is looked for, in this order (172.16/12 first: the least used in labs).
_SUGGEST_FROM = tuple(netaddr.IPNetwork(n) for n in ("172.16.0.0/12", "10.0.0.0/8", "192.168.0.0/16"))
_UNUSABLE = tuple(netaddr.IPNetwork(n) for n in ("0.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16", "224.0.0.0/3"))


@dataclass(frozen=True)
class Link:
    """A cable with its subnet: ``a_ip`` belongs to ``cable.a``, ``b_ip`` to ``cable.b``."""

    index: int
    cable: Cable
    subnet: str
    a_ip: str
    b_ip: str
    prefix: int

    @property
    def number(self) -> int:
        """The 1-based number used in object names (vSwitch ``prefix-<number>``)."""
        return self.index + 1

    def ip_of(self, ref: str) -> str:
        """The address of the NIC ``ref`` (one of the cable's ends)."""
        if ref == self.cable.a:
            return self.a_ip
        if ref == self.cable.b:
            return self.b_ip
        raise CoreError(
            "not-on-link",
            f"{ref} is not an end of link {self.number} ({self.cable})",
            f"use {self.cable.a} or {self.cable.b}, or carve the addresses again after re-linking",
        )


@dataclass(frozen=True)
class Addressing:
    links: tuple[Link, ...] = ()
    findings: tuple[Finding, ...] = ()


def parse_supernet(supernet: object) -> netaddr.IPNetwork:
    """A validated IPv4 network in CIDR form; CoreError saying what to type otherwise."""
    example = "type a private IPv4 network such as 172.31.250.0/24"
    if not isinstance(supernet, str) or supernet.count("/") != 1:
        raise CoreError("not-cidr", f"{supernet!r} is not a network in CIDR form", example)
    address, _, length = supernet.strip().partition("/")
    if ":" in address:
        raise CoreError("ipv6", f"{supernet} is IPv6; vMotion links here use IPv4", example)
    if not (length.isascii() and length.isdigit()) or not 0 <= int(length) <= 32:
        raise CoreError("not-cidr", f"{supernet!r} has no prefix length between 0 and 32", example)
    try:
        ip = netaddr.IPAddress(address, 4, flags=netaddr.INET_PTON)
    except (netaddr.AddrFormatError, ValueError, TypeError):
        raise CoreError("not-cidr", f"{supernet!r} is not a network in CIDR form", example) from None
    network = netaddr.IPNetwork(f"{ip}/{int(length)}")
    if network.ip != network.network:
        exact = f"{network.network}/{network.prefixlen}"
        raise CoreError("host-bits", f"{supernet} has host bits set", f"type the network address {exact}")
    if any(network in bad or bad in network for bad in _UNUSABLE):
        raise CoreError(
            "reserved-network", f"{supernet} overlaps loopback, link-local or multicast addresses", example
        )
    return network


def _check_prefix(prefix: object) -> int:
    if isinstance(prefix, bool) or not isinstance(prefix, int) or prefix not in SUPPORTED_PREFIXES:
        raise CoreError(
            "bad-prefix", f"link prefix {prefix!r} is not supported", "use 30 (or 31, with its warning)"
        )
    return prefix


def _existing_networks(
    hosts: Sequence[HostState], owned_prefix: str
) -> list[tuple[str, str, netaddr.IPNetwork]]:
    """(host, vmk, network) for every vmk with a static address that the tool does not own.

    DHCP vmks (ip None) are left out on purpose: their address is not known here and may change, so
    they are never considered for overlap. A DHCP network that shares the supernet shows up later, when
    validation pings fail.
    """
    found = []
    for host in hosts:
        for vmk in host.vmks:
            if vmk.cidr is None or is_owned_vmk(host, vmk, owned_prefix):
                continue
            try:
                found.append((host.name, vmk.device, netaddr.IPNetwork(vmk.cidr).cidr))
            except (netaddr.AddrFormatError, ValueError, TypeError):
                continue  # not IPv4 CIDR (e.g. IPv6): cannot overlap an IPv4 supernet
    return found


def suggest_supernet(existing: Iterable[netaddr.IPNetwork], links: int, prefix: int = 30) -> str | None:
    """The first private /24 clear of every ``existing`` network, or larger when ``links`` need more.

    Looked for in 172.16.0.0/12, then 10.0.0.0/8, then 192.168.0.0/16; None when all are taken.
    """
    fits = prefix - math.ceil(math.log2(max(1, links)))
    length = min(24, fits)
    if length < 8:
        return None
    taken = netaddr.IPSet(existing)
    for block in _SUGGEST_FROM:
        for free in (netaddr.IPSet([block]) - taken).iter_cidrs():
            if free.prefixlen <= length:
                return str(netaddr.IPNetwork(f"{free.network}/{length}"))
    return None


def carve(
    cables: Sequence[Cable],
    supernet: str,
    prefix: int = 30,
    hosts: Sequence[HostState] = (),
    owned_prefix: str = "vmesh",
) -> Addressing:
    """One subnet of ``/prefix`` per cable; CoreError on bad input or no room.

    A cable whose two ends already carry the tool's link N (see :func:`kept_numbers`) keeps number N
    and link N's subnet, so re-planning an applied mesh never renumbers (removes and re-creates) a
    healthy link because another one vanished or a new cable sorts before it. The other cables take
    the lowest free numbers in cable order; with nothing applied that is simply cable order."""
    network = parse_supernet(supernet)
    prefix = _check_prefix(prefix)
    ordered = sorted(cables, key=Cable.sort_key)
    needed = max(1, len(ordered))
    existing_networks = _existing_networks(hosts, owned_prefix)
    for host, device, existing in existing_networks:
        if existing in network or network in existing:
            free = suggest_supernet((net for _, _, net in existing_networks), needed, prefix)
            raise CoreError(
                "overlap",
                f"{supernet} overlaps {existing} of {device} on {host}",
                "pick a supernet that no existing VMkernel network uses"
                + (f", e.g. {free}" if free is not None else ""),
            )
    capacity = 2 ** (prefix - network.prefixlen) if network.prefixlen <= prefix else 0
    if needed > capacity:
        fits = prefix - math.ceil(math.log2(needed))
        raise CoreError(
            "supernet-too-small",
            f"{supernet} holds {capacity} /{prefix} links but {needed} are needed",
            f"use a /{fits} or larger, e.g. {netaddr.IPNetwork(f'{network.network}/{fits}').cidr}",
        )
    kept = kept_numbers(ordered, hosts, capacity, owned_prefix)
    unused = (number - 1 for number in itertools.count(1) if number not in kept.values())
    links = []
    for cable in ordered:
        index = kept[cable] - 1 if cable in kept else next(unused)
        subnet = netaddr.IPNetwork(
            f"{netaddr.IPAddress(network.first + index * 2 ** (32 - prefix))}/{prefix}"
        )
        first = subnet.network if prefix == 31 else subnet.network + 1
        links.append(Link(index, cable, str(subnet), str(first), str(first + 1), prefix))
    return Addressing(tuple(sorted(links, key=lambda item: item.index)), _findings(network, prefix))


def kept_numbers(
    cables: Sequence[Cable], hosts: Sequence[HostState], capacity: int, owned_prefix: str = "vmesh"
) -> dict[Cable, int]:
    """The link number each cable already has on the hosts: both its ends are the tool's link ends
    (core.applied: a tool vmk in a /30 or /31 on it) on one portgroup ``PREFIX-vmotion-N``, N within
    the supernet's ``capacity``. Whatever the cable's source: a cable typed again by hand is the same
    cable. Its addresses are link N's in the supernet asked for (re-addressed if they differ)."""
    ends = {end.ref: end for host in hosts for end in tool_ends(host, owned_prefix)}
    kept: dict[Cable, int] = {}
    for cable in cables:
        one, other = ends.get(cable.a), ends.get(cable.b)
        if one is None or other is None or one.portgroup != other.portgroup:
            continue
        number = link_number(one.portgroup, owned_prefix)
        if number is not None and number <= capacity and number not in kept.values():
            kept[cable] = number
    return kept


def _findings(network: netaddr.IPNetwork, prefix: int) -> tuple[Finding, ...]:
    findings = []
    if prefix == 31:
        findings.append(
            Finding(
                "prefix-31",
                Severity.WARNING,
                "/31 links (RFC 3021) are not confirmed to work on the ESXi vmkernel",
                "use /30 unless you have tested /31 on these hosts",
            )
        )
    if not any(network in private for private in _PRIVATE):
        findings.append(
            Finding(
                "public-addresses",
                Severity.WARNING,
                f"{network} is outside the private ranges (10/8, 172.16/12, 192.168/16)",
                "use a private network unless these addresses are yours",
                str(network),
            )
        )
    return tuple(findings)
