"""Validation helpers: which pings prove the links, and what a failed ping means in admin language.

Each link is pinged both ways with don't-fragment and the largest payload the MTU allows (MTU - 28
bytes of IP and ICMP header). :func:`explain_ping` turns an outcome into a reason and a remedy: local
MTU too small ("Message too long"), path MTU (small pings pass, big ones vanish), cables crossed,
link down, or several vmks in one subnet (the /24 problem).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import netaddr

from vmesh_tui.core.addressing import Link
from vmesh_tui.core.design import DesignOptions, portgroup_name
from vmesh_tui.core.errors import CoreError
from vmesh_tui.core.model import DEFAULT_NETSTACK, VMOTION_NETSTACK, HostState, Vmk, split_ref

HEADER_BYTES = 28


@dataclass(frozen=True)
class PingCheck:
    """One ping to run: from the vmk on ``src_portgroup`` of ``src_host`` to ``dst_ip``."""

    src_host: str
    src_portgroup: str
    src_ip: str
    dst_host: str
    dst_ip: str
    size: int
    netstack: str | None  # None = the default netstack
    link_index: int
    src_vmk: str = ""  # "" until the host has named it
    src_nic: str = ""  # HOST/vmnicN
    dst_nic: str = ""

    def __str__(self) -> str:
        via = self.src_vmk or self.src_portgroup
        target = f"{self.dst_host} {self.dst_ip}"
        return f"{self.src_host} {via} -> {target} ({self.size} bytes, link {self.link_index + 1})"


class PingOutcomeLike(Protocol):
    sent: int
    received: int
    error: str | None


@dataclass(frozen=True)
class PingOutcome:
    sent: int
    received: int
    error: str | None = None


@dataclass(frozen=True)
class Explanation:
    ok: bool
    code: str
    reason: str
    remedy: str = ""


def ping_checks(
    links: Sequence[Link], desired: Mapping[str, HostState], options: DesignOptions | None = None
) -> tuple[PingCheck, ...]:
    """Both directions of every link, in link order, sized to the MTU, on the right netstack."""
    options = options or DesignOptions()
    states = {state.name: state for state in desired.values()}
    netstack = VMOTION_NETSTACK if options.netstack == "vmotion" else None
    checks = []
    for link in sorted(links, key=lambda item: item.index):
        group = portgroup_name(options.name_prefix, link.number)
        ends = (
            (link.cable.a, link.a_ip, link.cable.b, link.b_ip),
            (link.cable.b, link.b_ip, link.cable.a, link.a_ip),
        )
        for src_ref, src_ip, dst_ref, dst_ip in ends:
            src_host, dst_host = split_ref(src_ref)[0], split_ref(dst_ref)[0]
            if src_host not in states:
                raise CoreError("unknown-host", f"no desired state for {src_host}", "plan again")
            vmk = states[src_host].vmk_on(group)
            checks.append(
                PingCheck(
                    src_host,
                    group,
                    src_ip,
                    dst_host,
                    dst_ip,
                    options.mtu - HEADER_BYTES,
                    netstack,
                    link.index,
                    vmk.device if vmk else "",
                    src_ref,
                    dst_ref,
                )
            )
    return tuple(checks)


def vmks_reaching(state: HostState, ip: str, netstack: str | None = None) -> tuple[Vmk, ...]:
    """The vmks of ``state`` on ``netstack`` whose subnet contains ``ip`` (exactly one is right)."""
    stack = netstack or DEFAULT_NETSTACK
    found = []
    for vmk in state.vmks:
        if vmk.cidr is None or vmk.netstack != stack:
            continue
        try:
            if netaddr.IPAddress(ip) in netaddr.IPNetwork(vmk.cidr):
                found.append(vmk)
        except (netaddr.AddrFormatError, ValueError, TypeError):
            continue
    return tuple(found)


def explain_route(check: PingCheck, states: Mapping[str, HostState]) -> Explanation:
    """Whether ``dst_ip`` is reachable through exactly one local vmk, the one on the link's portgroup."""
    source = next((s for s in states.values() if s.name == check.src_host), None)
    reaching = vmks_reaching(source, check.dst_ip, check.netstack) if source else ()
    link = f"link {check.link_index + 1}"
    if len(reaching) == 1 and reaching[0].portgroup == check.src_portgroup:
        return Explanation(True, "ok", f"{link}: {check.dst_ip} is reached only through {reaching[0].device}")
    if not reaching:
        return Explanation(
            False,
            "no-route",
            f"{link}: no vmk on {check.src_host} is in the subnet of {check.dst_ip}",
            "apply the plan again; the link's vmk is missing or has another address",
        )
    names = ", ".join(f"{v.device} ({v.portgroup})" for v in reaching)
    return Explanation(
        False,
        "wrong-route",
        f"{link}: on {check.src_host}, {check.dst_ip} is reached through {names}, "
        f"not only through the vmk on {check.src_portgroup}",
        "give each cable its own subnet: move the other vmks out of it",
    )


def _mtu_culprit(state: HostState | None, group: str, needed: int) -> str | None:
    """Which object on the host is below ``needed``: the vmk or its vSwitch, with its MTU."""
    if state is None:
        return None
    vmk = state.vmk_on(group)
    portgroup = state.portgroup(group)
    switch = state.vswitch(portgroup.vswitch) if portgroup else None
    if vmk is not None and vmk.mtu < needed:
        return f"{vmk.device or 'the vmk on ' + group} on {state.name} has MTU {vmk.mtu}"
    if switch is not None and switch.mtu < needed:
        return f"vSwitch {switch.name} on {state.name} has MTU {switch.mtu}"
    return None


def _crossing(states: Mapping[str, HostState], check: PingCheck) -> str | None:
    """A neighbour report that contradicts the link: "esx-a/vmnic1 hears esx-b/vmnic2"."""
    for ref, expected in ((check.src_nic, check.dst_nic), (check.dst_nic, check.src_nic)):
        if not ref or not expected:
            continue
        host, device = split_ref(ref)
        state = states.get(host)
        pnic = state.pnic(device) if state else None
        said = pnic.neighbor if pnic else None
        if said is None:
            continue
        want_host, want_port = split_ref(expected)
        same_host = said.device_id.casefold().split(".")[0] == want_host.casefold().split(".")[0]
        if not same_host or said.port_id != want_port:
            heard = f"{said.device_id}/{said.port_id}"
            return f"{ref} is cabled to {heard} ({said.protocol.upper()}), not {expected}"
    return None


def _link_down(states: Mapping[str, HostState], check: PingCheck) -> str | None:
    for ref in (check.src_nic, check.dst_nic):
        if not ref:
            continue
        host, device = split_ref(ref)
        state = states.get(host)
        pnic = state.pnic(device) if state else None
        if pnic is not None and not pnic.link_up:
            return ref
    return None


def explain_ping(
    check: PingCheck,
    outcome: PingOutcomeLike,
    states: Mapping[str, HostState],
    *,
    small_ok: bool | None = None,
) -> Explanation:
    """Why a ping of ``check`` went as it did, given the hosts' current states.

    ``small_ok`` says whether a small ping on the same path got replies (None = not tried).
    """
    by_name = {state.name: state for state in states.values()}
    needed = check.size + HEADER_BYTES
    link = f"link {check.link_index + 1}"
    error = outcome.error or ""
    if "message too long" in error.lower():
        culprit = _mtu_culprit(by_name.get(check.src_host), check.src_portgroup, needed)
        where = culprit or f"the local MTU on {check.src_host} is below {needed}"
        return Explanation(
            False,
            "local-mtu",
            f"{link}: {where}; a {check.size}-byte ping cannot leave",
            f"set MTU {needed} there (apply again corrects drift)",
        )
    if outcome.sent > 0 and outcome.received >= outcome.sent:
        return Explanation(
            True, "ok", f"{link}: {outcome.received} of {outcome.sent} replies at {check.size} bytes"
        )
    if outcome.received > 0:
        lost = outcome.sent - outcome.received
        return Explanation(
            False,
            "ping-loss",
            f"{link}: {lost} of {outcome.sent} pings lost",
            "check the cable, and that both ends use the same speed and duplex",
        )
    return _explain_silence(check, by_name, needed, small_ok, error)


def _explain_silence(
    check: PingCheck, states: Mapping[str, HostState], needed: int, small_ok: bool | None, error: str
) -> Explanation:
    link = f"link {check.link_index + 1}"
    source = states.get(check.src_host)
    reaching = vmks_reaching(source, check.dst_ip, check.netstack) if source else ()
    if len(reaching) > 1:
        names = ", ".join(v.device for v in reaching)
        return Explanation(
            False,
            "shared-subnet",
            f"{link}: on {check.src_host}, {names} are all in the subnet of {check.dst_ip}, "
            "so the vmkernel may send over any of them, on the wrong cable (the /24 problem)",
            "give each cable its own subnet: move the other vmks out of it",
        )
    if small_ok:
        culprit = _mtu_culprit(states.get(check.dst_host), _peer_group(check, states), needed)
        reason = (
            culprit
            or f"the NICs or the cable between {check.src_nic} and {check.dst_nic} "
            f"do not pass {needed}-byte frames"
        )
        return Explanation(
            False,
            "path-mtu",
            f"{link}: small pings pass but {check.size}-byte ones are lost: {reason}",
            f"set MTU {needed} on the other host, or check the NICs' maximum MTU; MTU 1500 always works",
        )
    crossing = _crossing(states, check)
    if crossing:
        return Explanation(
            False, "cable-crossed", f"{link}: {crossing}", "swap the cables, or re-link and apply again"
        )
    down = _link_down(states, check)
    if down:
        return Explanation(
            False, "link-down", f"{link}: {down} has no link", "check the cable and the other host"
        )
    detail = f" ({error})" if error else ""
    return Explanation(
        False,
        "no-reply",
        f"{link}: no replies from {check.dst_ip}{detail}: the link is down or the cables are crossed",
        f"check that {check.src_nic} is cabled to {check.dst_nic}; crossed cables fail on two links at once",
    )


def _peer_group(check: PingCheck, states: Mapping[str, HostState]) -> str:
    """The portgroup of the vmk holding ``dst_ip`` on the peer (the same link portgroup by design)."""
    peer = states.get(check.dst_host)
    vmk = next((v for v in peer.vmks if v.ip == check.dst_ip), None) if peer else None
    return vmk.portgroup if vmk else check.src_portgroup


explain = explain_ping
