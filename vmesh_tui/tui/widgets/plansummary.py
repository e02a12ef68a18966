"""The preview at a glance: one line per link and host (vSwitch, failover, vmk, IP, MTU, vMotion, change).

Pure text from the plan: the observed and desired host states, the steps, and the links. Updated objects
show their old values (old->new) on a line of their own, so nothing changes unseen.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from vmesh_tui.core.addressing import Link
from vmesh_tui.core.design import portgroup_name
from vmesh_tui.core.model import DEFAULT_NETSTACK, HostState, Pnic, Portgroup, Vmk, VSwitch, split_ref
from vmesh_tui.core.steps import Action, NetObject, Step, object_kind

HEADERS = ("#", "vSwitch", "active", "unused", "vmk", "IP/prefix", "MTU", "vMotion", "change")
LEGEND = "active + unused = the vSwitch's uplinks, in failover order (sb: standby)"


def nic_list(devices: Sequence[str]) -> str:
    """``vmnic1, vmnic2, vmnic5`` -> ``vmnic1,2,5`` (every NIC named vmnicN); ``-`` for none."""
    if not devices:
        return "-"
    if all(d.startswith("vmnic") and d[5:].isdigit() for d in devices):
        return ",".join([devices[0], *(d[5:] for d in devices[1:])])
    return ",".join(devices)


def _speed(mb: int | None) -> str:
    return "auto" if mb is None else f"{mb} Mb/s"


def differences(before: NetObject, after: NetObject) -> list[str]:
    """What an update changes, old value first: ``MTU 1500->9000``, ``IP 10.0.0.5/30->10.0.0.1/30``."""
    pairs: list[tuple[str, object, object]] = []
    if isinstance(before, VSwitch) and isinstance(after, VSwitch):
        pairs = [
            ("MTU", before.mtu, after.mtu),
            ("uplinks", nic_list(before.uplinks), nic_list(after.uplinks)),
            ("active", nic_list(before.active), nic_list(after.active)),
            ("standby", nic_list(before.standby), nic_list(after.standby)),
            ("CDP", before.cdp, after.cdp),
        ]
    elif isinstance(before, Portgroup) and isinstance(after, Portgroup):
        pairs = [
            ("vSwitch", before.vswitch, after.vswitch),
            ("VLAN", before.vlan, after.vlan),
            ("active", nic_list(before.active or ()), nic_list(after.active or ())),
            ("standby", nic_list(before.standby or ()), nic_list(after.standby or ())),
            ("teaming", before.teaming or "inherited", after.teaming or "inherited"),
        ]
    elif isinstance(before, Vmk) and isinstance(after, Vmk):
        pairs = [
            ("IP", before.cidr or "none", after.cidr or "none"),
            ("MTU", before.mtu, after.mtu),
            (
                "services",
                ",".join(sorted(before.services)) or "none",
                ",".join(sorted(after.services)) or "none",
            ),
            ("netstack", before.netstack, after.netstack),
        ]
    elif isinstance(before, Pnic) and isinstance(after, Pnic):
        pairs = [("speed", _speed(before.configured_speed_mb), _speed(after.configured_speed_mb))]
    shown = [(name, "none" if old == "-" else old, "none" if new == "-" else new) for name, old, new in pairs]
    return [f"{name} {old}->{new}" for name, old, new in shown if old != new]


def step_for(steps: Sequence[Step], kind: str, key: str) -> Step | None:
    """The step about object ``kind`` (vswitch, portgroup, vmk, pnic) named ``key`` that leaves it as
    planned (an add or update rather than the removal before it, when the object is re-created), if any."""
    about = [s for s in steps if object_kind(s.obj) == kind and s.target == key]
    return next((s for s in about if s.after is not None), about[0] if about else None)


def recreated(steps: Sequence[Step], kind: str, key: str) -> tuple[Step, Step] | None:
    """The removal and the add of an object the plan removes and adds again (e.g. a link renumbered)."""
    about = [s for s in steps if object_kind(s.obj) == kind and s.target == key]
    gone = next((s for s in about if s.action == Action.REMOVE), None)
    back = next((s for s in about if s.action == Action.ADD), None)
    return (gone, back) if gone is not None and back is not None else None


def recreated_text(steps: Sequence[Step], kind: str, key: str) -> str | None:
    """``re-created: uplinks vmnic1->vmnic2`` (old values first), or None when it is not re-created."""
    pair = recreated(steps, kind, key)
    if pair is None:
        return None
    assert pair[0].before is not None and pair[1].after is not None
    changed = ", ".join(differences(pair[0].before, pair[1].after))
    return f"re-created: {changed}" if changed else "re-created"


@dataclass(frozen=True)
class Row:
    """One link's end on one host, as the summary shows it."""

    cells: tuple[str, ...]
    changes: tuple[str, ...] = ()  # old > new, for updated objects


def _change_word(found: list[Step], again: bool) -> str:
    actions = {s.action for s in found}
    if again:
        return "re-created"
    if not actions:
        return "as is"
    if actions == {Action.ADD}:
        return "new"
    if Action.ADD in actions:
        return "new+changed"
    return "changed"


def _vmotion(vmk: Vmk) -> str:
    if vmk.netstack != DEFAULT_NETSTACK:
        return f"stack {vmk.netstack}" if vmk.netstack != "vmotion" else "stack"
    return "yes" if "vmotion" in vmk.services else "no"


def link_row(desired: HostState, steps: Sequence[Step], link: Link, device: str, prefix: str) -> Row:
    """The row of ``link``'s end ``device`` on ``desired``'s host."""
    group = desired.portgroup(portgroup_name(prefix, link.number))
    switch = desired.vswitch(group.vswitch) if group else None
    vmk = desired.vmk_on(group.name) if group else None
    if group is None or switch is None:
        return Row((str(link.number), "?", device, "-", "-", "-", "-", "-", "missing from the plan"))
    active = group.active if group.active is not None else switch.active or switch.uplinks
    standby = group.standby if group.standby is not None else switch.standby
    unused = [u for u in switch.uplinks if u not in active and u not in standby]
    keys = (("vswitch", switch.name), ("portgroup", group.name), ("vmk", group.name), ("pnic", device))
    found = [s for s in (step_for(steps, kind, key) for kind, key in keys) if s is not None]
    again = [(kind, key) for kind, key in keys if recreated(steps, kind, key)]
    mtu = str(vmk.mtu if vmk else switch.mtu)
    if vmk is not None and vmk.mtu != switch.mtu:
        mtu = f"{vmk.mtu} (vSwitch {switch.mtu})"
    failover = nic_list(active) + (f" sb {nic_list(standby)}" if standby else "")
    cells = (
        str(link.number),
        switch.name,
        failover,
        nic_list(unused),
        (vmk.device or "new") if vmk else "none",
        (vmk.cidr or "no IP") if vmk else "-",
        mtu,
        _vmotion(vmk) if vmk else "-",
        _change_word(found, bool(again)),
    )
    changes = []
    what = {"vswitch": "vSwitch", "portgroup": "portgroup", "vmk": "vmk", "pnic": "NIC"}
    for step in found:
        if step.action == Action.UPDATE and step.before is not None and step.after is not None:
            label = f"{what[object_kind(step.obj)]} {step.target}"
            changes.append(f"{label}: {', '.join(differences(step.before, step.after)) or 'respecified'}")
    if again:  # removed and added again: one line with what differs (old values first)
        differ: list[str] = []
        for kind, key in again:
            pair = recreated(steps, kind, key)
            assert pair is not None and pair[0].before is not None and pair[1].after is not None
            differ += [d for d in differences(pair[0].before, pair[1].after) if d not in differ]
        changes.append("removed and added again" + (f": {', '.join(differ)}" if differ else ""))
    return Row(cells, tuple(changes))


def host_rows(desired: HostState, steps: Sequence[Step], links: Sequence[Link], prefix: str) -> list[Row]:
    rows = []
    for link in sorted(links, key=lambda item: item.index):
        for ref in link.cable.ends:
            host, device = split_ref(ref)
            if host == desired.name:
                rows.append(link_row(desired, steps, link, device, prefix))
    return rows


def _widths(rows: Sequence[Row]) -> list[int]:
    return [max(len(cells[i]) for cells in [HEADERS, *(r.cells for r in rows)]) for i in range(len(HEADERS))]


def _line(cells: Sequence[str], widths: Sequence[int]) -> str:
    return " ".join(f"{cell:<{width}}" for cell, width in zip(cells, widths)).rstrip()


def summary_text(
    desired: Mapping[str, HostState],
    steps_by_host: Mapping[str, Sequence[Step]],
    links: Sequence[Link],
    prefix: str,
    width: int = 76,
) -> str:
    """Every host's links as aligned rows (one table width for all hosts), then removals and speeds."""
    rows = {name: host_rows(desired[name], steps_by_host.get(name, ()), links, prefix) for name in desired}
    widths = _widths([row for host in rows.values() for row in host])
    blocks = []
    for name in sorted(desired):
        steps = list(steps_by_host.get(name, ()))
        lines = [f"{name}: {len(steps)} change(s)", " " + _line(HEADERS, widths)]
        for row in rows[name]:
            lines.append(" " + _line(row.cells, widths))
            indent = " " * (widths[0] + 2)
            for change in row.changes:
                lines += textwrap.wrap(change, width, initial_indent=indent, subsequent_indent=indent + "  ")
        on_rows = {
            split_ref(ref)[1] for link in links for ref in link.cable.ends if split_ref(ref)[0] == name
        }
        for step in steps:
            if step.action == Action.REMOVE and not recreated(steps, object_kind(step.obj), step.target):
                lines.append(f"  remove {object_kind(step.obj)} {step.target} (no longer in the plan)")
            elif object_kind(step.obj) == "pnic" and step.target not in on_rows:
                assert step.before is not None and step.after is not None
                lines.append(f"  NIC {step.target}: {', '.join(differences(step.before, step.after))}")
        blocks.append("\n".join(lines))
    return "\n\n".join([*blocks, LEGEND])
