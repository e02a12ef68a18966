"""Finding and comparing one network object in a host state, the way the engine must judge them.

Identity follows core.steps.object_key: vSwitch/portgroup by name, vmk by its portgroup, pnic by device.
A pnic is judged by its configuration only (negotiated speed and CDP neighbours change by themselves),
and a designed vmk ("" device, no MAC yet) matches the created one whatever device the host chose.
"""

from __future__ import annotations

from dataclasses import replace

from vmesh_tui.core.model import HostState, Pnic, Portgroup, Vmk, VSwitch
from vmesh_tui.core.steps import Action, NetObject, Step, object_key, object_kind


def find(state: HostState, kind: str, key: str) -> NetObject | None:
    """The object of this kind and identity in ``state``, or None."""
    if kind == "vswitch":
        return state.vswitch(key)
    if kind == "portgroup":
        return state.portgroup(key)
    if kind == "vmk":
        return state.vmk_on(key)
    return state.pnic(key)


def find_like(state: HostState, obj: NetObject) -> NetObject | None:
    return find(state, object_kind(obj), object_key(obj))


def key_of(step: Step) -> tuple[str, str]:
    """(kind, identity) of the object ``step`` is about, on its host."""
    return object_kind(step.obj), object_key(step.obj)


def matches(observed: NetObject | None, wanted: NetObject | None) -> bool:
    """True when ``observed`` is ``wanted`` as far as the tool configures it."""
    if observed is None or wanted is None:
        return observed is None and wanted is None
    if isinstance(observed, Pnic) and isinstance(wanted, Pnic):
        return (observed.configured_speed_mb, observed.configured_full_duplex) == (
            wanted.configured_speed_mb,
            wanted.configured_full_duplex,
        )
    if isinstance(observed, Vmk) and isinstance(wanted, Vmk):
        wanted = replace(wanted, device=wanted.device or observed.device, mac=wanted.mac or observed.mac)
    return observed == wanted


def step_took_effect(state: HostState, step: Step) -> bool:
    """True when the host shows the step's result (used when the reply to a step was lost)."""
    return matches(find_like(state, step.obj), step.after)


def step_to(host: str, now: NetObject | None, target: NetObject | None) -> Step | None:
    """The step that changes ``now`` into ``target`` (None when they already match)."""
    if matches(now, target):
        return None
    if now is None:
        return Step(host, Action.ADD, None, target)
    if target is None:
        return Step(host, Action.REMOVE, now, None)
    if isinstance(now, Pnic) and isinstance(target, Pnic):
        target = replace(
            now,
            configured_speed_mb=target.configured_speed_mb,
            configured_full_duplex=target.configured_full_duplex,
        )
    return Step(host, Action.UPDATE, now, target)


def differences(start: HostState, now: HostState) -> list[str]:
    """What differs between two states of one host, in words (empty when they are the same)."""
    found: list[str] = []
    for kind, before_items, after_items in (
        ("vSwitch", start.vswitches, now.vswitches),
        ("portgroup", start.portgroups, now.portgroups),
        ("vmk", start.vmks, now.vmks),
        ("NIC", start.pnics, now.pnics),
    ):
        before = {object_key(o): o for o in before_items}
        after = {object_key(o): o for o in after_items}
        for key in sorted(before.keys() | after.keys()):
            old, new = before.get(key), after.get(key)
            if matches(new, old):
                continue
            if old is None:
                found.append(f"{start.name}: {kind} {key} was added")
            elif new is None:
                found.append(f"{start.name}: {kind} {key} is missing")
            else:
                found.append(f"{start.name}: {kind} {key} changed")
    return found


def describe_step(step: Step, vmk: str | None = None) -> str:
    """A one-line description of a step for progress messages.

    A vmk is named by its device when known: "add vmk on vmesh-vmotion-1 (IP/prefix)" before the host chose
    one, "added vmk3 on vmesh-vmotion-1 (IP/prefix)" once it did (``vmk``, the device the step created).
    """
    obj = step.obj
    name = {VSwitch: "vSwitch", Portgroup: "portgroup", Vmk: "vmk", Pnic: "NIC"}[type(obj)]
    verb = {Action.ADD: "add", Action.UPDATE: "update", Action.REMOVE: "remove"}[step.action]
    if isinstance(obj, Pnic):
        speed = obj.configured_speed_mb
        return f"set {object_key(obj)} to {'auto-negotiate' if speed is None else f'{speed} Mb/s'}"
    if isinstance(obj, Vmk):
        where = f"on {obj.portgroup}" + (f" ({obj.cidr})" if obj.cidr else "")
        if vmk and step.action == Action.ADD:
            return f"added {vmk} {where}"
        return f"{verb} {vmk or obj.device or 'vmk'} {where}"
    return f"{verb} {name} {object_key(obj)}"
