"""Preflight: what blocks an apply (errors) and what the admin should know first (warnings).

Every finding has a stable code, a sentence saying what is wrong and a remedy (the codes in
:mod:`vmesh_tui.core.preflight_codes`). This module checks the pairing as a whole and each host; the
checks of each cable live in :mod:`vmesh_tui.core.cable_checks`. The validation helpers (ping checks
and the explanation of ping outcomes) live in :mod:`vmesh_tui.core.validation` and are re-exported here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Union

from vmesh_tui.core.addressing import Addressing
from vmesh_tui.core.cable_checks import cable_findings, end_findings
from vmesh_tui.core.design import DesignOptions
from vmesh_tui.core.errors import Finding, Severity
from vmesh_tui.core.model import HostState
from vmesh_tui.core.netstack import default_stack_vmotion, netstack_findings
from vmesh_tui.core.ordering import is_owned_name, is_owned_vmk, is_protected_vmk, owned_portgroup_names
from vmesh_tui.core.pairing import Cable, Pairing
from vmesh_tui.core.preflight_codes import error, warning
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
        found.append(error("no-cables", "", "there are no cables to configure", "link at least one NIC pair"))
    seen: dict[str, Cable] = {}
    for cable in pairing.cables:
        if cable.hosts[0] == cable.hosts[1]:
            found.append(error("same-host", cable.a, f"{cable} joins a host to itself", "unlink it"))
        for ref in cable.ends:
            if ref in seen:
                found.append(
                    error(
                        "duplicate-nic",
                        ref,
                        f"{ref} is in two cables ({seen[ref]} and {cable})",
                        "unlink one",
                    )
                )
            seen[ref] = cable
            found += end_findings(states, ref, cable.b if ref == cable.a else cable.a, options)
        found += cable_findings(states, cable, options)
    addressed = {link.cable.ends for link in addressing.links}
    for cable in pairing.cables:
        if cable.ends not in addressed:
            found.append(
                error("not-addressed", cable.a, f"{cable} has no subnet", "carve the addresses again")
            )
    found += _host_findings(states, options)
    return tuple(sorted(found, key=lambda f: f.severity is not Severity.ERROR))


def _host_findings(states: dict[str, HostState], options: DesignOptions) -> list[Finding]:
    found = []
    if options.layout == "shared":
        found.append(
            warning(
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
                    warning(
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
                    error(
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
                error(
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
                error(
                    "management-vmk-owned",
                    f"{host.name}/{vmk.device}",
                    f"{vmk.device} on {host.name} carries management traffic on {vmk.portgroup}, "
                    "a portgroup this tool manages; the tool never changes a management vmk",
                    f"move {vmk.device} to a portgroup of your own, or plan with another --name-prefix",
                )
            )
    return found
