"""Where the tool keeps its files: config (known hosts) and state (journals, locks), and that they are safe.

``VMESH_HOME`` replaces the platform directories when set (tests always set it): config is
``$VMESH_HOME/config`` and state is ``$VMESH_HOME/state``. Every such directory must belong to the user
running the tool, must not be writable by group or others, and must not be a symbolic link: otherwise
another account could swap a journal, a lock or a pin under us. Such a directory is refused with the
command that fixes it (``UnsafePath``); nothing is followed out of it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import platformdirs

APP_NAME = "vmesh-tui"


class UnsafePath(Exception):
    """A directory of the tool's own files that another account could change (the message says the fix)."""

    code = "unsafe-path"

    def __init__(self, message: str, remedy: str) -> None:
        super().__init__(f"{message}. {remedy}")
        self.message = message
        self.remedy = remedy


def _home() -> Path | None:
    value = os.environ.get("VMESH_HOME", "").strip()
    return Path(value).expanduser() if value else None


def config_dir() -> Path:
    """The config directory (created on demand, private to the user, checked)."""
    home = _home()
    if home is not None:
        return ensure_private_dir(home / "config", home)
    return ensure_private_dir(Path(platformdirs.user_config_dir(APP_NAME)))


def state_dir() -> Path:
    """The state directory holding journals and locks (created on demand, private to the user, checked)."""
    home = _home()
    if home is not None:
        return ensure_private_dir(home / "state", home)
    return ensure_private_dir(Path(platformdirs.user_state_dir(APP_NAME)))


def known_hosts_path() -> Path:
    """The file of pinned host certificates, like SSH's known_hosts."""
    return config_dir() / "known_hosts"


def ensure_private_dir(path: Path, home: Path | None = None) -> Path:
    """Create ``path`` (mode 0700) if needed and refuse it, or ``home`` above it, when it is unsafe."""
    if home is not None:
        _make(home)
        check_private_dir(home, "VMESH_HOME")
    _make(path)
    check_private_dir(path)
    return path


def _make(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    except FileExistsError:
        pass  # a file or a link where the directory should be: check_private_dir names it
    except OSError as exc:
        raise UnsafePath(
            f"the directory {path} cannot be created ({exc.strerror or exc})",
            "check that its parent exists and is writable, or set VMESH_HOME to a directory of yours",
        ) from None


def check_private_dir(path: Path, what: str = "") -> None:
    """Raise UnsafePath unless ``path`` is a real directory of ours that only we can write to."""
    name = f"{what} ({path})" if what else str(path)
    try:
        info = os.lstat(path)
    except OSError as exc:
        raise UnsafePath(
            f"the directory {name} cannot be read ({exc.strerror or exc})",
            "check its permissions, or set VMESH_HOME to a directory of yours",
        ) from None
    if stat.S_ISLNK(info.st_mode):
        raise UnsafePath(
            f"{name} is a symbolic link; the tool keeps its journals, locks and pins only in a real "
            "directory",
            f"replace the link with a directory (rm {path} && mkdir -m 700 {path}), or set VMESH_HOME",
        )
    if not stat.S_ISDIR(info.st_mode):
        raise UnsafePath(f"{name} is not a directory", f"move {path} aside, or set VMESH_HOME")
    if info.st_uid != os.geteuid():
        raise UnsafePath(
            f"the directory {name} belongs to another user (uid {info.st_uid}), so it could change this "
            "tool's journals, locks and pins",
            f"use a directory of your own (set VMESH_HOME), or chown {os.geteuid()} {path}",
        )
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise UnsafePath(
            f"the directory {name} is writable by other users (mode {stat.S_IMODE(info.st_mode):o}), so "
            "they could change this tool's journals, locks and pins",
            f"make it private: chmod 700 {path}",
        )


def private_subdir(parent: Path, name: str) -> Path:
    """``parent/name`` as a checked private directory (created on demand); never a link out of it."""
    return ensure_private_dir(parent / name)


def open_nofollow(path: Path, flags: int = os.O_RDONLY, mode: int = 0o600) -> int:
    """os.open that refuses to follow a symbolic link at ``path`` itself (OSError ELOOP)."""
    return os.open(path, flags | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0), mode)


def read_text_nofollow(path: Path) -> str:
    """The UTF-8 text of ``path``, never through a symbolic link (OSError when it is one)."""
    fd = open_nofollow(path)
    with os.fdopen(fd, "rb") as handle:
        return handle.read().decode("utf-8")
