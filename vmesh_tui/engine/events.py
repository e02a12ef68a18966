"""Progress events: what every engine operation yields, for the TUI and the headless commands alike."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

KINDS = frozenset(
    {
        "phase",
        "host_read",
        "step_started",
        "step_done",
        "step_failed",
        "rollback_started",
        "step_rolled_back",
        "ping",
        "link_result",
        "probe_wait",  # the probe is listening: index NICs of total settled, data elapsed_s/timeout_s
        "warning",
        "done",
    }
)


@dataclass(frozen=True)
class Event:
    """One thing that happened. The last event of an operation is "done" with data["result"]."""

    kind: str
    host: str | None = None
    index: int = 0
    total: int = 0
    message: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown event kind {self.kind!r}")

    @property
    def result(self) -> Any:
        """The operation's result object (only on a "done" event)."""
        return self.data.get("result")


def phase(message: str) -> Event:
    return Event("phase", message=message)


def warning(message: str, host: str | None = None) -> Event:
    return Event("warning", host=host, message=message)


def done(result: Any, message: str = "") -> Event:
    return Event("done", message=message, data={"result": result})
