"""The core's one error type and its findings (errors and warnings with stable codes)."""

from __future__ import annotations

import sys
from dataclasses import dataclass

if sys.version_info >= (3, 11):
    from enum import StrEnum
else:  # pragma: no cover - the backport on Python 3.9 and 3.10
    from backports.strenum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    """A preflight result the admin reads: a stable code, what is wrong, what to do."""

    code: str
    severity: Severity
    message: str
    remedy: str = ""
    subject: str = ""  # what it is about, e.g. "esx-a/vmnic1" or "esx-b"
    group: str = ""  # how several findings of this code read as one line; {n} is their count

    def grouped(self, count: int) -> str:
        """The sentence for ``count`` findings of this code (their subjects are listed by the reader)."""
        if count > 1 and self.group:
            return self.group.format(n=count)
        return self.message if count <= 1 else f"{self.message} (and {count - 1} more like it)"

    def __str__(self) -> str:
        text = f"{self.severity}: {self.message}"
        return f"{text} ({self.remedy})" if self.remedy else text


class CoreError(ValueError):
    """Bad input to the core. Carries a stable code, a message and a remedy; never a traceback for users."""

    def __init__(self, code: str, message: str, remedy: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.remedy = remedy

    def __str__(self) -> str:
        if not self.remedy:
            return self.message
        return f"{self.message}. {self.remedy[:1].upper()}{self.remedy[1:]}"

    def as_finding(self) -> Finding:
        return Finding(self.code, Severity.ERROR, self.message, self.remedy)
