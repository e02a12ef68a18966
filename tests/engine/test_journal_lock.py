"""Journal, codec, lock and paths: the crash-safe records the engine relies on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from vmesh_tui.core.model import CdpMode, HostState, Pnic, Portgroup, Vmk, VSwitch
from vmesh_tui.core.steps import Action, Step
from vmesh_tui.engine import codec, paths
from vmesh_tui.engine.events import Event, done
from vmesh_tui.engine.journal import APPLIED, DONE, Journal, all_journals, open_journal_for
from vmesh_tui.engine.lock import HostSetLock, LockBusy, lock_path

BOOT = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


def _host(name: str) -> HostState:
    return HostState(
        name=name,
        version="8.0.3",
        boot_time=BOOT,
        pnics=(Pnic("vmnic1", "00:50:56:00:00:01", "igb", 1000),),
        vswitches=(VSwitch("vSwitch0", 1500, ("vmnic0",), ("vmnic0",), (), CdpMode.LISTEN),),
        portgroups=(Portgroup("Management Network", "vSwitch0", active=("vmnic0",), standby=()),),
        vmks=(Vmk("vmk0", "Management Network", "192.168.1.1", 24, 1500, frozenset({"management"})),),
    )


def test_codec_round_trips_host_state_and_steps() -> None:
    state = _host("esx-a")
    step = Step("esx-a", Action.ADD, None, Vmk("", "vmesh-1", "10.0.0.1", 30, 9000, frozenset({"vmotion"})))
    data = json.loads(json.dumps(codec.encode([state, step])))
    decoded_state, decoded_step = codec.decode(data)
    assert decoded_state == state
    assert decoded_step == step
    assert isinstance(decoded_step.action, Action)
    assert isinstance(decoded_state.vswitches[0].cdp, CdpMode)


def test_codec_refuses_unknown_types() -> None:
    with pytest.raises(ValueError, match="unknown type"):
        codec.decode({"$type": "Popen", "args": ["rm"]})


def test_journal_persists_every_step_and_finds_open_journal(tmp_path: Path) -> None:
    states = {"esx-b": _host("esx-b"), "esx-a": _host("esx-a")}
    journal = Journal.create(tmp_path, states, links=(), options=None, request={"supernet": "10.0.0.0/24"})
    step = Step("esx-a", Action.ADD, None, VSwitch("vmesh-1", 9000, ("vmnic1",), ("vmnic1",)))
    record = journal.step_started(step)
    journal.step_finished(record, DONE, vmk=None)
    journal.set_status(APPLIED)

    reloaded = Journal.load(journal.path)
    assert reloaded.hosts == ["esx-a", "esx-b"]
    assert reloaded.status == APPLIED and not reloaded.closed
    assert reloaded.records[0].step == step and reloaded.records[0].status == DONE
    assert reloaded.start_state("esx-b") == states["esx-b"]
    assert reloaded.boot_time("esx-a") == BOOT
    assert open_journal_for(tmp_path, ["esx-b", "esx-a"]).id == journal.id  # type: ignore[union-attr]
    journal.set_status("reverted", close=True)
    assert open_journal_for(tmp_path, ["esx-a", "esx-b"]) is None
    assert [j.id for j in all_journals(tmp_path)] == [journal.id]
    assert not list(journal.path.parent.glob(".*"))  # no temp files left behind


def test_journal_is_interrupted_once_no_process_holds_its_hosts_lock(tmp_path: Path) -> None:
    journal = Journal.create(tmp_path, {"esx-a": _host("esx-a")}, links=(), options=None, request={})
    with HostSetLock(tmp_path, ["esx-a"]):
        assert not Journal.load(journal.path).interrupted  # our run holds the lock
    assert Journal.load(journal.path).interrupted
    journal.data["pid"] = 1  # a live process that is not ours (a reused PID): still nobody runs it
    journal.save()
    assert Journal.load(journal.path).interrupted


def test_lock_refuses_a_second_holder_and_ignores_leftover_lock_files(tmp_path: Path) -> None:
    with HostSetLock(tmp_path, ["esx-a", "esx-b"]):
        with pytest.raises(LockBusy, match=f"process {os.getpid()}.* is changing esx-b"):
            HostSetLock(tmp_path, ["esx-b", "esx-c"]).acquire()
        assert HostSetLock(tmp_path, ["esx-c"]).hosts == ["esx-c"]
    assert not list((tmp_path / "locks").iterdir())
    # a leftover record naming a live process (PID 1, or one in another PID namespace) blocks nothing:
    # only a process holding the OS lock does
    stale_path = lock_path(tmp_path / "locks", "esx-a")
    stale_path.write_text(json.dumps({"pid": 1, "hosts": ["esx-a"]}))
    with HostSetLock(tmp_path, ["esx-a"]):
        assert json.loads(stale_path.read_text())["pid"] == os.getpid()


def test_paths_follow_vmesh_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VMESH_HOME", str(tmp_path))
    assert paths.state_dir() == tmp_path / "state"
    assert paths.config_dir() == tmp_path / "config"
    assert paths.known_hosts_path().parent.is_dir()


def test_events_reject_unknown_kinds_and_carry_results() -> None:
    assert done({"ok": True}).result == {"ok": True}
    with pytest.raises(ValueError):
        Event("exploded")


def test_a_recover_killed_between_toggle_updates_shows_as_interrupted(tmp_path: Path) -> None:
    from vmesh_tui.engine.recovery import pending_toggles

    group = Portgroup("vmesh-1", "vmesh-1", 0, ("vmnic1",), (), "failover_explicit")
    standby = Portgroup("vmesh-1", "vmesh-1", 0, (), ("vmnic1",), "failover_explicit")
    journal = Journal.create(tmp_path, {"esx-a": _host("esx-a")}, (), None, {})
    journal.set_status(APPLIED)
    journal.begin_recover()
    record = journal.step_started(Step("esx-a", Action.UPDATE, group, standby))
    journal.step_finished(record, DONE)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True)
    data = json.loads(journal.path.read_text())
    data["pid"] = int(dead.stdout)  # the recover process is gone, between the two updates
    journal.path.write_text(json.dumps(data))

    killed = Journal.load(journal.path)
    assert killed.interrupted
    state = HostState("esx-a", portgroups=(standby,))
    (fix,) = pending_toggles(killed, state)
    assert fix.before == standby and fix.after == group
    killed.begin_recover()
    killed.end_recover()
    assert killed.status == APPLIED and not killed.interrupted
    assert pending_toggles(killed, HostState("esx-a", portgroups=(group,))) == []
