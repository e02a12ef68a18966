"""The patch-panel picture: one host's NICs on the left, the other's on the right, a line per cable."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text

from vmesh_tui.core.model import HostState, Pnic, nic_ref, split_ref
from vmesh_tui.tui.glyphs import Glyphs

CELL = 27
MIDDLE = 20


@dataclass(frozen=True)
class PanelRow:
    """A line of the panel: a cable (both ends), or a lone NIC on one side (maybe excluded)."""

    left: str | None
    right: str | None
    cable: Any = None
    exclusion: str | None = None

    @property
    def lone(self) -> str | None:
        """The one NIC of a row without a cable (what linking uses)."""
        return None if self.cable is not None else (self.left or self.right)


def speed_text(pnic: Pnic) -> str:
    if pnic.speed_mb is None:
        return "down"
    return f"{pnic.speed_mb // 1000}G" if pnic.speed_mb >= 1000 else f"{pnic.speed_mb}M"


def nic_cell(hosts: dict[str, HostState], ref: str | None) -> str:
    """``vmnic1 1G igb``; with more than two hosts the short host name leads (``esx-c/vmnic1 1G``)."""
    if ref is None:
        return ""
    host, device = split_ref(ref)
    pnic = hosts[host].pnic(device) if host in hosts else None
    if len(hosts) > 2:
        return f"{host.split('.')[0]}/{device} {speed_text(pnic) if pnic else ''}".strip()[: CELL - 1]
    if pnic is None:
        return device
    return f"{device} {speed_text(pnic)} {pnic.driver}".strip()


def build_rows(hosts: dict[str, HostState], pairing: Any) -> list[PanelRow]:
    """Cables first, then each side's free NICs, then excluded NICs (with their reasons)."""
    names = sorted(hosts)
    two = len(names) == 2
    rows = [PanelRow(c.a, c.b, cable=c) for c in pairing.cables]
    excluded = {e.ref: e.reason for e in pairing.excluded}
    cabled = {ref for c in pairing.cables for ref in (c.a, c.b)}
    lone: list[PanelRow] = []
    greyed: list[PanelRow] = []
    for name in names:
        on_right = two and name == names[1]
        for pnic in hosts[name].pnics:
            ref = nic_ref(name, pnic.device)
            if ref in cabled:
                continue
            reason = excluded.get(ref)
            row = PanelRow(None if on_right else ref, ref if on_right else None, exclusion=reason)
            (greyed if reason else lone).append(row)
    return rows + lone + greyed


def render_row(
    row: PanelRow, hosts: dict[str, HostState], glyphs: Glyphs, marked: str | None, tag: str | None = None
) -> Text:
    """One panel line, with a text mark for every state so it reads without colour. ``tag``: a short label
    for an excluded NIC in place of the start of its reason (the probe's finding, e.g. "dark")."""
    mark = "*" if marked is not None and marked in (row.left, row.right) else " "
    left = nic_cell(hosts, row.left)
    right = nic_cell(hosts, row.right)
    if row.cable is not None:
        label = f" {row.cable.source} {glyphs.verified if row.cable.verified else glyphs.unverified} "
        dash = glyphs.cable if row.cable.verified else glyphs.cable_guess
        fill = max(0, MIDDLE - len(label))
        line = (dash * MIDDLE)[: fill // 2] + label + (dash * MIDDLE)[: fill - fill // 2]
        style = "bold" if row.cable.verified else ""
        colour = "green" if row.cable.verified else "yellow"
        return Text.assemble(mark, (f"{left:<{CELL}}", style), (line, colour), (f" {right:<{CELL}}", style))
    if row.exclusion:
        reason = f"({tag or row.exclusion.split(',')[0].split(' (')[0]})"
        reason = reason if len(reason) <= MIDDLE else reason[: MIDDLE - 2] + "..)"
        text = f"{mark}{left or ' ' * CELL:<{CELL}}{reason:^{MIDDLE}} {right}"
        return Text(text, style="dim")
    middle = "(free)"
    return Text(f"{mark}{left:<{CELL}}{middle:^{MIDDLE}} {right}")


def describe_nic(hosts: dict[str, HostState], ref: str, pairing: Any) -> str:
    """One line about a NIC: speed, driver, MAC, what uses it, neighbour, exclusion reason."""
    host, device = split_ref(ref)
    state = hosts.get(host)
    pnic = state.pnic(device) if state else None
    if state is None or pnic is None:
        return ref
    owner = state.nic_user(device)
    used = f"uplink of {owner}" if owner else "unused"
    parts = [f"{ref}: {speed_text(pnic)}", pnic.driver or "driver ?", pnic.mac, used]
    if pnic.neighbor is not None:
        parts.append(
            f"{pnic.neighbor.protocol.upper()} sees {pnic.neighbor.device_id}/{pnic.neighbor.port_id}"
        )
    exclusion = pairing.exclusion_of(ref) if pairing is not None else None
    if exclusion is not None:
        parts.append(f"excluded: {exclusion.reason}")
    return ", ".join(p for p in parts if p)


def cables_line(pairing: Any) -> str:
    """``4 cable(s), 4 unverified (validation proves them)``; the tool's own cables are counted as in use."""
    cables = pairing.cables
    unverified = sum(1 for c in cables if not c.verified)
    applied = sum(1 for c in cables if c.source == "applied")
    note = f", {unverified} unverified (validation proves them)" if unverified else ""
    if applied:  # the cables the tool configured: shorter, so the line fits 78 columns
        note = f", {applied} in use by vmesh-tui" + (f", {unverified} unverified" if unverified else "")
    return f"{len(cables)} cable(s){note}"
