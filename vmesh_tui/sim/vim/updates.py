"""PropertyCollector filters and WaitForUpdates(Ex): what pyVim.task.WaitForTask and watchers use.

The host model has no change feed, so a wait polls the filters' properties and reports what differs
from the version the client last saw (first call: every object "enter"s with all its properties).
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from typing import Any

from pyVmomi import SoapAdapter, VmomiSupport, vmodl

from vmesh_tui.sim.vim.faults import SoapFault
from vmesh_tui.sim.vim.objects import Inventory, ManagedEntry
from vmesh_tui.sim.vim.props import PropertyCollector

PC = vmodl.query.PropertyCollector
WAIT_METHODS = frozenset({"WaitForUpdates", "WaitForUpdatesEx", "CheckForUpdates"})
NEWEST_VERSION = VmomiSupport.GetServiceVersions("vim25")[0]
POLL_S = 0.1
LONGEST_WAIT_S = 300.0
Snapshot = dict[tuple[str, str], tuple[str, Any]]  # (moid, path) -> (serialized value, value)


class FilterSet:
    """The filters of one PropertyCollector of one session, and the snapshot behind each version it
    handed out. CancelWaitForUpdates ends the waits in progress (a later wait is not affected)."""

    def __init__(self) -> None:
        self.filters: dict[str, Any] = {}  # moid -> FilterSpec
        self.snapshots: dict[str, Snapshot] = {}  # version -> what the client has seen
        self._versions = itertools.count(1)
        self.lock = threading.Lock()
        self.cancels = 0  # bumped by CancelWaitForUpdates and when the collector is destroyed

    def next_version(self) -> str:
        return str(next(self._versions))

    def cancel(self) -> None:
        with self.lock:
            self.cancels += 1


def create_filter(inventory: Inventory, filters: FilterSet, spec: Any, session_key: str) -> Any:
    moid = f"session[{session_key}]filter-{time.monotonic_ns()}"
    entry = ManagedEntry(moid, PC.Filter, {"spec": lambda: spec, "partialUpdates": lambda: True})
    inventory.add(entry)
    filters.filters[moid] = spec
    return entry.ref


def destroy_filter(inventory: Inventory, filters: FilterSet, moid: str) -> None:
    filters.filters.pop(moid, None)
    inventory.remove(moid)


def wait_for_updates(
    collector: PropertyCollector,
    filters: FilterSet,
    version: str | None,
    max_wait_s: float | None,
    halted: threading.Event,
    read_lock: Callable[[], Any],
) -> Any:
    """An UpdateSet with what changed since `version`, or None when nothing did within max_wait_s."""
    seen = filters.snapshots.get(version or "", {}) if version else {}
    if version and version not in filters.snapshots:
        raise SoapFault(vmodl.query.InvalidCollectorVersion(), "The collector version is not valid.")
    deadline = time.monotonic() + min(
        LONGEST_WAIT_S, max_wait_s if max_wait_s is not None else LONGEST_WAIT_S
    )
    cancels = filters.cancels
    while True:
        if filters.cancels != cancels:
            raise SoapFault(vmodl.fault.RequestCanceled(), "The task was canceled by a user.")
        with read_lock():
            current = {moid: _snapshot(collector, spec) for moid, spec in list(filters.filters.items())}
        updates = [_filter_update(collector, moid, snapshot, seen) for moid, snapshot in current.items()]
        updates = [u for u in updates if u is not None]
        if updates or not version or time.monotonic() >= deadline or halted.is_set():
            break
        halted.wait(POLL_S)
    if not updates and version:
        return None
    new_version = filters.next_version()
    merged: Snapshot = {}
    for snapshot in current.values():
        merged.update(snapshot)
    filters.snapshots = {new_version: merged}
    return PC.UpdateSet(version=new_version, filterSet=updates, truncated=False)


def _snapshot(collector: PropertyCollector, spec: Any) -> Snapshot:
    snapshot: Snapshot = {}
    for content in collector.retrieve([spec]):
        for prop in content.propSet or []:
            snapshot[(content.obj._moId, prop.name)] = (_fingerprint(prop.val), prop.val)
        snapshot.setdefault((content.obj._moId, ""), ("", content.obj))
    return snapshot


def _fingerprint(value: Any) -> str:
    """The value serialized in the newest API version (the default, the oldest, drops newer fields
    such as a vSwitch's mtu, so their changes went unseen)."""
    try:
        return SoapAdapter.SerializeToStr(value, version=NEWEST_VERSION)
    except (TypeError, ValueError, AttributeError):
        return repr(value)


def _filter_update(collector: PropertyCollector, moid: str, now: Snapshot, seen: Snapshot) -> Any:
    objects: dict[str, Any] = {}
    for (obj_id, path), (fingerprint, value) in now.items():
        known = seen.get((obj_id, path))
        if known is not None and known[0] == fingerprint:
            continue
        kind = "enter" if (obj_id, "") not in seen else "modify"
        update = objects.setdefault(
            obj_id, PC.ObjectUpdate(kind=kind, obj=now[(obj_id, "")][1], changeSet=[])
        )
        if path:
            update.changeSet.append(PC.Change(name=path, op="assign", val=value))
    changed = [u for u in objects.values() if u.kind == "enter" or u.changeSet]
    if not changed:
        return None
    return PC.FilterUpdate(filter=PC.Filter(moid, None), objectSet=changed)
