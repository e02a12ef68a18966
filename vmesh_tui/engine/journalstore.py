"""The journal files on disk: atomic writes, listing, and a first look at files that cannot be loaded.

Journals live in ``STATE/journals`` (a checked private directory, see paths). Files are read without
following symbolic links, and written to a temp file, fsynced, renamed over, and the directory fsynced.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from vmesh_tui.engine.paths import UnsafePath, check_private_dir, private_subdir, read_text_nofollow

JOURNALS = "journals"


class JournalError(Exception):
    """A journal that cannot be read, or a journal directory that cannot be listed."""


class JournalWriteError(JournalError):
    """The journal could not be written (disk full, read-only, ...): the run must not go on."""

    def __init__(self, path: Path, exc: Exception) -> None:
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        super().__init__(f"the journal {path} could not be written ({reason})")
        self.reason = reason


def journal_dir(state_dir: Path) -> Path:
    """The journal directory, created when missing (UnsafePath when it is a link or not private)."""
    return private_subdir(state_dir, JOURNALS)


def journal_files(state_dir: Path) -> list[Path]:
    """Every ``*.json`` in the journal directory, oldest first; none when the directory does not exist.

    Raises JournalError when the directory exists but cannot be listed (so "no journals" is never said
    about journals that could not be seen).
    """
    folder = state_dir / JOURNALS
    try:
        if not os.path.lexists(folder):
            return []
        check_private_dir(folder)
        names = sorted(entry.name for entry in os.scandir(folder) if entry.name.endswith(".json"))
    except UnsafePath as exc:
        raise JournalError(str(exc)) from None
    except OSError as exc:
        raise JournalError(f"the journal directory {folder} cannot be read ({exc.strerror or exc})") from None
    return [folder / name for name in names if not name.startswith(".")]


def read_journal_text(path: Path) -> str:
    """A journal file's text (never through a symbolic link); OSError/ValueError when it cannot be read."""
    return read_text_nofollow(path)


@dataclass(frozen=True)
class Peek:
    """What can be told about a journal file that does not load: its hosts and whether it was closed."""

    hosts: frozenset[str] | None  # None: unknown (the file is unreadable or damaged there)
    closed: bool


def peek(path: Path) -> Peek:
    """The hosts and closed flag of a damaged journal, as far as its JSON still shows them."""
    try:
        data = json.loads(read_journal_text(path))
    except (OSError, ValueError):
        return Peek(None, False)
    if not isinstance(data, dict):
        return Peek(None, False)
    hosts = data.get("hosts")
    known = frozenset(hosts) if isinstance(hosts, list) and all(isinstance(h, str) for h in hosts) else None
    return Peek(known, data.get("closed") is True)


def atomic_write(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` so that a crash leaves either the old or the new file, whole."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
