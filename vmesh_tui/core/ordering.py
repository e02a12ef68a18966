"""Stable, human ordering of names and a canonical object order for host states.

Plans and their inverses add and remove objects; keeping every state in one canonical order makes
"apply the plan, then its inverse" give back exactly the state we started from. Also here: what the tool
owns (vSwitches with the names it gives, ``prefix-N`` and the like, portgroups so named *on* such a
vSwitch, the vmks on those portgroups except management ones).
"""

from __future__ import annotations

import re
from dataclasses import replace

from vmesh_tui.core.model import HostState, Portgroup, Vmk

_DIGITS = re.compile(r"(\d+)")
_TOOL_NAME_TAIL = re.compile(r"[1-9][0-9]*|shared|probe|vmotion-[1-9][0-9]*")  # see is_owned_name

# vmks carrying one of these services are never removed or changed, wherever they sit.
PROTECTED_SERVICES = frozenset({"management"})


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
    """True when a vSwitch or portgroup name is one this tool creates: ``prefix-N``, ``prefix-shared``
    and ``prefix-probe`` (vSwitches), ``prefix-vmotion-N`` (portgroups), N from 1. Any other
    ``prefix-...`` name (an admin's ``vmesh-lab``, say) only looks like the tool's: it is never removed
    or changed, and its NICs are in use by it."""
    head = f"{prefix}-"
    return name.startswith(head) and _TOOL_NAME_TAIL.fullmatch(name[len(head) :]) is not None


def is_owned_portgroup(group: Portgroup, prefix: str) -> bool:
    """True when the tool owns the portgroup: an owned name *and* on a vSwitch with an owned name.

    A ``prefix-...`` portgroup on a vSwitch the tool did not create (say vSwitch0) is the admin's,
    whatever its name; preflight reports it (``owned-name-foreign``) and plans leave it alone.
    """
    return is_owned_name(group.name, prefix) and is_owned_name(group.vswitch, prefix)


def owned_portgroup_names(state: HostState, prefix: str) -> set[str]:
    """The names of the portgroups on ``state`` that the tool owns (see :func:`is_owned_portgroup`)."""
    return {group.name for group in state.portgroups if is_owned_portgroup(group, prefix)}


def is_protected_vmk(vmk: Vmk) -> bool:
    """True for a vmk the tool must never remove or change: one tagged for management."""
    return any(service.lower() in PROTECTED_SERVICES for service in vmk.services)


def is_owned_vmk(state: HostState, vmk: Vmk, prefix: str) -> bool:
    """True when the tool owns the vmk: on a portgroup it owns, and not tagged for management."""
    return vmk.portgroup in owned_portgroup_names(state, prefix) and not is_protected_vmk(vmk)
