"""Apply one plan step to a host state, purely, with the checks a real host would make.

The applier refuses what ESXi would refuse (a NIC already bound to another vSwitch, a portgroup on a
missing vSwitch, removing a vSwitch that still has portgroups, a stale ``before``), so a plan that
applies here is also correctly ordered for a host. New vmks get the lowest free ``vmkN``.
"""

from __future__ import annotations

import re
from dataclasses import replace

from vmesh_tui.core.errors import CoreError
from vmesh_tui.core.model import HostState, Pnic, Portgroup, Vmk, VSwitch
from vmesh_tui.core.ordering import canonical_state
from vmesh_tui.core.steps import Action, NetObject, Step, object_key, object_kind

_VMK = re.compile(r"vmk(\d+)")
_FIELDS = {"vswitch": "vswitches", "portgroup": "portgroups", "vmk": "vmks", "pnic": "pnics"}


def next_vmk_device(state: HostState) -> str:
    """The device name a host gives its next vmk: the lowest ``vmkN`` not in use."""
    used = {int(m.group(1)) for v in state.vmks if (m := _VMK.fullmatch(v.device))}
    return f"vmk{next(n for n in range(len(used) + 1) if n not in used)}"


def _conflict(step: Step, problem: str) -> CoreError:
    return CoreError(
        "step-conflict",
        f"{step.kind} {step.target} on {step.host}: {problem}",
        "re-read the hosts and plan again",
    )


def _matches(current: NetObject, before: NetObject) -> bool:
    if isinstance(current, Vmk) and isinstance(before, Vmk) and before.device == "":
        return replace(current, device="", mac="") == replace(before, mac="")
    if isinstance(current, Pnic) and isinstance(before, Pnic):
        return (current.configured_speed_mb, current.configured_full_duplex) == (
            before.configured_speed_mb,
            before.configured_full_duplex,
        )
    return current == before


def _check_add(state: HostState, step: Step, obj: NetObject) -> None:
    if isinstance(obj, VSwitch):
        _check_uplinks(state, step, obj)
    elif isinstance(obj, Portgroup):
        if state.vswitch(obj.vswitch) is None:
            raise _conflict(step, f"vSwitch {obj.vswitch} does not exist")
    elif isinstance(obj, Vmk):
        if state.portgroup(obj.portgroup) is None:
            raise _conflict(step, f"portgroup {obj.portgroup} does not exist")
        if obj.device and state.vmk(obj.device) is not None:
            raise _conflict(step, f"{obj.device} already exists")
    else:
        raise _conflict(step, "physical NICs cannot be added or removed")


def _check_uplinks(state: HostState, step: Step, switch: VSwitch) -> None:
    for device in switch.uplinks:
        if state.pnic(device) is None:
            raise _conflict(step, f"there is no NIC {device}")
        owner = state.nic_user(device)
        if owner is not None and owner != switch.name:
            raise _conflict(step, f"{device} is already an uplink of {owner}")


def _check_remove(state: HostState, step: Step, obj: NetObject) -> None:
    if isinstance(obj, VSwitch) and any(pg.vswitch == obj.name for pg in state.portgroups):
        raise _conflict(step, "portgroups are still on it")
    if isinstance(obj, Portgroup) and state.vmk_on(obj.name) is not None:
        raise _conflict(step, "a vmk is still on it")
    if isinstance(obj, Pnic):
        raise _conflict(step, "physical NICs cannot be added or removed")


def apply_step(state: HostState, step: Step) -> HostState:
    """The host state after ``step`` (canonical order); CoreError when the step does not fit the state."""
    if step.host != state.name:
        raise _conflict(step, f"the state given is of {state.name}")
    kind = object_kind(step.obj)
    field = _FIELDS[kind]
    objects: list[NetObject] = list(getattr(state, field))
    index = next((i for i, o in enumerate(objects) if object_key(o) == step.target), None)
    current = objects[index] if index is not None else None
    if step.action is Action.ADD:
        assert step.after is not None
        if current is not None:
            raise _conflict(step, "it already exists")
        _check_add(state, step, step.after)
        added = step.after
        if isinstance(added, Vmk) and not added.device:
            added = replace(added, device=next_vmk_device(state))
        objects.append(added)
    else:
        assert step.before is not None
        if current is None or index is None:
            raise _conflict(step, "it does not exist")
        if not _matches(current, step.before):
            raise _conflict(step, "it changed since the plan was made")
        if step.action is Action.REMOVE:
            _check_remove(state, step, current)
            del objects[index]
        else:
            assert step.after is not None
            objects[index] = _updated(state, step, current, step.after)
    return canonical_state(replace(state, **{field: tuple(objects)}))  # type: ignore[arg-type]


def _updated(state: HostState, step: Step, current: NetObject, after: NetObject) -> NetObject:
    if isinstance(after, VSwitch):
        _check_uplinks(state, step, after)
    if isinstance(after, Portgroup) and state.vswitch(after.vswitch) is None:
        raise _conflict(step, f"vSwitch {after.vswitch} does not exist")
    if isinstance(after, Vmk) and isinstance(current, Vmk) and not after.device:
        return replace(after, device=current.device, mac=after.mac or current.mac)
    if isinstance(after, Pnic) and isinstance(current, Pnic):
        return replace(
            current,
            configured_speed_mb=after.configured_speed_mb,
            configured_full_duplex=after.configured_full_duplex,
        )
    return after
