"""Preflight: what blocks an apply (errors) and what the admin should know first (warnings).

Every finding has a stable code, a sentence saying what is wrong and a remedy. The validation helpers
(ping checks and the explanation of ping outcomes) live in :mod:`vmesh_tui.core.validation` and are
re-exported here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Union

from vmesh_tui.core.addressing import Addressing
from vmesh_tui.core.design import DesignOptions, NicSpeed
from vmesh_tui.core.errors import Finding, Severity
from vmesh_tui.core.model import HostState, Pnic, split_ref
from vmesh_tui.core.netstack import default_stack_vmotion, netstack_findings
from vmesh_tui.core.ordering import is_owned_name, is_owned_vmk, is_protected_vmk, owned_portgroup_names
from vmesh_tui.core.pairing import Cable, Pairing, foreign_owner
from vmesh_tui.core.validation import (
    Explanation,
    PingCheck,
    PingOutcome,
    explain,
    explain_ping,
    explain_route,
    ping_checks,
    vmks_reaching,
)

__all__ = [
    "Explanation",
    "PingCheck",
    "PingOutcome",
    "explain",
    "explain_ping",
    "explain_route",
    "ping_checks",
    "preflight",
    "vmks_reaching",
]

Hosts = Union[Mapping[str, HostState], Sequence[HostState]]


# How several findings of one code read together (the reader lists their subjects): {n} is the count.
GROUPS = {
    "host-missing": "{n} cable ends name hosts that were not read",
    "nic-missing": "{n} cable ends name NICs their hosts do not have",
    "nic-in-use": "{n} NICs are uplinks of vSwitches this tool did not create",
    "mtu-slow-nic": "{n} NICs run below 1 Gb/s; such links often do not pass jumbo frames",
    "peer-mtu": "{n} NICs have neighbours reporting an MTU below the planned one",
    "link-down": "{n} NICs have no link",
    "one-sided": "{n} cables have link on one side only",
    "cable-crossed": "{n} NICs hear another peer than their cable names (CDP/LLDP)",
    "speed-mismatch": "{n} cables are set to different speeds at their two ends",
    "speed-unsupported": "{n} NICs cannot run the forced speed",
    "unverified-cable": "{n} cables are assumed from NIC names or by hand, not seen by CDP/LLDP",
    "unverified-applied": "{n} cables are configured by vmesh-tui, not seen by CDP/LLDP",
    "duplicate-nic": "{n} NICs are in two cables",
    "same-host": "{n} cables join a host to itself",
    "not-addressed": "{n} cables have no subnet",
    "other-vmotion-vmk": "{n} other vmks are also tagged for vMotion; vMotion may use them besides the links",
    "foreign-on-owned": "{n} portgroups of yours sit on vSwitches this tool manages",
    "owned-name-foreign": "{n} portgroups are named like this tool's objects but sit on other vSwitches",
    "management-vmk-owned": "{n} management vmks sit on portgroups this tool manages",
}


def _error(code: str, subject: str, message: str, remedy: str) -> Finding:
    return Finding(code, Severity.ERROR, message, remedy, subject, GROUPS.get(code, ""))


def _warning(code: str, subject: str, message: str, remedy: str) -> Finding:
    return Finding(code, Severity.WARNING, message, remedy, subject, GROUPS.get(code, ""))


def _end_findings(states: dict[str, HostState], ref: str, peer: str, options: DesignOptions) -> list[Finding]:
    """Problems of one cable end on its own: missing host or NIC, NIC in use, MTU doubts. ``peer`` is the
    cable's other end: its MTU is the plan's too, so what its neighbour reports today is no doubt."""
    host_name, device = split_ref(ref)
    host = states.get(host_name)
    if host is None:
        return [
            _error("host-missing", ref, f"{host_name} is not among the hosts read", "add the host or unlink")
        ]
    pnic = host.pnic(device)
    if pnic is None:
        return [
            _error("nic-missing", ref, f"{host_name} has no NIC {device}", "re-read the hosts and re-link")
        ]
    found = []
    owner = foreign_owner(host, device, options.name_prefix)
    if owner is not None:
        found.append(
            _error(
                "nic-in-use",
                ref,
                f"{ref} is an uplink of {owner}, which this tool did not create",
                f"remove {device} from {owner} first, or link another NIC",
            )
        )
    if pnic.speed_mb is not None and pnic.speed_mb < 1000 and options.mtu > 1500:
        found.append(
            _warning(
                "mtu-slow-nic",
                ref,
                f"{ref} runs at {pnic.speed_mb} Mb/s; such links often do not pass MTU {options.mtu}",
                "validation will show it; use MTU 1500 on this link if jumbo pings fail",
            )
        )
    heard = pnic.neighbor
    peer_host, peer_device = split_ref(peer)
    if (
        heard is not None
        and heard.mtu is not None
        and heard.mtu < options.mtu
        and (_host_key(heard.device_id), heard.port_id) != (_host_key(peer_host), peer_device)
    ):
        found.append(
            _warning(
                "peer-mtu",
                ref,
                f"the neighbour of {ref} reports MTU {heard.mtu}, below the planned {options.mtu}",
                f"use MTU {heard.mtu} or raise it on the other end",
            )
        )
    return found


def _spec(speed: NicSpeed) -> tuple[int, bool]:
    assert speed.speed_mb is not None
    return speed.speed_mb, speed.full_duplex


def _unsupported_speed(ref: str, pnic: Pnic, speed_mb: int, full_duplex: bool) -> Finding:
    """A forced speed the NIC does not list in its valid link specifications: the host would refuse it."""
    offered = ", ".join(f"{mb}/{'full' if full else 'half'}" for mb, full in pnic.valid_speeds)
    return _error(
        "speed-unsupported",
        ref,
        f"{ref} cannot be forced to {speed_mb} Mb/s {'full' if full_duplex else 'half'} duplex "
        f"(it accepts {offered})",
        "force one of the speeds it accepts, or leave it on auto-negotiate",
    )


def _host_key(name: str) -> str:
    """Host names compared the way CDP device ids appear: case-insensitive, short name."""
    return name.casefold().split(".")[0]


def _cable_findings(states: dict[str, HostState], cable: Cable, options: DesignOptions) -> list[Finding]:
    """Problems of a cable as a whole: link state, contradicting neighbours, speeds, verification."""
    ends = [(ref, states.get(split_ref(ref)[0])) for ref in cable.ends]
    pnics = [(ref, host.pnic(split_ref(ref)[1]) if host else None) for ref, host in ends]
    if any(p is None for _, p in pnics):
        return []
    found = []
    up = [ref for ref, p in pnics if p is not None and p.link_up]
    down = [ref for ref, p in pnics if p is not None and not p.link_up]
    if len(down) == 2:
        found += [
            _error("link-down", ref, f"{ref} has no link", "check the cable and that both ends are on")
            for ref in down
        ]
    elif down:
        found.append(
            _error(
                "one-sided",
                down[0],
                f"{up[0]} has link but {down[0]} does not: "
                "the cable is in on one side only, or goes elsewhere",
                f"check where the cable from {up[0]} ends, then re-link",
            )
        )
    for (ref, pnic), (peer, _) in ((pnics[0], pnics[1]), (pnics[1], pnics[0])):
        said = pnic.neighbor if pnic else None
        peer_host, peer_device = split_ref(peer)
        if said is None or _host_key(said.device_id) not in {_host_key(name) for name in states}:
            continue
        if _host_key(said.device_id) != _host_key(peer_host) or said.port_id != peer_device:
            found.append(
                _error(
                    "cable-crossed",
                    ref,
                    f"{said.protocol.upper()} says {ref} is cabled to "
                    f"{said.device_id}/{said.port_id}, not {peer}",
                    f"link {ref} to {said.device_id}/{said.port_id}, or move the cable",
                )
            )
    forced = {s.ref: s for s in options.nic_speeds}
    settings = []
    for ref, pnic in pnics:
        assert pnic is not None
        wanted = forced.get(ref)
        if wanted is not None and wanted.speed_mb is not None and not pnic.accepts(*_spec(wanted)):
            found.append(_unsupported_speed(ref, pnic, wanted.speed_mb, wanted.full_duplex))
        speed = wanted.speed_mb if wanted else pnic.configured_speed_mb
        duplex = (wanted.full_duplex if wanted else pnic.configured_full_duplex) or speed is None
        settings.append((speed, duplex))
    if settings[0] != settings[1]:
        shown = [f"{s}/{'full' if d else 'half'}" if s else "auto" for s, d in settings]
        found.append(
            _warning(
                "speed-mismatch",
                cable.a,
                f"{cable.a} is set to {shown[0]} but {cable.b} to {shown[1]}; forcing one side only can "
                "end in half duplex and lost packets",
                "set both ends the same (both auto, or both forced)",
            )
        )
    if not cable.verified:
        applied = cable.source == "applied"
        how = (
            "configured by vmesh-tui (its objects on both ends)"
            if applied
            else "assumed from NIC names or by hand"
        )
        found.append(
            _warning(
                "unverified-applied" if applied else "unverified-cable",
                cable.a,
                f"{cable} is {how}, not seen by CDP/LLDP",
                "validation proves it" if applied else "validation after apply proves it",
            )
        )
    return found


def _states(hosts: Hosts) -> dict[str, HostState]:
    values = hosts.values() if isinstance(hosts, Mapping) else hosts
    return {state.name: state for state in values}


def preflight(
    hosts: Hosts, pairing: Pairing, addressing: Addressing, options: DesignOptions | None = None
) -> tuple[Finding, ...]:
    """All findings for applying ``pairing`` with ``addressing`` and ``options``; errors first."""
    options = options or DesignOptions()
    states = _states(hosts)
    found = list(addressing.findings)
    if not pairing.cables:
        found.append(
            _error("no-cables", "", "there are no cables to configure", "link at least one NIC pair")
        )
    seen: dict[str, Cable] = {}
    for cable in pairing.cables:
        if cable.hosts[0] == cable.hosts[1]:
            found.append(_error("same-host", cable.a, f"{cable} joins a host to itself", "unlink it"))
        for ref in cable.ends:
            if ref in seen:
                found.append(
                    _error(
                        "duplicate-nic",
                        ref,
                        f"{ref} is in two cables ({seen[ref]} and {cable})",
                        "unlink one",
                    )
                )
            seen[ref] = cable
            found += _end_findings(states, ref, cable.b if ref == cable.a else cable.a, options)
        found += _cable_findings(states, cable, options)
    addressed = {link.cable.ends for link in addressing.links}
    for cable in pairing.cables:
        if cable.ends not in addressed:
            found.append(
                _error("not-addressed", cable.a, f"{cable} has no subnet", "carve the addresses again")
            )
    found += _host_findings(states, options)
    return tuple(sorted(found, key=lambda f: f.severity is not Severity.ERROR))


def _host_findings(states: dict[str, HostState], options: DesignOptions) -> list[Finding]:
    found = []
    if options.layout == "shared":
        found.append(
            _warning(
                "shared-layout",
                "",
                "one vSwitch for all links does not always keep each vmk on its own NIC, and after a reboot "
                "vMotion can fail until failover is toggled",
                "use the per-link layout unless you need the older recipe",
            )
        )
    found += netstack_findings(states, options)  # names the vMotion vmks the vMotion stack takes over
    for host in states.values():
        found += _ownership_findings(host, options.name_prefix)
        taken_over = default_stack_vmotion(host, options.name_prefix) if options.netstack == "vmotion" else ()
        for vmk in host.vmks:
            if (
                "vmotion" in vmk.services
                and not is_owned_vmk(host, vmk, options.name_prefix)
                and vmk not in taken_over
            ):
                found.append(
                    _warning(
                        "other-vmotion-vmk",
                        f"{host.name}/{vmk.device}",
                        f"{vmk.device} on {host.name} is also tagged for vMotion; "
                        "vMotion may use it besides the links",
                        f"untag vMotion on {vmk.device} if only the direct links should carry it",
                    )
                )
        for group in host.portgroups:
            switch = host.vswitch(group.vswitch)
            if (
                switch
                and is_owned_name(switch.name, options.name_prefix)
                and not is_owned_name(group.name, options.name_prefix)
            ):
                found.append(
                    _error(
                        "foreign-on-owned",
                        f"{host.name}/{group.name}",
                        f"portgroup {group.name} on {host.name} sits on {switch.name}, "
                        "which this tool manages",
                        f"move {group.name} to another vSwitch first",
                    )
                )
    return found


def _ownership_findings(host: HostState, prefix: str) -> list[Finding]:
    """Objects that look like the tool's but are not: they block, so nothing of the admin's is touched."""
    found = []
    owned = owned_portgroup_names(host, prefix)
    for group in host.portgroups:
        if is_owned_name(group.name, prefix) and not is_owned_name(group.vswitch, prefix):
            on_it = [vmk.device for vmk in host.vmks if vmk.portgroup == group.name]
            carrying = f" and carries {', '.join(on_it)}" if on_it else ""
            found.append(
                _error(
                    "owned-name-foreign",
                    f"{host.name}/{group.name}",
                    f"portgroup {group.name} on {host.name} is named like this tool's objects ({prefix}-...) "
                    f"but sits on {group.vswitch}, which this tool did not create{carrying}",
                    f"rename {group.name}, or plan with another --name-prefix",
                )
            )
    for vmk in host.vmks:
        if vmk.portgroup in owned and is_protected_vmk(vmk):
            found.append(
                _error(
                    "management-vmk-owned",
                    f"{host.name}/{vmk.device}",
                    f"{vmk.device} on {host.name} carries management traffic on {vmk.portgroup}, "
                    "a portgroup this tool manages; the tool never changes a management vmk",
                    f"move {vmk.device} to a portgroup of your own, or plan with another --name-prefix",
                )
            )
    return found
