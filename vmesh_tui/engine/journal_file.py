"""A journal file and its contents: how it is created, loaded, read and updated (each update persisted).

What a journal is and how the engine finds them: :mod:`vmesh_tui.engine.journal`.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from vmesh_tui.core.model import HostState
from vmesh_tui.core.steps import Step
from vmesh_tui.engine import codec
from vmesh_tui.engine.journalrecord import APPLY, APPLYING, FORMAT_VERSION, IN_FLIGHT, RUNNING, StepRecord
from vmesh_tui.engine.journalstore import (
    JOURNALS,
    JournalError,
    JournalWriteError,
    atomic_write,
    journal_dir,
    read_journal_text,
)
from vmesh_tui.engine.lock import is_locked, locked_here
from vmesh_tui.engine.paths import UnsafePath


class Journal:
    """A journal file and its contents. Mutating methods persist at once."""

    def __init__(self, path: Path, data: dict[str, Any]) -> None:
        self.path = path
        self.data = data
        self.write_error: JournalWriteError | None = None  # set once a save failed: memory only from then
        self.records: list[StepRecord] = [StepRecord.decode(r) for r in data.get("steps", [])]

    # ----- creation and loading
    @classmethod
    def create(
        cls,
        state_dir: Path,
        start_states: Mapping[str, HostState],
        links: Sequence[Any],
        options: Any,
        request: Mapping[str, Any],
        kind: str = APPLY,
    ) -> Journal:
        now = _now()
        hosts = sorted(start_states)
        stamp = now.strftime("%Y%m%dT%H%M%S%f")
        try:
            folder = journal_dir(state_dir)
        except (OSError, UnsafePath) as exc:
            raise JournalWriteError(state_dir / JOURNALS, exc) from None
        path = folder / f"{stamp}-{os.getpid()}.json"
        data: dict[str, Any] = {
            "version": FORMAT_VERSION,
            "kind": kind,
            "id": path.stem,
            "created": now.isoformat(),
            "hosts": hosts,
            "status": APPLYING,
            "closed": False,
            "pid": os.getpid(),
            "boot_times": {h: _iso(start_states[h].boot_time) for h in hosts},
            "request": dict(request),
            "links": codec.encode(tuple(links)),
            "options": codec.encode(options),
            "start_states": {h: codec.encode(start_states[h]) for h in hosts},
            "steps": [],
        }
        journal = cls(path, data)
        journal.save()
        return journal

    @classmethod
    def load(cls, path: Path) -> Journal:
        try:
            data = json.loads(read_journal_text(path))
        except (OSError, ValueError) as exc:
            raise JournalError(f"the journal {path} cannot be read ({exc})") from None
        if not isinstance(data, dict) or data.get("version") != FORMAT_VERSION:
            raise JournalError(f"the journal {path} is not a vmesh-tui journal of a known version")
        try:
            journal = cls(path, data)
            # everything status and the operations read, decoded once here so damage shows now
            _ = (journal.id, journal.hosts, journal.status, journal.closed, journal.interrupted)
            _ = (journal.links, journal.options, journal.records)
            _ = [journal.start_state(h) for h in journal.hosts] + [
                journal.boot_time(h) for h in journal.hosts
            ]
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            raise JournalError(f"the journal {path} is corrupt ({type(exc).__name__}: {exc})") from None
        return journal

    # ----- views
    @property
    def id(self) -> str:
        return str(self.data["id"])

    @property
    def kind(self) -> str:
        """APPLY or PROBE (journals written before probes existed are applies)."""
        return str(self.data.get("kind", APPLY))

    @property
    def hosts(self) -> list[str]:
        return list(self.data["hosts"])

    @property
    def status(self) -> str:
        return str(self.data["status"])

    @property
    def closed(self) -> bool:
        return bool(self.data["closed"])

    @property
    def interrupted(self) -> bool:
        """True when a run was applying and nothing runs it any more (its process is gone or gave up).

        A live run holds the lock of its hosts (an OS lock that dies with its process, whatever PID
        namespace it ran in, and whatever process later gets its PID).
        """
        return self.status == APPLYING and not self._run_alive()

    def _run_alive(self) -> bool:
        ours = self.data.get("pid") == os.getpid()
        state_dir = self.path.parent.parent
        for host in self.hosts:
            if locked_here(state_dir, host):
                if ours:
                    return True
            elif is_locked(state_dir, host):
                return True
        return False

    @property
    def links(self) -> tuple[Any, ...]:
        return tuple(codec.decode(self.data["links"]))

    @property
    def options(self) -> Any:
        return codec.decode(self.data["options"])

    @property
    def request(self) -> dict[str, Any]:
        return dict(self.data.get("request", {}))

    def start_state(self, host: str) -> HostState:
        state = codec.decode(self.data["start_states"][host])
        assert isinstance(state, HostState)
        return state

    def boot_time(self, host: str) -> datetime | None:
        value = self.data["boot_times"].get(host)
        return datetime.fromisoformat(value) if value else None

    def records_for(self, host: str) -> list[StepRecord]:
        return [r for r in self.records if r.host == host]

    @property
    def in_flight(self) -> list[StepRecord]:
        """Steps whose call was sent and never answered, and that never showed on the host."""
        return [r for r in self.records if r.status == IN_FLIGHT]

    def unsettled_until(self, window_s: float) -> float | None:
        """When the calls this journal's runs sent and never saw answered can be taken as settled (epoch
        seconds): ``window_s`` after they went unanswered (or after the journal's last write, for a run
        killed mid-call). None when there are none."""
        try:
            updated = datetime.fromisoformat(str(self.data.get("updated"))).timestamp()
        except ValueError:
            updated = time.time()
        times = [(r.at or updated) + window_s for r in self.records if r.status in (RUNNING, IN_FLIGHT)]
        return max(times) if times else None

    # ----- updates (each persisted)
    def begin_run(self, links: Sequence[Any], options: Any, request: Mapping[str, Any]) -> None:
        """A new apply run on this (open) journal: it now describes these links and options."""
        self.data.update(
            status=APPLYING,
            pid=os.getpid(),
            links=codec.encode(tuple(links)),
            options=codec.encode(options),
            request=dict(request),
        )
        self.data.pop("recovering", None)
        self.save()

    def begin_recover(self) -> None:
        """Recover is about to change the hosts: until ``end_recover`` the journal reads as a run in
        progress, so a crash in the middle shows as interrupted."""
        self.data.setdefault("recovering", self.status)
        self.data.update(status=APPLYING, pid=os.getpid())
        self.save()

    def end_recover(self) -> None:
        """Recover is over: the journal's status is again what it was before."""
        self.data["status"] = self.data.pop("recovering", self.status)
        self.save()

    def step_started(self, step: Step) -> StepRecord:
        record = StepRecord(len(self.records) + 1, step, RUNNING)
        self.records.append(record)
        self.save()
        return record

    def step_finished(self, record: StepRecord, status: str, vmk: str | None = None, error: str = "") -> None:
        record.status = status
        record.vmk = vmk or record.vmk
        record.error = error or None
        self.save()

    def set_boot_times(self, boot_times: Mapping[str, datetime | None]) -> None:
        self.data["boot_times"].update({h: _iso(t) for h, t in boot_times.items()})
        self.save()

    def set_status(self, status: str, *, close: bool = False) -> None:
        self.data["status"] = status
        self.data["closed"] = close
        self.save()

    def save(self) -> None:
        """Write the journal; JournalWriteError the first time that fails, nothing (memory only) after."""
        if self.write_error is not None:
            return
        self.data["updated"] = _now().isoformat()
        self.data["steps"] = [r.encode() for r in self.records]
        try:
            atomic_write(self.path, json.dumps(self.data, indent=1, sort_keys=True))
        except OSError as exc:
            self.write_error = JournalWriteError(self.path, exc)
            raise self.write_error from None

    def try_save_again(self) -> bool:
        """After a failed save: try once more (space may have been freed); True when the file is current."""
        failed, self.write_error = self.write_error, None
        try:
            self.save()
        except JournalWriteError:
            self.write_error = self.write_error or failed
            return False
        return True


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
