"""JSON encoding of the core's frozen dataclasses, lossless, for journals.

Objects are tagged with their class name ({"$type": "VSwitch", ...}); tuples become lists and come back as
tuples; frozensets, datetimes and enums are tagged too. Only registered classes decode, so a journal can
never make the tool build an arbitrary object.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from vmesh_tui.core import model, steps

_CLASSES: dict[str, type] = {}
_ENUMS: dict[str, type[enum.Enum]] = {}


def register(*classes: type) -> None:
    """Allow these dataclasses or enums to be encoded and decoded."""
    for cls in classes:
        if isinstance(cls, type) and issubclass(cls, enum.Enum):
            _ENUMS[cls.__name__] = cls
        elif dataclasses.is_dataclass(cls):
            _CLASSES[cls.__name__] = cls
        else:
            raise TypeError(f"{cls!r} is neither a dataclass nor an enum")


register(
    model.CdpMode,
    model.Neighbor,
    model.Pnic,
    model.VSwitch,
    model.Portgroup,
    model.Vmk,
    model.ProxySwitch,
    model.HostState,
    steps.Action,
    steps.Step,
)


def encode(value: Any) -> Any:
    """Turn a value built of registered dataclasses, tuples, sets, enums and datetimes into JSON data."""
    if isinstance(value, enum.Enum):
        return {"$enum": type(value).__name__, "value": value.value}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        name = type(value).__name__
        if name not in _CLASSES:
            raise TypeError(f"{name} is not registered for journal encoding")
        fields = {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"$type": name, **fields}
    if isinstance(value, (frozenset, set)):
        return {"$set": sorted((encode(v) for v in value), key=repr)}
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, (tuple, list)):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"cannot encode {type(value).__name__}")


def decode(data: Any) -> Any:
    """The inverse of :func:`encode`; raises ValueError on data it does not know."""
    if isinstance(data, list):
        return tuple(decode(v) for v in data)
    if not isinstance(data, dict):
        return data
    if "$enum" in data:
        return _lookup(_ENUMS, data["$enum"])(data["value"])
    if "$set" in data:
        return frozenset(decode(v) for v in data["$set"])
    if "$datetime" in data:
        return datetime.fromisoformat(data["$datetime"])
    if "$type" in data:
        cls = _lookup(_CLASSES, data["$type"])
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: decode(v) for k, v in data.items() if k in names})
    return {k: decode(v) for k, v in data.items()}


def decode_all(items: Iterable[Any]) -> list[Any]:
    return [decode(item) for item in items]


def _lookup(table: dict[str, Any], name: str) -> Any:
    try:
        return table[name]
    except KeyError:
        raise ValueError(f"unknown type {name!r} in journal data") from None
