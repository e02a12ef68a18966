"""The SearchIndex of a simulated host: FindByInventoryPath and FindChild, over the inventory's names.

An inventory path names entities from the root folder down, "/" separated: "ha-datacenter/host/NAME/NAME"
(a leading "/" is accepted, as govmomi's finder sends it). A Datacenter's children are its four folders,
a ComputeResource's its host; a path or child that does not exist finds nothing (unset), as on ESXi.
"""

from __future__ import annotations

from typing import Any

from vmesh_tui.sim.vim.objects import ManagedEntry
from vmesh_tui.sim.vim.props import UNSET, PropertyReader

SEARCH_METHODS = frozenset({"FindByInventoryPath", "FindChild"})
ROOT_ID = "ha-folder-root"
_CHILD_PATHS = ("childEntity", "vmFolder", "hostFolder", "datastoreFolder", "networkFolder", "host")


def children(reader: PropertyReader, entry: ManagedEntry) -> list[ManagedEntry]:
    """The entities directly below `entry` in the inventory tree."""
    found: list[ManagedEntry] = []
    for path in _CHILD_PATHS:
        if path not in entry.props:
            continue
        value = reader.read(entry, path)
        for child in [] if value is UNSET else value if isinstance(value, list) else [value]:
            child_entry = reader.inventory.get(child._moId)
            if child_entry is not None:
                found.append(child_entry)
    return found


def _named(reader: PropertyReader, entry: ManagedEntry, name: str) -> ManagedEntry | None:
    for child in children(reader, entry):
        if "name" in child.props and reader.read(child, "name") == name:
            return child
    return None


def find_child(reader: PropertyReader, entity: Any, name: str) -> Any:
    """FindChild: the child of `entity` called `name`, or None (ManagedObjectNotFound for `entity`)."""
    found = _named(reader, reader.entry_for(entity), name)
    return found.ref if found is not None else None


def find_by_inventory_path(reader: PropertyReader, path: str) -> Any:
    """FindByInventoryPath: the entity at `path`, or None."""
    entry = reader.inventory.get(ROOT_ID)
    for name in [part for part in path.split("/") if part]:
        if entry is None:
            return None
        entry = _named(reader, entry, name)
    return entry.ref if entry is not None and entry.moid != ROOT_ID else None


def call(reader: PropertyReader, method: str, params: dict[str, Any]) -> Any:
    if method == "FindChild":
        return find_child(reader, params["entity"], params["name"])
    return find_by_inventory_path(reader, params["inventoryPath"])
