"""What the engine needs from the vSphere adapter (vsphere.client.HostsClient fits it as is).

All methods block; the engine calls them in threads. Declared here so the engine's ordering logic can be
unit-tested with a small in-memory stand-in, while every real test drives the adapter against the twin.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from vmesh_tui.core.model import HostState, Neighbor
from vmesh_tui.core.steps import Step

# The adapter's exception class names for a call whose reply never came (the change may have happened).
LOST_REPLY_ERRORS = frozenset({"Unreachable", "CallTimeout", "HostUnavailable", "BadReply"})


class HostsApi(Protocol):
    def host_names(self) -> list[str]: ...

    @property
    def call_timeout(self) -> float:
        """Seconds one call may take; also how long an unanswered change may still take to land."""
        ...

    def read_all(self, hints: bool = True) -> dict[str, HostState]: ...

    def read_host(self, host: str) -> HostState: ...

    def abort_calls(self) -> None:
        """Stop every call in progress now; each then fails as a lost reply (its fate unknown)."""
        ...

    def neighbours(self, host: str, devices: Sequence[str]) -> dict[str, Neighbor | None]: ...

    def run_step(self, step: Step) -> str | None: ...

    def ping(
        self,
        host: str,
        target_ip: str,
        *,
        interface: str | None = None,
        size: int = 56,
        df: bool = True,
        count: int = 3,
        netstack: str | None = None,
    ) -> Any: ...

    def reboot(self, host: str) -> None: ...

    def close(self) -> None: ...


def is_lost_reply(exc: BaseException) -> bool:
    """True when a call may have been applied although no answer arrived (timeout, dropped connection)."""
    if isinstance(exc, (ConnectionError, TimeoutError)):
        return True
    return any(cls.__name__ in LOST_REPLY_ERRORS for cls in type(exc).__mro__)


def first_call_unanswered(exc: BaseException) -> bool:
    """True when the unanswered call was the first of its step and no later call of it was sent (the
    adapter marks its errors so), so once the host shows that call's effect the rest may be sent."""
    return bool(getattr(exc, "first_call", False))


def error_text(exc: BaseException) -> str:
    """A user-facing sentence for an adapter error (never a traceback)."""
    message = str(getattr(exc, "message", "") or exc) or type(exc).__name__
    remedy = str(getattr(exc, "remedy", "") or "")
    return f"{message} ({remedy})" if remedy and remedy not in message else message
