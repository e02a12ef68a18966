"""Validation failures in the admin's terms, from the observed configuration of the hosts.

(core.checks owns the preflight; these helpers read the same observed state to say why a ping failed.)
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from typing import Any

from vmesh_tui.core.design import DesignOptions
from vmesh_tui.core.model import HostState, Vmk, split_ref


def _network(vmk: Vmk) -> ipaddress.IPv4Network | None:
    if not vmk.cidr:
        return None
    try:
        return ipaddress.IPv4Network(vmk.cidr, strict=False)
    except ValueError:
        return None


def config_problems(state: HostState, vmk: Vmk, peer_ip: str, options: DesignOptions) -> list[str]:
    """Configuration faults visible without a packet: missing vMotion tag, subnets shared by vmks."""
    problems = []
    if options.netstack == "default" and "vmotion" not in vmk.services:
        problems.append(f"{vmk.device} on {state.name} is not tagged for vMotion")
    peer = ipaddress.IPv4Address(peer_ip)
    holders = [v for v in state.vmks if v.netstack == vmk.netstack and (n := _network(v)) and peer in n]
    if len(holders) > 1:
        names = ", ".join(v.device for v in holders)
        problems.append(
            f"{names} on {state.name} share the subnet of {peer_ip}: the vmkernel may send out of the wrong "
            "cable; give each link its own subnet"
        )
    return problems


def link_down(states: Mapping[str, HostState], refs: Sequence[str]) -> str | None:
    """'vmnicN on HOST has no link' for the first end whose NIC is down, else None."""
    for ref in refs:
        host, device = split_ref(ref)
        state = states.get(host)
        pnic = state.pnic(device) if state else None
        if pnic is not None and not pnic.link_up:
            return f"link down: {device} on {host} has no link (check the cable and the port)"
    return None


def crossed(src_ref: str, expected_ref: str, actual_ref: str) -> str:
    return (
        f"cables crossed: {src_ref} is cabled to {actual_ref}, not {expected_ref}; swap the cables "
        "or re-link the NICs and apply again"
    )


def mtu_problem(states: Mapping[str, HostState], src_ref: str, dst_ref: str, reply: Any, size: int) -> str:
    """Where the path is too small for ``size`` + 28 bytes: the first smaller MTU seen, else the wire."""
    frame = size + 28
    local = "message too long" in str(getattr(reply, "error", "") or "").lower()
    for ref in (src_ref, dst_ref):
        host, device = split_ref(ref)
        state = states.get(host)
        if state is None:
            continue
        switch = state.uplink_owner(device)
        if switch is not None and switch.mtu < frame:
            return f"MTU too small: vSwitch {switch.name} on {host} has MTU {switch.mtu}, below {frame}"
        link_vmk = next(
            (
                v
                for v in state.vmks
                if switch and (pg := state.portgroup(v.portgroup)) and pg.vswitch == switch.name
            ),
            None,
        )
        if link_vmk is not None and link_vmk.mtu < frame:
            return f"MTU too small: {link_vmk.device} on {host} has MTU {link_vmk.mtu}, below {frame}"
    where = "on this host" if local else "on the path (a NIC or the cable's far end)"
    return f"MTU too small {where}: {frame}-byte frames do not pass between {src_ref} and {dst_ref}"


def routing_problem(state: HostState, peer_ip: str, vmk: Vmk) -> str:
    return (
        f"{state.name} does not reach {peer_ip} without naming {vmk.device}: the routing table picks "
        "another vmk; give each link its own subnet"
    )


def _vmk_on_switch(state: HostState, vswitch: str) -> Vmk | None:
    for vmk in state.vmks:
        portgroup = state.portgroup(vmk.portgroup)
        if portgroup is not None and portgroup.vswitch == vswitch:
            return vmk
    return None
