"""One run per host at a time: an OS file lock (flock) per host in the state dir.

The kernel drops a flock when its process ends, however it ends (kill -9, a crash, another PID
namespace, a reused PID), so a lock is never stale and taking it is atomic. The locked file also holds a
readable record of its holder (pid, host set, start time) for the "busy" message, and nothing relies on it.
A lock file is removed by its holder while it still holds it; a taker that locked a file that was
removed in between sees that (its inode is no longer the path's) and tries again.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import time
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType

from vmesh_tui.engine.paths import open_nofollow, private_subdir

_HELD_HERE: set[Path] = set()  # lock files this process holds (to tell its own runs from others')


class LockBusy(Exception):
    """Another run holds the lock for a host (the message names the host and the process)."""


class HostSetLock:
    """Locks every host of a set (sorted, so two runs never deadlock)."""

    def __init__(self, state_dir: Path, hosts: Iterable[str]) -> None:
        self.hosts = sorted(set(hosts))
        self.state_dir = state_dir
        self.dir = state_dir / "locks"
        self._held: list[tuple[Path, int]] = []

    def acquire(self) -> None:
        """Take every host's lock or none (LockBusy names the holder; OSError when the dir is unusable)."""
        private_subdir(self.state_dir, "locks")
        try:
            for host in self.hosts:
                self._held.append(self._take(host))
        except BaseException:
            self.release()
            raise

    def release(self) -> None:
        while self._held:
            path, fd = self._held.pop()
            _HELD_HERE.discard(path)
            try:
                if _same_file(path, fd):
                    path.unlink(missing_ok=True)  # while still locked: a waiter then sees the inode change
            except OSError:
                pass  # a read-only dir: the file stays, unlocked, harmless
            finally:
                os.close(fd)  # drops the flock

    @property
    def held(self) -> bool:
        return bool(self._held)

    def __enter__(self) -> HostSetLock:
        self.acquire()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()

    def _take(self, host: str) -> tuple[Path, int]:
        path = lock_path(self.dir, host)
        record = {
            "pid": os.getpid(),
            "pidns": _pid_namespace(),
            "host": host,
            "hosts": self.hosts,
            "since": time.time(),
        }
        for _attempt in range(20):
            fd = open_nofollow(path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                os.close(fd)
                if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN):
                    raise
                raise LockBusy(_busy_message(host, holder(path))) from None
            if not _same_file(path, fd):  # its holder removed it after we opened it: take the new one
                os.close(fd)
                continue
            try:
                os.ftruncate(fd, 0)
                os.write(fd, json.dumps(record).encode())
            except OSError:
                pass  # the record is only for messages; the flock is the lock
            _HELD_HERE.add(path)
            return path, fd
        raise LockBusy(f"the lock for {host} keeps changing under us; try again in a moment")


def lock_path(lock_dir: Path, host: str) -> Path:
    return lock_dir / f"{hashlib.sha256(host.encode()).hexdigest()[:16]}.lock"


def locked_here(state_dir: Path, host: str) -> bool:
    """True while this process holds the lock of ``host``."""
    return lock_path(state_dir / "locks", host) in _HELD_HERE


def is_locked(state_dir: Path, host: str) -> bool:
    """True while some process holds the lock of ``host`` (this one included)."""
    path = lock_path(state_dir / "locks", host)
    try:
        fd = open_nofollow(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False


def holder(path: Path) -> dict[str, object]:
    """The holder record of a lock file, or {} when it cannot be read."""
    try:
        fd = open_nofollow(path)
        with os.fdopen(fd, "rb") as handle:
            data = json.loads(handle.read(4096).decode("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _busy_message(host: str, record: dict[str, object]) -> str:
    pid, namespace = record.get("pid"), record.get("pidns")
    who = "another vmesh-tui run"
    if isinstance(pid, int):  # its number means nothing here when it runs in another PID namespace
        elsewhere = isinstance(namespace, str) and namespace != _pid_namespace()
        who += (
            f" (process {pid} of another PID namespace, e.g. a container)"
            if elsewhere
            else f" (process {pid})"
        )
    return f"{who} is changing {host}; wait for it to finish, then try again"


def _pid_namespace() -> str | None:
    """This process's PID namespace (Linux: ``pid:[4026531836]``), None where it cannot be told."""
    try:
        return os.readlink("/proc/self/ns/pid")
    except OSError:
        return None


def _same_file(path: Path, fd: int) -> bool:
    try:
        now = os.stat(path, follow_symlinks=False)
    except OSError:
        return False
    mine = os.fstat(fd)
    return (now.st_dev, now.st_ino) == (mine.st_dev, mine.st_ino)
