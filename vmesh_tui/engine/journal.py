"""The apply journal: a crash-safe JSON record of what the tool is doing and did to which hosts.

It is written before and after every step (write to a temp file, fsync, rename over, fsync the directory),
so a run killed at any moment leaves an exact account: the hosts, links and options, every host's state
before the first step, and each step with its before/after, its status and the vmk device it created.
It never holds secrets. One open journal per host set: apply again continues it, revert closes it.
When the file cannot be written (disk full, read-only), the journal raises JournalWriteError once and
then keeps going in memory only, so the run that must stop can still roll back from what it holds.
The journal file and its class live in :mod:`vmesh_tui.engine.journal_file`; this module finds them.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from vmesh_tui.engine.journal_file import Journal
from vmesh_tui.engine.journalrecord import (
    APPLIED,
    APPLY,
    APPLYING,
    DONE,
    FAILED,
    IN_FLIGHT,
    PROBE,
    PROBED,
    REVERTED,
    ROLLBACK_INCOMPLETE,
    ROLLED_BACK,
    RUNNING,
    UNDONE,
    StepRecord,
)
from vmesh_tui.engine.journalstore import JournalError, JournalWriteError, journal_dir, journal_files


def all_journals(state_dir: Path) -> list[Journal]:
    """Every readable journal, oldest first (JournalError when the directory cannot be listed)."""
    found = []
    for path in journal_files(state_dir):
        try:
            found.append(Journal.load(path))
        except JournalError:
            continue
    return found


def unreadable_journals(state_dir: Path) -> list[tuple[Path, str]]:
    """Every journal file that cannot be read or is corrupt, with the reason (naming the file)."""
    found = []
    for path in journal_files(state_dir):
        try:
            Journal.load(path)
        except JournalError as exc:
            found.append((path, str(exc)))
    return found


def open_journal_for(state_dir: Path, hosts: Iterable[str], kind: str | None = None) -> Journal | None:
    """The newest open journal about exactly these hosts, else the newest open one within them; only
    of ``kind`` (APPLY or PROBE) when given."""
    wanted = set(hosts)
    open_ones = [j for j in all_journals(state_dir) if not j.closed and kind in (None, j.kind)]
    exact = [j for j in open_ones if set(j.hosts) == wanted]
    within = [j for j in open_ones if set(j.hosts) <= wanted]
    candidates = exact or within
    return candidates[-1] if candidates else None


__all__ = [
    "APPLIED",
    "APPLY",
    "APPLYING",
    "DONE",
    "FAILED",
    "IN_FLIGHT",
    "PROBE",
    "PROBED",
    "REVERTED",
    "ROLLBACK_INCOMPLETE",
    "ROLLED_BACK",
    "RUNNING",
    "UNDONE",
    "Journal",
    "JournalError",
    "JournalWriteError",
    "StepRecord",
    "journal_dir",
]
