"""One apply per host at a time: O_EXCL lock files in the state dir, stale when their process is gone."""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType

from vmesh_tui.engine.journal import _pid_alive


class LockBusy(Exception):
    """Another run holds the lock for a host (the message names the host and the process)."""


class HostSetLock:
    """Locks every host of a set (sorted, so two runs never deadlock); each file holds pid + host set."""

    def __init__(self, state_dir: Path, hosts: Iterable[str]) -> None:
        self.hosts = sorted(set(hosts))
        self.dir = state_dir / "locks"
        self._held: list[Path] = []

    def acquire(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            for host in self.hosts:
                self._held.append(self._take(host))
        except BaseException:
            self.release()
            raise

    def release(self) -> None:
        while self._held:
            self._held.pop().unlink(missing_ok=True)

    def __enter__(self) -> HostSetLock:
        self.acquire()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()

    def _path(self, host: str) -> Path:
        return self.dir / f"{hashlib.sha256(host.encode()).hexdigest()[:16]}.lock"

    def _take(self, host: str) -> Path:
        path = self._path(host)
        content = json.dumps({"pid": os.getpid(), "host": host, "hosts": self.hosts}).encode()
        for _attempt in range(3):
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                holder = _holder_pid(path)
                if holder is None and _age_s(path) < FRESH_S:
                    busy = f"another vmesh-tui run is taking the lock for {host}; try again in a moment"
                    raise LockBusy(busy) from None
                if holder is not None and _pid_alive(holder):
                    raise LockBusy(
                        f"another vmesh-tui run (process {holder}) is changing {host}; "
                        "wait for it to finish, then try again"
                    ) from None
                path.unlink(missing_ok=True)  # stale: its process is gone
                continue
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)
                handle.flush()
                os.fsync(handle.fileno())
            return path
        raise LockBusy(f"the lock for {host} keeps changing under us; try again in a moment")


FRESH_S = 2.0  # an unreadable lock younger than this is being written by its owner right now


def _age_s(path: Path) -> float:
    try:
        return time.time() - path.stat().st_mtime
    except OSError:
        return FRESH_S


def _holder_pid(path: Path) -> int | None:
    try:
        return int(json.loads(path.read_text(encoding="utf-8"))["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None  # half-written or unreadable: its writer died mid-write (we treat it as stale)
