"""Every call to a host ends: an overall deadline per call, a size limit on replies, and an abort.

http.client bounds each socket operation, never a whole call: a host that sends one byte every few
seconds keeps a call (and the tool) waiting for ever, and one that sends gigabytes fills memory. Here
each call (connect, TLS handshake, request, whole reply) runs under a ``CallGuard`` context: one
watchdog thread shuts down the call's socket when its deadline passes, the reply is read through a
counter that stops at ``max_reply`` bytes (and refuses compressed replies, which could expand past it),
and ``abort_all`` shuts down every call in progress at once (ctrl+c). The context then raises
``CallCut`` saying which of these ended the call.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

MAX_REPLY = 64 * 1024 * 1024  # the largest reply read (a vCenter's inventory of a big cluster fits well)
_CHUNK = 64 * 1024


class CallCut(Exception):
    """The call was ended from outside: ``why`` is "deadline" or "aborted"."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


class ReplyTooLarge(http.client.HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(f"the reply grew past {limit // (1024 * 1024)} MB")
        self.limit = limit


class CompressedReply(http.client.HTTPException):
    """A compressed reply was sent although none was asked for (it could expand past any limit)."""


class _Call:
    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.cut_by: str | None = None
        self._socks: list[socket.socket] = []
        self._lock = threading.Lock()

    def attach(self, sock: Any) -> None:
        with self._lock:
            self._socks.append(sock)
            cut = self.cut_by is not None
        if cut:
            _shutdown(sock)

    def cut(self, why: str) -> None:
        with self._lock:
            if self.cut_by is None:
                self.cut_by = why
            socks = list(self._socks)
        for sock in socks:
            _shutdown(sock)


def _shutdown(sock: Any) -> None:
    with contextlib.suppress(OSError, ValueError):
        sock.shutdown(socket.SHUT_RDWR)  # wakes a blocked recv/send/handshake at once


class _Watchdog:
    """One daemon thread that cuts the calls whose deadline has passed."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._calls: set[_Call] = set()
        self._thread: threading.Thread | None = None

    def add(self, call: _Call) -> None:
        with self._cond:
            self._calls.add(call)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="vmesh-call-watchdog", daemon=True)
                self._thread.start()
            self._cond.notify()

    def remove(self, call: _Call) -> None:
        with self._cond:
            self._calls.discard(call)

    def _run(self) -> None:
        while True:
            with self._cond:
                now = time.monotonic()
                due = [c for c in self._calls if c.deadline <= now]
                self._calls.difference_update(due)
                if not due:
                    nearest = min((c.deadline for c in self._calls), default=None)
                    self._cond.wait(None if nearest is None else max(0.01, nearest - now))
            for call in due:
                call.cut("deadline")


_WATCHDOG = _Watchdog()
_GUARDS: weakref.WeakSet[CallGuard] = weakref.WeakSet()  # every session's guard, for abort_every_call


def abort_every_call() -> None:
    """End every call of every session in this process now (a command stopped while connecting)."""
    for guard in list(_GUARDS):
        guard.abort_all()


class CallGuard:
    """The calls of one session: their deadline (``timeout`` seconds each), reply limit and abort."""

    def __init__(self, timeout: float, max_reply: int = MAX_REPLY) -> None:
        self.timeout = timeout
        self.max_reply = max_reply
        self._local = threading.local()
        self._active: set[_Call] = set()
        self._lock = threading.Lock()
        _GUARDS.add(self)

    @contextmanager
    def call(self, timeout: float | None = None) -> Iterator[None]:
        """One call: raises CallCut when the deadline or an abort ended it, whatever broke inside."""
        call = _Call(time.monotonic() + (self.timeout if timeout is None else timeout))
        outer = getattr(self._local, "call", None)
        self._local.call = call
        with self._lock:
            self._active.add(call)
        _WATCHDOG.add(call)
        try:
            yield
        except Exception:
            if call.cut_by is not None:
                raise CallCut(call.cut_by) from None
            raise
        finally:
            _WATCHDOG.remove(call)
            with self._lock:
                self._active.discard(call)
            self._local.call = outer
        if call.cut_by is not None:  # cut just as it completed: the answer is whole, the socket is not
            raise CallCut(call.cut_by)

    def attach(self, sock: Any) -> None:
        """Put ``sock`` under the current call's deadline (a no-op outside a call)."""
        call: _Call | None = getattr(self._local, "call", None)
        if call is not None and sock is not None:
            call.attach(sock)

    def remaining(self) -> float:
        call: _Call | None = getattr(self._local, "call", None)
        return self.timeout if call is None else max(0.05, call.deadline - time.monotonic())

    def abort_all(self) -> None:
        """End every call in progress now (they raise CallCut("aborted"))."""
        with self._lock:
            calls = list(self._active)
        for call in calls:
            call.cut("aborted")


class _BoundedReader:
    """The reply's byte stream, counted: past ``limit`` bytes it raises ReplyTooLarge."""

    def __init__(self, raw: Any, limit: int) -> None:
        self._raw, self._limit, self._seen = raw, limit, 0

    def _count(self, n: int) -> None:
        self._seen += n
        if self._seen > self._limit:
            raise ReplyTooLarge(self._limit)

    def read(self, amt: int | None = -1) -> bytes:
        if amt is not None and 0 <= amt <= _CHUNK:
            data: bytes = self._raw.read(amt)
            self._count(len(data))
            return data
        parts, want = [], (None if amt is None or amt < 0 else amt)
        while want is None or want > 0:
            chunk = self._raw.read(_CHUNK if want is None else min(_CHUNK, want))
            if not chunk:
                break
            self._count(len(chunk))
            parts.append(chunk)
            if want is not None:
                want -= len(chunk)
        return b"".join(parts)

    def read1(self, amt: int = -1) -> bytes:
        data: bytes = self._raw.read1(_CHUNK if amt is None or amt < 0 else min(amt, _CHUNK))
        self._count(len(data))
        return data

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer)[:_CHUNK]
        n: int = self._raw.readinto(view)
        self._count(n or 0)
        return n

    def readline(self, limit: int = -1) -> bytes:
        data: bytes = self._raw.readline(limit)
        self._count(len(data))
        return data

    def peek(self, n: int = 0) -> bytes:
        data: bytes = self._raw.peek(n)
        return data

    def close(self) -> None:
        self._raw.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)


class GuardedHTTPSConnection(http.client.HTTPSConnection):
    """An HTTPS connection whose sockets and replies follow its session's CallGuard."""

    def __init__(self, *args: Any, guard: CallGuard, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.guard = guard
        self._create_connection = self._guarded_socket  # the raw socket, before the TLS handshake

    def _guarded_socket(self, address: Any, timeout: Any = None, source: Any = None) -> socket.socket:
        limit = self.guard.remaining()
        wait = limit if not isinstance(timeout, (int, float)) else min(float(timeout), limit)
        sock = socket.create_connection(address, wait, source)
        self.guard.attach(sock)
        return sock

    def send(self, data: Any) -> None:
        if self.sock is not None:
            self.guard.attach(self.sock)  # a pooled connection used by this call
        super().send(data)

    def getresponse(self) -> http.client.HTTPResponse:
        self.guard.attach(self.sock)
        response = super().getresponse()
        encoding = (response.getheader("Content-Encoding") or "identity").strip().lower()
        if encoding != "identity":
            raise CompressedReply(
                f"the reply is compressed ({encoding}) although no compression was asked for"
            )
        return response

    def response_class(self, sock: Any, *args: Any, **kwargs: Any) -> http.client.HTTPResponse:  # type: ignore[override]
        response = http.client.HTTPResponse(sock, *args, **kwargs)
        response.fp = _BoundedReader(response.fp, self.guard.max_reply)  # type: ignore[assignment]
        return response
