"""What the vMotion TCP/IP stack does to a host's other vMotion networks (findings for preflight).

Once any vmk of a host is on the vMotion netstack, vMotion on that host's default-stack vmks stops: the
vMotion stack carries every migration. With the direct cables on it, vMotion to or from hosts outside
the mesh has no network any more. (VMware's documentation; see DOMAIN.md.)
"""

from __future__ import annotations

from collections.abc import Mapping

from vmesh_tui.core.design import DesignOptions
from vmesh_tui.core.errors import Finding, Severity
from vmesh_tui.core.model import DEFAULT_NETSTACK, HostState, Vmk
from vmesh_tui.core.ordering import is_owned_vmk


def default_stack_vmotion(host: HostState, prefix: str) -> tuple[Vmk, ...]:
    """The host's vmks (not the tool's) that carry vMotion on the default TCP/IP stack."""
    return tuple(
        vmk
        for vmk in host.vmks
        if "vmotion" in vmk.services
        and vmk.netstack == DEFAULT_NETSTACK
        and not is_owned_vmk(host, vmk, prefix)
    )


def netstack_findings(states: Mapping[str, HostState], options: DesignOptions) -> list[Finding]:
    """With ``--netstack vmotion``: the direct links serve only these hosts, and each default-stack vMotion
    vmk that stops carrying vMotion is named."""
    if options.netstack != "vmotion":
        return []
    names = ", ".join(sorted(states))
    found = [
        Finding(
            "vmotion-netstack",
            Severity.WARNING,
            f"vmks on the direct cables serve only migrations between these hosts ({names}): once a host has "
            "a vmk on the vMotion TCP/IP stack, vMotion to or from any other host has no network",
            "use --netstack default if these hosts also migrate VMs to or from other hosts",
            "",
        )
    ]
    for name in sorted(states):
        for vmk in default_stack_vmotion(states[name], options.name_prefix):
            found.append(
                Finding(
                    "vmotion-stack-takeover",
                    Severity.WARNING,
                    f"{vmk.device} on {name} carries vMotion on the default TCP/IP stack; it stops carrying "
                    "vMotion once the vMotion stack has a vmk on this host",
                    f"keep --netstack default if vMotion through {vmk.device} is still needed",
                    f"{name}/{vmk.device}",
                    "{n} default-stack vMotion vmks stop carrying vMotion once the vMotion stack has a vmk",
                )
            )
    return found
