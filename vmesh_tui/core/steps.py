"""A plan step: one change to one object on one host, described by its full state before and after.

A step carries complete objects (never partial specs), so the adapter can always send full specs
(read-modify-write) and every step has an exact inverse: swap before and after.
VMkernel NICs are identified by their portgroup (one vmk per portgroup): the host picks the device
name when it creates one, so an ADD step's ``after.device`` may be "" and its inverse finds the vmk
by portgroup.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Union

if sys.version_info >= (3, 11):
    from enum import StrEnum
else:  # pragma: no cover - the backport on Python 3.9 and 3.10
    from backports.strenum import StrEnum

from vmesh_tui.core.model import Pnic, Portgroup, Vmk, VSwitch

NetObject = Union[VSwitch, Portgroup, Vmk, Pnic]


class Action(StrEnum):
    ADD = "add"
    UPDATE = "update"
    REMOVE = "remove"


def object_kind(obj: NetObject) -> str:
    """ "vswitch", "portgroup", "vmk" or "pnic"."""
    if isinstance(obj, VSwitch):
        return "vswitch"
    if isinstance(obj, Portgroup):
        return "portgroup"
    if isinstance(obj, Vmk):
        return "vmk"
    return "pnic"


def object_key(obj: NetObject) -> str:
    """The identity of an object on its host: vSwitch/portgroup name, vmk's portgroup, pnic device.

    A vmk on a distributed portgroup (never the tool's) is known by its device and distributed port."""
    if isinstance(obj, (VSwitch, Portgroup)):
        return obj.name
    if isinstance(obj, Vmk):
        return obj.portgroup or f"{obj.device}@{obj.distributed}"  # a distributed one by its own name
    return obj.device


@dataclass(frozen=True)
class Step:
    """Change one object on ``host`` from ``before`` to ``after`` (None = absent)."""

    host: str
    action: Action
    before: NetObject | None
    after: NetObject | None

    def __post_init__(self) -> None:
        expected = {Action.ADD: (False, True), Action.UPDATE: (True, True), Action.REMOVE: (True, False)}
        if (self.before is not None, self.after is not None) != expected[self.action]:
            raise ValueError(f"{self.action} step needs before/after presence {expected[self.action]}")
        if self.before is not None and self.after is not None and type(self.before) is not type(self.after):
            raise ValueError("a step changes one kind of object")

    @property
    def obj(self) -> NetObject:
        """The object the step is about (after, else before)."""
        obj = self.after if self.after is not None else self.before
        assert obj is not None
        return obj

    @property
    def kind(self) -> str:
        """e.g. "add_vswitch", "update_portgroup", "remove_vmk", "update_pnic"."""
        return f"{self.action}_{object_kind(self.obj)}"

    @property
    def target(self) -> str:
        return object_key(self.obj)

    def inverse(self) -> Step:
        """The step that undoes this one exactly."""
        flipped = {Action.ADD: Action.REMOVE, Action.REMOVE: Action.ADD, Action.UPDATE: Action.UPDATE}
        return Step(self.host, flipped[self.action], self.after, self.before)
