"""The preview as a tree: per host, vSwitch > portgroup (failover) > vmk, with what changes and from what."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence

from vmesh_tui.core.model import HostState, Portgroup, Vmk, VSwitch
from vmesh_tui.core.steps import Action, Step, object_kind
from vmesh_tui.tui.glyphs import Glyphs
from vmesh_tui.tui.widgets.plansummary import differences, recreated, recreated_text, step_for

Node = tuple[str, list["Node"]]  # a line and the lines under it


def change_mark(steps: Sequence[Step], kind: str, key: str) -> str:
    """`` [new]``, `` [changed: MTU 1500->9000]``, `` [remove]`` or "" for object ``kind``/``key``."""
    again = recreated_text(steps, kind, key)
    if again is not None:
        return f" [{again}]"
    step = step_for(steps, kind, key)
    if step is None:
        return ""
    if step.action == Action.UPDATE and step.before is not None and step.after is not None:
        changed = ", ".join(differences(step.before, step.after)) or "respecified"
        return f" [changed: {changed}]"
    return {Action.ADD: " [new]", Action.REMOVE: " [remove]", Action.UPDATE: " [changed]"}[step.action]


def failover(pg: Portgroup, vswitch: VSwitch) -> str:
    active = pg.active if pg.active is not None else vswitch.active or vswitch.uplinks
    standby = pg.standby if pg.standby is not None else vswitch.standby
    unused = [u for u in vswitch.uplinks if u not in active and u not in (standby or ())]
    text = f"active {', '.join(active) or 'none'}"
    if standby:
        text += f"; standby {', '.join(standby)}"
    return text + f"; unused {', '.join(unused) or 'none'}"


def vmk_line(vmk: Vmk, mark: str) -> str:
    services = "vMotion" if "vmotion" in vmk.services else ", ".join(sorted(vmk.services)) or "no services"
    name = vmk.device or "vmk (new)"
    stack = "" if vmk.netstack == "defaultTcpipStack" else f" stack {vmk.netstack}"
    return f"{name} {vmk.cidr or 'no IP'} MTU {vmk.mtu} {services}{stack}{mark}"


def host_nodes(desired: HostState, steps: Sequence[Step], prefix: str) -> list[Node]:
    """The tool's vSwitches with their portgroups and vmks, then removals and NIC speed changes."""
    nodes: list[Node] = []
    for vswitch in (v for v in desired.vswitches if v.name.startswith(f"{prefix}-")):
        groups: list[Node] = []
        for pg in (p for p in desired.portgroups if p.vswitch == vswitch.name):
            vmk = desired.vmk_on(pg.name)
            under: list[Node] = (
                [] if vmk is None else [(vmk_line(vmk, change_mark(steps, "vmk", pg.name)), [])]
            )
            groups.append(
                (
                    f"portgroup {pg.name}: {failover(pg, vswitch)}{change_mark(steps, 'portgroup', pg.name)}",
                    under,
                )
            )
        uplinks = ", ".join(vswitch.uplinks) or "none"
        line = f"vSwitch {vswitch.name} MTU {vswitch.mtu} uplinks {uplinks}"
        nodes.append((line + change_mark(steps, "vswitch", vswitch.name), groups))
    for step in steps:
        if step.action == Action.REMOVE and not recreated(steps, object_kind(step.obj), step.target):
            nodes.append((f"remove {object_kind(step.obj)} {step.target}", []))
        elif object_kind(step.obj) == "pnic" and step.before is not None and step.after is not None:
            changed = ", ".join(differences(step.before, step.after)) or "respecified"
            nodes.append((f"NIC {step.target}: {changed} [changed]", []))
    return nodes


def draw(nodes: Sequence[Node], glyphs: Glyphs, indent: str = "", width: int = 76) -> list[str]:
    """Tree lines: ├─ for every child but the last, └─ for the last, │ continuing only past open branches.
    A line longer than ``width`` wraps under its own text, with the branch lines drawn through."""
    lines = []
    for i, (text, children) in enumerate(nodes):
        last = i == len(nodes) - 1
        inner = indent + ("   " if last else glyphs.pipe)
        room = max(20, width - len(inner) - 3)
        parts = textwrap.wrap(text, room, break_long_words=False, break_on_hyphens=False) or [""]
        lines.append(f"{indent}{glyphs.elbow if last else glyphs.tee}{parts[0]}")
        lines += [f"{inner}{glyphs.pipe if children else '   '}{part}" for part in parts[1:]]
        lines += draw(children, glyphs, inner, width)
    return lines


def host_tree(desired: HostState, steps: Sequence[Step], prefix: str, glyphs: Glyphs) -> list[str]:
    """Lines for one host: its name and change count, then its tree."""
    nodes = host_nodes(desired, steps, prefix)
    return [f"{desired.name}  ({len(steps)} change(s))", *draw(nodes, glyphs)]


def plan_text(
    desired: Mapping[str, HostState], steps_by_host: Mapping[str, Sequence[Step]], prefix: str, glyphs: Glyphs
) -> str:
    """The whole tree, host after host."""
    blocks = [
        "\n".join(host_tree(desired[name], list(steps_by_host.get(name, [])), prefix, glyphs))
        for name in sorted(desired)
    ]
    return "\n\n".join(blocks)
