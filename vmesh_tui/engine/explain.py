"""What the engine adds to core.validation's explanations: tags, measured crossings, unrouted peers."""

from __future__ import annotations

from vmesh_tui.core.design import DesignOptions
from vmesh_tui.core.model import HostState, Vmk


def tag_problems(state: HostState, vmk: Vmk, options: DesignOptions) -> list[str]:
    """A link vmk on the default netstack must be tagged for vMotion (the vmotion netstack implies it)."""
    if options.netstack == "default" and "vmotion" not in vmk.services:
        return [f"{vmk.device} on {state.name} is not tagged for vMotion (apply again to tag it)"]
    return []


def crossed(src_ref: str, expected_ref: str, actual_ref: str) -> str:
    return (
        f"cables crossed: {src_ref} is most likely cabled to {actual_ref}, not {expected_ref}: both links "
        "are up but silent (swap the cables, or re-link the NICs and apply again)"
    )


def unrouted(host: str, peer_ip: str, device: str) -> str:
    return (
        f"{host} reaches {peer_ip} through {device} but not without naming it: the routing table picks "
        "another path (give each link its own subnet)"
    )
