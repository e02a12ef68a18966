"""The host lock under races and dead holders, and the private-directory rules for the tool's own files."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from vmesh_tui.engine import paths
from vmesh_tui.engine.lock import HostSetLock, LockBusy, lock_path

TRIALS = 200
RACERS = 4


def test_taking_over_a_stale_lock_is_atomic_in_200_trials(tmp_path: Path) -> None:
    """Seen before: 37 of 200 trials gave two holders. Each trial leaves a dead run's lock file, then
    four takers race for it; exactly one may hold it until all four have tried."""
    double = 0
    for trial in range(TRIALS):
        state = tmp_path / str(trial)
        (state / "locks").mkdir(parents=True)
        lock_path(state / "locks", "esx-a").write_text(json.dumps({"pid": 999_999_999, "hosts": ["esx-a"]}))
        start, tried = threading.Barrier(RACERS), threading.Barrier(RACERS)
        holders: list[HostSetLock] = []

        def take(
            state: Path = state,
            start: threading.Barrier = start,
            tried: threading.Barrier = tried,
            holders: list[HostSetLock] = holders,
        ) -> None:
            lock = HostSetLock(state, ["esx-a"])
            start.wait()
            try:
                lock.acquire()
                holders.append(lock)
            except LockBusy:
                pass
            tried.wait()

        threads = [threading.Thread(target=take) for _ in range(RACERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        double += len(holders) > 1
        assert holders, f"trial {trial}: nobody got the lock"
        for lock in holders:
            lock.release()
    assert double == 0, f"{double} of {TRIALS} trials had two holders at once"


HOLDER = """
import sys, time
from pathlib import Path
from vmesh_tui.engine.lock import HostSetLock
lock = HostSetLock(Path(sys.argv[1]), ["esx-a"])
lock.acquire()
print("held", flush=True)
time.sleep(60)
"""


def test_a_killed_holder_frees_the_lock_at_once(tmp_path: Path) -> None:
    """kill -9 leaves the lock file behind; the OS lock dies with the process, so nobody waits for it."""
    child = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "held"
        with pytest.raises(LockBusy, match=f"process {child.pid}"):
            HostSetLock(tmp_path, ["esx-a"]).acquire()
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert lock_path(tmp_path / "locks", "esx-a").exists()  # what a dead holder leaves
    with HostSetLock(tmp_path, ["esx-a"]) as lock:
        assert lock.held


def test_a_holder_in_another_pid_namespace_blocks_while_it_lives_and_is_named_so(tmp_path: Path) -> None:
    """Seen: a run in a container held the lock and the message named "process 1" (its own PID 1)."""
    argv = ["unshare", "--user", "--map-root-user", "--pid", "--fork", "--mount-proc", "--kill-child"]
    if shutil.which("unshare") is None or subprocess.run([*argv, "true"], capture_output=True).returncode:
        pytest.skip("unshare cannot make a PID namespace here")  # not one of the tools .ci/run installs
    child = subprocess.Popen(
        [*argv, sys.executable, "-c", HOLDER, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "held"
        with pytest.raises(LockBusy, match=r"\(process \d+ of another PID namespace, e.g. a container\)"):
            HostSetLock(tmp_path, ["esx-a"]).acquire()
    finally:
        child.send_signal(signal.SIGKILL)  # unshare dies, and --kill-child takes the holder with it
        child.wait()
    for _ in range(50):
        try:
            with HostSetLock(tmp_path, ["esx-a"]) as lock:
                assert lock.held
                return
        except LockBusy:
            time.sleep(0.1)
    raise AssertionError("the lock of a killed holder in another PID namespace stayed taken")


def test_vmesh_home_writable_by_others_is_refused_with_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    monkeypatch.setenv("VMESH_HOME", str(home))
    assert paths.state_dir() == home / "state"
    os.chmod(home, 0o777)
    with pytest.raises(paths.UnsafePath, match=f"writable by other users.*chmod 700 {home}"):
        paths.state_dir()
    os.chmod(home, 0o700)
    (home / "config").mkdir(mode=0o700)
    os.chmod(home / "config", 0o770)
    with pytest.raises(paths.UnsafePath, match=f"chmod 700 {home / 'config'}"):
        paths.known_hosts_path()


def test_dirs_of_another_user_or_links_out_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    monkeypatch.setenv("VMESH_HOME", str(home))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    (home / "state").symlink_to(elsewhere)
    with pytest.raises(paths.UnsafePath, match="symbolic link"):
        paths.state_dir()
    (home / "state").unlink()
    (home / "state").mkdir(mode=0o700)
    (home / "state" / "journals").symlink_to(elsewhere)  # a link out of the state dir
    from vmesh_tui.engine.journal import JournalError, all_journals

    with pytest.raises(JournalError, match="symbolic link"):
        all_journals(home / "state")
    real_uid = os.geteuid()
    monkeypatch.setattr(os, "geteuid", lambda: real_uid + 1)  # the dirs now belong to "another user"
    with pytest.raises(paths.UnsafePath, match=f"belongs to another user.*chown {real_uid + 1}"):
        paths.config_dir()
