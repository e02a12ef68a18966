"""The TUI's view of the engine: how it connects, and a driver that runs engine streams off the UI thread.

The TUI never imports the vSphere adapter: the launcher injects a ``Connector`` that builds an engine
from a ``ConnectSpec``. Engine operations are async generators of events; they run on one background
event loop (so blocking calls inside the engine can never freeze the screen), and a thread worker waits
for them with a timeout.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from vmesh_tui.tui.draft import ConnectSpec

if TYPE_CHECKING:
    from vmesh_tui.core.model import HostState


class EventLike(Protocol):
    """The engine's Event (engine/events.py), as the TUI reads it."""

    @property
    def kind(self) -> str: ...
    @property
    def host(self) -> str | None: ...
    @property
    def index(self) -> int: ...
    @property
    def total(self) -> int: ...
    @property
    def message(self) -> str: ...
    @property
    def data(self) -> Mapping[str, Any]: ...


class HostsLike(Protocol):
    """The connected hosts (the adapter's HostsClient), as far as the TUI touches them."""

    def host_names(self) -> list[str]: ...
    def reboot(self, host: str) -> None: ...
    def close(self) -> None: ...


class EngineLike(Protocol):
    """The engine (engine/session.py Engine) as the TUI drives it: every operation is a stream of events
    whose last, "done", carries the result; ``journal()`` is the connected hosts' open run, if any."""

    @property
    def client(self) -> HostsLike: ...
    def journal(self) -> Any: ...
    def revert_target(self) -> Any: ...
    async def read(self) -> Mapping[str, HostState]: ...
    def discover(self) -> AsyncIterator[EventLike]: ...
    def apply(self, planned: Any, confirm_timeout: float | None = None) -> AsyncIterator[EventLike]: ...
    def validate(self, links: Any = None, options: Any = None) -> AsyncIterator[EventLike]: ...
    def revert(self) -> AsyncIterator[EventLike]: ...
    def recover(self) -> AsyncIterator[EventLike]: ...
    def tidy(self) -> AsyncIterator[EventLike]: ...
    def probe(
        self, options: Any = None, cancel: threading.Event | None = None
    ) -> AsyncIterator[EventLike]: ...


@dataclass(frozen=True)
class CertPrompt:
    """A host presented a certificate that is not pinned yet: ask the admin before trusting it."""

    host: str
    port: int
    sha256: str


AskCertificate = Callable[[CertPrompt], bool]
Connector = Callable[[ConnectSpec, str, AskCertificate], EngineLike]


@dataclass(frozen=True)
class Problem:
    """An error in the admin's words: what happened and what to do about it."""

    title: str
    message: str
    remedy: str = ""
    code: str = ""

    def __str__(self) -> str:
        """``Message. Remedy.`` as sentences."""
        return " ".join(sentence(part) for part in (self.message, self.remedy) if part.strip())


def sentence(text: str) -> str:
    """``applied 24 steps`` -> ``Applied 24 steps.``; a leading name (``esx-a.lab.local: ...``, ``vmk1 ...``)
    keeps its case, since host and device names are lower case."""
    text = text.strip()
    if not text:
        return text
    first = text.split()[0]
    if first.rstrip(":,;.").isalpha():
        text = text[0].upper() + text[1:]
    return text + ("" if text.endswith((".", "!", "?", ")")) else ".")


def describe(exc: BaseException) -> Problem:
    """Turn any exception into a Problem without a traceback (VSphereError/CoreError carry a remedy)."""
    code = str(getattr(exc, "code", "") or "")
    message = str(getattr(exc, "message", "") or "") or str(exc) or type(exc).__name__
    remedy = str(getattr(exc, "remedy", "") or "")
    if isinstance(exc, TimeoutError):
        return Problem(
            "Timed out",
            message or "The hosts did not answer in time.",
            "Check the network path to the hosts and try again.",
            "timeout",
        )
    if code == "certificate-changed" or type(exc).__name__ == "CertificateChanged":
        return Problem(
            "CERTIFICATE CHANGED - REFUSED",
            message,
            remedy or "Verify the host's fingerprint on its console before trusting it again.",
            code,
        )
    title = code.replace("-", " ").capitalize() if code else "Failed"
    return Problem(title, message, remedy, code)


class EngineLoop:
    """One asyncio loop in a daemon thread that every engine stream runs on."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self.closed = False
        self._thread = threading.Thread(target=self._loop.run_forever, name="vmesh-engine", daemon=True)
        self._thread.start()

    def run_stream(
        self,
        stream: Callable[[], AsyncIterator[EventLike]],
        on_event: Callable[[EventLike], None],
        cancel: threading.Event,
        timeout: float,
    ) -> Any:
        """Consume ``stream()`` on the engine loop, calling ``on_event`` per event; return the done result.

        Blocks the calling (worker) thread. ``cancel`` set by the UI cancels the stream's task, which the
        engine answers by rolling back. Raises TimeoutError after ``timeout`` seconds.
        """

        async def consume() -> Any:
            result: Any = None
            async for event in stream():
                on_event(event)
                if event.kind == "done":
                    result = event.data.get("result")
            return result

        finished: concurrent.futures.Future[Any] = concurrent.futures.Future()
        tasks: list[asyncio.Task[Any]] = []

        def settle(task: asyncio.Task[Any]) -> None:
            if task.cancelled():
                finished.set_exception(asyncio.CancelledError())
            elif task.exception() is not None:
                finished.set_exception(task.exception())
            else:
                finished.set_result(task.result())

        def start() -> None:
            task = self._loop.create_task(consume())
            task.add_done_callback(settle)
            tasks.append(task)

        self._loop.call_soon_threadsafe(start)
        waited, cancelled = 0.0, False
        while True:
            try:
                return finished.result(timeout=0.1)
            except concurrent.futures.TimeoutError:  # not the builtin TimeoutError before Python 3.11
                if self.closed:  # the app is leaving: stop waiting, the journal keeps the truth
                    raise asyncio.CancelledError() from None
                waited += 0.1
                if (cancel.is_set() or waited >= timeout) and not cancelled and tasks:
                    cancelled = True  # the engine sees CancelledError and rolls back; keep listening
                    self._loop.call_soon_threadsafe(tasks[0].cancel)
                if waited >= timeout + 60:
                    raise TimeoutError(
                        f"The operation did not finish within {timeout:.0f} seconds."
                    ) from None

    def stop(self) -> None:
        self.closed = True
        self._loop.call_soon_threadsafe(self._loop.stop)
