"""The PropertyCollector of a simulated host: traversal specs, property paths, paging and Fetch."""

from __future__ import annotations

import itertools
import threading
import uuid
from collections.abc import Callable
from typing import Any

from pyVmomi import VmomiSupport, vim, vmodl

from vmesh_tui.sim.vim.faults import SoapFault, invalid_argument
from vmesh_tui.sim.vim.objects import Inventory, ManagedEntry, mo_array

PC = vmodl.query.PropertyCollector
UNSET = object()


def not_found(obj: Any) -> SoapFault:
    message = "The object has already been deleted or has not been completely created"
    return SoapFault(vmodl.fault.ManagedObjectNotFound(obj=obj), message)


def invalid_property(path: str) -> SoapFault:
    return SoapFault(vmodl.query.InvalidProperty(name=path), f"Invalid property: {path}")


class PropertyReader:
    """Reads property paths such as "config.network.vnic" off the inventory's managed objects."""

    def __init__(self, inventory: Inventory) -> None:
        self.inventory = inventory

    def entry_for(self, obj: Any) -> ManagedEntry:
        """The entry a reference names; ManagedObjectNotFound for unknown ids or wrong types."""
        moid = getattr(obj, "_moId", None)
        entry = self.inventory.get(moid) if isinstance(moid, str) else None
        if entry is None or not isinstance(obj, VmomiSupport.ManagedObject):
            raise not_found(obj)
        if not (issubclass(entry.kind, type(obj)) or issubclass(type(obj), entry.kind)):
            raise not_found(obj)
        return entry

    def read(self, entry: ManagedEntry, path: str) -> Any:
        """The value at `path`, typed for the wire; `UNSET` when unset; InvalidProperty when unknown."""
        head, _, rest = path.partition(".")
        info = property_info(entry.kind, head)
        if info is None:
            raise invalid_property(path)
        getter = entry.props.get(head)
        value = getter() if getter is not None else None
        declared = info.type
        for name in rest.split(".") if rest else ():
            if value is None:
                return UNSET
            if not isinstance(value, VmomiSupport.DataObject):
                raise invalid_property(path)
            try:
                field = value._GetPropertyInfo(name)
            except (AttributeError, KeyError):
                raise invalid_property(path) from None
            value, declared = getattr(value, name), field.type
        if value is None:
            return UNSET
        return _typed(value, declared)

    def all_properties(self, entry: ManagedEntry) -> list[tuple[str, Any]]:
        values = ((name, self.read(entry, name)) for name in entry.props)
        return [(name, value) for name, value in values if value is not UNSET]


def property_info(kind: Any, name: str) -> Any:
    try:
        return next(p for p in kind._GetPropertyList() if p.name == name)
    except (StopIteration, AttributeError):
        return None


def _typed(value: Any, declared: Any) -> Any:
    if isinstance(value, list) and not isinstance(value, VmomiSupport.Array):
        if isinstance(declared, type) and issubclass(declared, list):
            return declared(value)
        return mo_array(VmomiSupport.ManagedObject, value)
    return value


class PropertyCollector:
    """RetrievePropertiesEx / ContinueRetrievePropertiesEx / RetrieveProperties over one inventory."""

    def __init__(self, reader: PropertyReader) -> None:
        self.reader = reader
        self._pages: dict[str, tuple[str, list[Any]]] = {}  # token -> (owning session key, [limit, *rest])
        self._lock = threading.Lock()
        self._tokens = itertools.count(1)

    def retrieve(self, spec_set: list[Any]) -> list[Any]:
        contents: list[Any] = []
        for spec in spec_set:
            contents.extend(self._retrieve_one(spec))
        return contents

    def retrieve_ex(self, spec_set: list[Any], options: Any, owner: str) -> Any:
        """The first page; further pages wait under a token that only session `owner` can continue."""
        contents = self.retrieve(spec_set)
        if not contents:
            return None
        limit = getattr(options, "maxObjects", None) if options is not None else None
        return self._page(contents, limit if isinstance(limit, int) and limit > 0 else len(contents), owner)

    def continue_ex(self, token: str, owner: str) -> Any:
        with self._lock:
            found = self._pages.get(token)
            pending = self._pages.pop(token)[1] if found is not None and found[0] == owner else None
        if pending is None:
            raise invalid_argument("A specified parameter was not correct: token", "token")
        limit = pending[0]
        return self._page(pending[1:], limit, owner)

    def cancel_ex(self, token: str, owner: str) -> None:
        with self._lock:
            found = self._pages.get(token)
            if found is not None and found[0] == owner:
                del self._pages[token]

    def forget_session(self, owner: str) -> None:
        """Drop the pages session `owner` left unread (at its logout)."""
        with self._lock:
            self._pages = {token: page for token, page in self._pages.items() if page[0] != owner}

    def clear(self) -> None:
        """Drop every pending page (at a reboot, which ends every session)."""
        with self._lock:
            self._pages.clear()

    @property
    def pending_pages(self) -> int:
        with self._lock:
            return len(self._pages)

    def _page(self, contents: list[Any], limit: int, owner: str) -> Any:
        page, rest = contents[:limit], contents[limit:]
        token = None
        if rest:
            token = f"{next(self._tokens)}-{uuid.uuid4().hex[:8]}"
            with self._lock:
                self._pages[token] = (owner, [limit, *rest])
        return PC.RetrieveResult(objects=page, token=token)

    def _retrieve_one(self, spec: Any) -> list[Any]:
        named = _named_specs(spec)
        ordered: dict[str, ManagedEntry] = {}

        def add(entry: ManagedEntry) -> None:
            ordered.setdefault(entry.moid, entry)

        visited: set[tuple[str, int]] = set()
        for object_spec in spec.objectSet or []:
            entry = self.reader.entry_for(object_spec.obj)
            if not object_spec.skip:
                add(entry)
            self._traverse(entry, object_spec.selectSet or [], named, visited, add)
        return [c for c in (self._content(e, spec.propSet or []) for e in ordered.values()) if c is not None]

    def _traverse(
        self,
        entry: ManagedEntry,
        select_set: list[Any],
        named: dict[str, Any],
        visited: set[tuple[str, int]],
        add: Callable[[ManagedEntry], None],
    ) -> None:
        for selection in select_set:
            spec = selection if isinstance(selection, PC.TraversalSpec) else named.get(selection.name or "")
            if spec is None:
                raise invalid_argument(f"A specified parameter was not correct: selectSet {selection.name}")
            if spec.type is None or not issubclass(entry.kind, spec.type):
                continue
            key = (entry.moid, id(spec))
            if key in visited:
                continue
            visited.add(key)
            value = self.reader.read(entry, spec.path)
            children = [] if value is UNSET else value if isinstance(value, list) else [value]
            for child in children:
                child_entry = self.inventory_entry(child)
                if child_entry is None:
                    continue
                if not spec.skip:
                    add(child_entry)
                self._traverse(child_entry, spec.selectSet or [], named, visited, add)

    def inventory_entry(self, child: Any) -> ManagedEntry | None:
        if not isinstance(child, VmomiSupport.ManagedObject):
            return None
        return self.reader.inventory.get(child._moId)

    def _content(self, entry: ManagedEntry, prop_specs: list[Any]) -> Any:
        matching = [p for p in prop_specs if p.type is not None and issubclass(entry.kind, p.type)]
        if not matching:
            return None
        if any(p.all for p in matching):
            pairs = self.reader.all_properties(entry)
        else:
            paths = list(dict.fromkeys(path for p in matching for path in p.pathSet or []))
            pairs = [(path, self.reader.read(entry, path)) for path in paths]
        props = [vmodl.DynamicProperty(name=name, val=value) for name, value in pairs if value is not UNSET]
        return PC.ObjectContent(obj=entry.ref, propSet=props)


def _named_specs(spec: Any) -> dict[str, Any]:
    """Every named TraversalSpec reachable from the filter spec, for SelectionSpec references."""
    named: dict[str, Any] = {}
    pending = [s for o in spec.objectSet or [] for s in o.selectSet or []]
    while pending:
        selection = pending.pop()
        if isinstance(selection, PC.TraversalSpec) and id(selection) not in {id(v) for v in named.values()}:
            if selection.name:
                named.setdefault(selection.name, selection)
            pending.extend(selection.selectSet or [])
    return named


def container_view_members(
    reader: PropertyReader, container: ManagedEntry, types: list[Any], recursive: bool
) -> Any:
    """The `view` of a ContainerView: entities under `container` of the given types."""
    found: list[Any] = []
    seen: set[str] = set()
    queue = [container]
    while queue:
        entry = queue.pop(0)
        for path in ("childEntity", "hostFolder", "vmFolder", "datastoreFolder", "networkFolder", "host"):
            if path not in entry.props:
                continue
            value = reader.read(entry, path)
            children = [] if value is UNSET else value if isinstance(value, list) else [value]
            for child in children:
                child_entry = reader.inventory.get(child._moId)
                if child_entry is None or child_entry.moid in seen:
                    continue
                seen.add(child_entry.moid)
                if not types or any(issubclass(child_entry.kind, t) for t in types):
                    found.append(child_entry.ref)
                if recursive:
                    queue.append(child_entry)
    return mo_array(vim.ManagedEntity, found)


def container_view(
    reader: PropertyReader, container: ManagedEntry, types: list[Any], recursive: bool
) -> ManagedEntry:
    """A new ContainerView entry listing the entities of `types` under `container`."""
    moid = f"session[{uuid.uuid4()}]{uuid.uuid4()}"
    return ManagedEntry(moid, vim.view.ContainerView, {
        "container": lambda: container.ref,
        "recursive": lambda: recursive,
        "type": lambda: VmomiSupport.GetVmodlType("type[]")(types),
        "view": lambda: container_view_members(reader, container, types, recursive),
    })  # fmt: skip
