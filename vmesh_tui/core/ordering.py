"""Stable, human ordering of names and a canonical object order for host states.

Plans and their inverses add and remove objects; keeping every state in one canonical order makes
"apply the plan, then its inverse" give back exactly the state we started from.
"""

from __future__ import annotations

import re
from dataclasses import replace

from vmesh_tui.core.model import HostState, Vmk

_DIGITS = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key that orders "vmnic2" before "vmnic10" and "vmesh-9" before "vmesh-10"."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in _DIGITS.split(text) if part)


def _vmk_key(vmk: Vmk) -> tuple[bool, tuple[tuple[int, int | str], ...], tuple[tuple[int, int | str], ...]]:
    # Named vmks first in natural order; not-yet-created ones ("" device) after them, by portgroup.
    return (vmk.device == "", natural_key(vmk.device), natural_key(vmk.portgroup))


def canonical_state(state: HostState) -> HostState:
    """The same state with pnics, vSwitches, portgroups and vmks in natural name order."""
    return replace(
        state,
        pnics=tuple(sorted(state.pnics, key=lambda p: natural_key(p.device))),
        vswitches=tuple(sorted(state.vswitches, key=lambda v: natural_key(v.name))),
        portgroups=tuple(sorted(state.portgroups, key=lambda p: natural_key(p.name))),
        vmks=tuple(sorted(state.vmks, key=_vmk_key)),
    )


def is_owned_name(name: str, prefix: str) -> bool:
    """True when a vSwitch or portgroup name marks it as created by this tool (``prefix-...``)."""
    return name.startswith(f"{prefix}-")
