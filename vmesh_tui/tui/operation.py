"""Running one engine operation from a screen: a named thread worker that reports with messages."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable
from typing import Any

from textual import work
from textual.message import Message
from textual.screen import Screen

from vmesh_tui.tui.backend import Problem, describe


class OperationEvent(Message):
    """One engine event of operation ``name``."""

    def __init__(self, name: str, event: Any) -> None:
        super().__init__()
        self.name = name
        self.event = event


class OperationDone(Message):
    """Operation ``name`` finished; ``result`` is the "done" event's result."""

    def __init__(self, name: str, result: Any) -> None:
        super().__init__()
        self.name = name
        self.result = result


class OperationFailed(Message):
    """Operation ``name`` failed or was cancelled; ``problem`` says why in plain words."""

    def __init__(self, name: str, problem: Problem, cancelled: bool = False) -> None:
        super().__init__()
        self.name = name
        self.problem = problem
        self.cancelled = cancelled


class OperationScreen(Screen[Any]):
    """Mixin for screens that run engine streams: ``start_operation`` and ``cancel_operation``."""

    operation_timeout = 600.0

    def start_operation(self, name: str, stream: Callable[[], AsyncIterator[Any]]) -> None:
        self._cancel = threading.Event()
        self._operation_worker(name, stream, self._cancel)

    def cancel_operation(self) -> None:
        cancel = getattr(self, "_cancel", None)
        if cancel is not None:
            cancel.set()

    @work(thread=True, exclusive=True, group="operation")
    def _operation_worker(
        self, name: str, stream: Callable[[], AsyncIterator[Any]], cancel: threading.Event
    ) -> None:
        loop = getattr(self.app, "engine_loop")  # noqa: B009 - VmeshApp attribute, typed loosely here
        try:
            result = loop.run_stream(
                stream,
                lambda event: self.post_message(OperationEvent(name, event)),
                cancel,
                self.operation_timeout,
            )
        except BaseException as exc:  # the engine's errors carry message and remedy; show, never raise
            cancelled = type(exc).__name__ == "CancelledError"
            problem = Problem("Cancelled", "Cancelled at your request.") if cancelled else describe(exc)
            self.post_message(OperationFailed(name, problem, cancelled))
            return
        self.post_message(OperationDone(name, result))
