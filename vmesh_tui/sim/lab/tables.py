"""Typed, located reads from one TOML table of a lab file; every error names the table it is in."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

_MAC = re.compile(r"^[0-9a-f]{2}(:[0-9a-f]{2}){5}$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]*$")
_LABEL = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$")


class Table:
    """One table of the lab document, with its location (``host[1].nic[3]``) for messages."""

    def __init__(self, data: dict[str, Any], path: str, source: str) -> None:
        self.data = data
        self.path = path
        self.source = source

    def error(self, problem: str) -> ValueError:
        where = f"{self.path}: " if self.path else ""
        return ValueError(f"{where}{problem}")

    def allow(self, *keys: str) -> Table:
        unknown = sorted(set(self.data) - set(keys))
        if unknown:
            names = ", ".join(repr(k) for k in unknown)
            raise self.error(f"unknown key {names}; allowed keys are {', '.join(keys)}")
        return self

    def has(self, key: str) -> bool:
        return key in self.data

    def _get(self, key: str, default: Any, kind: str) -> Any:
        if key not in self.data:
            if default is None:
                raise self.error(f"missing required key {key!r} ({kind})")
            return default
        return self.data[key]

    def text(self, key: str, default: str | None = None, secret: bool = False) -> str:
        if key not in self.data and default is not None:
            return default
        value = self._get(key, default, "a string")
        if not isinstance(value, str) or not value:
            shown = "something else" if secret else repr(value)
            raise self.error(f"{key} must be a non-empty string, not {shown}")
        return value

    def integer(self, key: str, default: int, low: int, high: int) -> int:
        value = self._get(key, default, "an integer")
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(f"{key} must be an integer, not {value!r}")
        if not low <= value <= high:
            raise self.error(f"{key} = {value} is out of range; use {low} to {high}")
        return value

    def number(self, key: str, default: float) -> float:
        value = self._get(key, default, "a number")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.error(f"{key} must be a number, not {value!r}")
        return float(value)

    def texts(self, key: str) -> tuple[str, ...]:
        value = self._get(key, [], "a list of strings")
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.error(f"{key} must be a list of strings, not {value!r}")
        if len(set(value)) != len(value):
            raise self.error(f"{key} lists the same entry twice: {value!r}")
        return tuple(value)

    def choice(self, key: str, choices: Sequence[str], default: str) -> str:
        value = self.text(key, default)
        if value not in choices:
            raise self.error(f"{key} = {value!r} is not one of {', '.join(choices)}")
        return value

    def name(self, key: str, max_len: int, default: str | None = None) -> str:
        value = self.text(key, default)
        if len(value) > max_len or not _NAME.match(value):
            raise self.error(
                f"{key} = {value!r} is not a valid name (letters, digits, space, . _ -; at most {max_len})"
            )
        return value

    def host_name(self, key: str) -> str:
        """A host name as ESXi takes one (and its certificate can carry): ASCII letters, digits and '-'
        in labels of at most 63 characters between dots, at most 253 in all."""
        value = self.text(key)
        labels = value.split(".")
        if len(value) > 253 or not all(len(label) <= 63 and _LABEL.match(label) for label in labels):
            raise self.error(
                f"{key} = {value!r} is not a host name: use ASCII letters, digits and '-' between dots"
                " (at most 63 characters each), e.g. esx-a.lab.local"
            )
        return value

    def device(self, key: str, prefix: str) -> str:
        value = self.text(key)
        if not re.fullmatch(rf"{prefix}\d+", value):
            raise self.error(f"{key} = {value!r} is not a {prefix} device name like {prefix}1")
        return value

    def mac(self, key: str) -> str | None:
        if key not in self.data:
            return None
        value = self.text(key).lower()
        if not _MAC.match(value):
            raise self.error(f"{key} = {value!r} is not a MAC address like 00:50:56:aa:00:01")
        return value

    def ref(self, key: str) -> str:
        value = self.text(key)
        _check_ref(self, key, value)
        return value

    def refs(self, key: str) -> tuple[str, ...]:
        values = self.texts(key)
        for value in values:
            _check_ref(self, key, value)
        return values

    def tables(self, key: str, required: bool = False) -> list[Table]:
        if key not in self.data:
            if required:
                raise self.error(f"no [[{key}]] table; a lab needs at least one")
            return []
        value = self.data[key]
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.error(f"{key} must be an array of tables: write [[{self._child(key)}]]")
        if required and not value:
            raise self.error(f"no [[{key}]] table; a lab needs at least one")
        prefix = f"{self.path}." if self.path else ""
        return [Table(v, f"{prefix}{key}[{i}]", self.source) for i, v in enumerate(value, start=1)]

    def _child(self, key: str) -> str:
        parent = re.sub(r"\[\d+\]", "", self.path)
        return f"{parent}.{key}" if parent else key


def _check_ref(table: Table, key: str, value: str) -> None:
    host, sep, device = value.rpartition("/")
    if not sep or not host or not re.fullmatch(r"vmnic\d+", device):
        raise table.error(f"{key} = {value!r} is not a NIC reference like esx-a.lab.local/vmnic1")
