"""Interrupted probe journals that nothing is left of: closed by the next run that reads their hosts.

A probe killed after its vSwitches were removed (or whose leftovers were removed by hand) leaves an open
journal that ``status`` shows as interrupted, and that revert would pick before an apply's journal. The
next run on these hosts that holds their lock and reads them afresh (probe, apply, revert, and the TUI's
Status when connected) closes it when that read shows nothing of it: none of the vSwitches it added or
meant to add is on any of its hosts, and no call of it that went unanswered may still land. The journal
then reads "probed", closed, with a note saying so (``status`` prints it).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path

from vmesh_tui.core.model import HostState
from vmesh_tui.engine import journal as jr
from vmesh_tui.engine.objects import step_took_effect

NOTE = "closed by {run} at {when}: a fresh read showed nothing of it on {hosts}"


def open_probes(state_dir: Path, hosts: list[str]) -> list[jr.Journal]:
    """The open probe journals about some of ``hosts`` whose run is over (interrupted, or ended with
    something left)."""
    wanted = set(hosts)
    return [
        journal
        for journal in jr.all_journals(state_dir)
        if journal.kind == jr.PROBE
        and not journal.closed
        and set(journal.hosts) <= wanted
        and (journal.interrupted or journal.status != jr.APPLYING)
    ]


def _switches(journal: jr.Journal) -> set[str]:
    """The names of every vSwitch the probe's steps add or remove, and the one its request names."""
    names = {str(journal.request.get("switch", ""))} - {""}
    for record in journal.records:
        for obj in (record.step.before, record.step.after):
            name = getattr(obj, "name", None)
            if isinstance(name, str):
                names.add(name)
    return names


def nothing_left(journal: jr.Journal, states: Mapping[str, HostState], window_s: float) -> bool:
    """True when every host of the journal was read, none has one of its vSwitches, and none of its
    unanswered calls may still land (it shows on the host, or ``window_s``, how long a call may take,
    has passed)."""
    if not all(host in states for host in journal.hosts):
        return False
    unanswered = [r for r in journal.records if r.status in (jr.RUNNING, jr.IN_FLIGHT)]
    pending = [r for r in unanswered if not step_took_effect(states[r.host], r.step)]  # may still land
    until = journal.unsettled_until(window_s)
    if pending and until is not None and until > time.time():
        return False
    names = _switches(journal)
    return not any(states[host].vswitch(name) for host in journal.hosts for name in names)


def close_stale_probes(
    state_dir: Path, states: Mapping[str, HostState], window_s: float, run: str
) -> list[str]:
    """Close every open probe journal about the read hosts that nothing is left of (``run`` names the
    run that read them, for the note); a sentence per journal closed. A journal that cannot be written
    stays open and is left to a later run."""
    closed = []
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    for journal in open_probes(state_dir, sorted(states)):
        if not nothing_left(journal, states, window_s):
            continue
        note = NOTE.format(run=run, when=when, hosts=", ".join(journal.hosts))
        journal.data["note"] = note
        try:
            journal.set_status(jr.PROBED, close=True)
        except jr.JournalWriteError:
            continue
        closed.append(f"the interrupted probe {journal.id} was {note}")
    return closed
