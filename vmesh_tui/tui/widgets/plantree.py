"""The preview as text: per host, vSwitch -> portgroup (failover) -> vmk, with what changes."""

from __future__ import annotations

from collections.abc import Mapping

from vmesh_tui.core.model import HostState, Portgroup, Vmk, VSwitch
from vmesh_tui.core.steps import Action, Step
from vmesh_tui.tui.glyphs import Glyphs


def change_mark(steps: list[Step], kind: str, key: str) -> str:
    """``[new]``, ``[changed]``, ``[remove]`` or "" for the object ``kind``/``key`` in ``steps``."""
    for step in steps:
        if step.kind.endswith(kind) and step.target == key:
            return {Action.ADD: " [new]", Action.UPDATE: " [changed]", Action.REMOVE: " [remove]"}[
                step.action
            ]
    return ""


def failover(pg: Portgroup, vswitch: VSwitch) -> str:
    active = pg.active if pg.active is not None else vswitch.active or vswitch.uplinks
    standby = pg.standby if pg.standby is not None else vswitch.standby
    unused = [u for u in vswitch.uplinks if u not in active and u not in (standby or ())]
    text = f"active {', '.join(active) or '-'}"
    if standby:
        text += f"; standby {', '.join(standby)}"
    return text + f"; unused {', '.join(unused) or '-'}"


def vmk_line(vmk: Vmk, mark: str) -> str:
    services = "vMotion" if "vmotion" in vmk.services else ", ".join(sorted(vmk.services)) or "no services"
    name = vmk.device or "vmk (new)"
    stack = "" if vmk.netstack == "defaultTcpipStack" else f" stack {vmk.netstack}"
    return f"{name} {vmk.cidr or 'no IP'} MTU {vmk.mtu} {services}{stack}{mark}"


def host_tree(desired: HostState, steps: list[Step], prefix: str, glyphs: Glyphs) -> list[str]:
    """Lines for one host: the tool-owned vSwitches as a tree, then removals and NIC speed changes."""
    lines = [f"{desired.name}  ({len(steps)} change(s))"]
    owned = [v for v in desired.vswitches if v.name.startswith(f"{prefix}-")]
    for i, vswitch in enumerate(owned):
        last_vs = i == len(owned) - 1
        lead = glyphs.elbow if last_vs else glyphs.tee
        lines.append(
            f"{lead}vSwitch {vswitch.name} MTU {vswitch.mtu} uplinks {', '.join(vswitch.uplinks) or '-'}"
            f"{change_mark(steps, 'vswitch', vswitch.name)}"
        )
        indent = "   " if last_vs else glyphs.pipe
        groups = [pg for pg in desired.portgroups if pg.vswitch == vswitch.name]
        for j, pg in enumerate(groups):
            last_pg = j == len(groups) - 1
            lines.append(
                f"{indent}{glyphs.elbow if last_pg else glyphs.tee}"
                f"portgroup {pg.name}: {failover(pg, vswitch)}"
                f"{change_mark(steps, 'portgroup', pg.name)}"
            )
            vmk = desired.vmk_on(pg.name)
            if vmk is not None:
                inner = indent + ("   " if last_pg else glyphs.pipe)
                lines.append(f"{inner}{glyphs.elbow}{vmk_line(vmk, change_mark(steps, 'vmk', pg.name))}")
    for step in steps:
        if step.action == Action.REMOVE:
            lines.append(f"{glyphs.tee}remove {step.kind.removeprefix('remove_')} {step.target}")
        elif step.kind == "update_pnic":
            speed = getattr(step.after, "configured_speed_mb", None)
            lines.append(f"{glyphs.tee}NIC {step.target}: speed {speed or 'auto-negotiate'}")
    return lines


def plan_text(
    desired: Mapping[str, HostState], steps_by_host: Mapping[str, list[Step]], prefix: str, glyphs: Glyphs
) -> str:
    """The whole preview, host after host."""
    blocks = [
        "\n".join(host_tree(desired[name], list(steps_by_host.get(name, [])), prefix, glyphs))
        for name in sorted(desired)
    ]
    return "\n\n".join(blocks)
