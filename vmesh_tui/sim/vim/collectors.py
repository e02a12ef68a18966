"""PropertyCollectors of a session: the host's default one and those CreatePropertyCollector makes.

Each collector keeps its own filters and versions (a FilterSet); a session sees only its own
collectors (another session's is ManagedObjectNotFound); Logout and reboots drop them. CreateFilter
checks every property path against the types first (InvalidProperty), as ESXi does, rather than
failing at each later WaitForUpdates.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from typing import Any

from pyVmomi import VmomiSupport, vmodl

from vmesh_tui.sim.vim.faults import SoapFault
from vmesh_tui.sim.vim.objects import Inventory, ManagedEntry
from vmesh_tui.sim.vim.props import PC, PropertyCollector, invalid_property, not_found, property_info
from vmesh_tui.sim.vim.updates import WAIT_METHODS, FilterSet, create_filter, destroy_filter, wait_for_updates

DEFAULT_ID = "ha-property-collector"
COLLECTOR_METHODS = frozenset({
    "CreatePropertyCollector", "DestroyPropertyCollector", "CreateFilter", "DestroyPropertyFilter",
    "CancelWaitForUpdates", *WAIT_METHODS,
})  # fmt: skip
_numbers = itertools.count(1)


class Collectors:
    """One session's collectors (moid -> FilterSet) and which collector each filter belongs to."""

    def __init__(self) -> None:
        self.sets: dict[str, FilterSet] = {DEFAULT_ID: FilterSet()}
        self.filter_owner: dict[str, str] = {}
        self.lock = threading.Lock()

    def of(self, entry: ManagedEntry) -> FilterSet:
        with self.lock:
            found = self.sets.get(entry.moid)
        if found is None:
            raise not_found(entry.ref)
        return found


def check_path(kind: Any, path: str) -> None:
    """InvalidProperty unless `path` names a property of `kind`, through data objects (not arrays)."""
    head, _, rest = path.partition(".")
    info = property_info(kind, head) if isinstance(kind, type) else None
    if info is None:
        raise invalid_property(path)
    declared = info.type
    for name in rest.split(".") if rest else ():
        is_object = isinstance(declared, type) and issubclass(declared, VmomiSupport.DataObject)
        if not is_object or issubclass(declared, list):
            raise invalid_property(path)
        try:
            declared = declared._GetPropertyInfo(name).type
        except (AttributeError, KeyError):
            raise invalid_property(path) from None


def check_filter_spec(spec: Any) -> None:
    for prop_spec in spec.propSet or []:
        if not prop_spec.all:
            for path in prop_spec.pathSet or []:
                check_path(prop_spec.type, path)


def call(
    method: str,
    params: dict[str, Any],
    entry: ManagedEntry,
    session: Any,
    inventory: Inventory,
    collector: PropertyCollector,
    halted: threading.Event,
    read_lock: Callable[[], Any],
) -> Any:
    """Run one of COLLECTOR_METHODS on `entry` (a collector, or a filter) for `session`."""
    mine: Collectors = session.collectors
    if method == "CreatePropertyCollector":
        moid = f"session[{session.key}]propertyCollector-{next(_numbers)}"
        inventory.add(ManagedEntry(moid, PC, {}))
        with mine.lock:
            mine.sets[moid] = FilterSet()
        session.views.add(moid)
        return PC(moid, None)
    if method == "DestroyPropertyCollector":
        return _destroy(entry, session, inventory)
    if method == "DestroyPropertyFilter":
        owner = mine.filter_owner.pop(entry.moid, None)
        if owner is None or owner not in mine.sets:
            raise not_found(entry.ref)
        return destroy_filter(inventory, mine.sets[owner], entry.moid)
    filters = mine.of(entry)
    if method == "CreateFilter":
        check_filter_spec(params["spec"])
        ref = create_filter(inventory, filters, params["spec"], session.key)
        mine.filter_owner[ref._moId] = entry.moid
        session.views.add(ref._moId)
        return ref
    if method == "CancelWaitForUpdates":
        return filters.cancel()
    options = params.get("options")
    max_wait = 0.0 if method == "CheckForUpdates" else getattr(options, "maxWaitSeconds", None)
    found = wait_for_updates(collector, filters, params.get("version"), max_wait, halted, read_lock)
    if found is None and method == "WaitForUpdates":
        return vmodl.query.PropertyCollector.UpdateSet(version=params.get("version") or "")
    return found


def _destroy(entry: ManagedEntry, session: Any, inventory: Inventory) -> None:
    if entry.moid == DEFAULT_ID:
        raise SoapFault(vmodl.fault.NotSupported(), "The host's own PropertyCollector cannot be destroyed.")
    mine: Collectors = session.collectors
    with mine.lock:
        filters = mine.sets.pop(entry.moid, None)
    if filters is None:
        raise not_found(entry.ref)
    filters.cancel()
    for moid in list(filters.filters):
        mine.filter_owner.pop(moid, None)
        destroy_filter(inventory, filters, moid)
    inventory.remove(entry.moid)
