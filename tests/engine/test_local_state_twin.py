"""Local state under attack, against the twin, judged by an independent reader: an edited journal record,
a damaged journal, a disk that fills up mid-apply, a read-only state dir.

Each command runs as its own process (`python -m vmesh_tui`), as an admin would run it.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.engine.twin_cli import LINK_ARGS, cli_command, cli_env
from tests.engine.twinlab import SUPERNET
from tests.hostview.reader import read_lab

APPLY = ("apply", "--supernet", SUPERNET, *LINK_ARGS, "--yes", "--json")


def _cli(twin: Any, *args: str, file_limit: int | None = None) -> subprocess.CompletedProcess[str]:
    def limit_files() -> None:  # a disk with room for ``file_limit`` bytes per file: writes beyond fail
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        assert file_limit is not None
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_limit, file_limit))

    return subprocess.run(
        cli_command(twin, *args),
        env=cli_env(twin),
        capture_output=True,
        text=True,
        timeout=180,
        preexec_fn=limit_files if file_limit is not None else None,
    )


def _journal_file(twin: Any) -> Path:
    (path,) = (twin.home / "state" / "journals").glob("*.json")
    return path


# A record as an attacker would add it to the journal (literal JSON): "the tool added a vmk on the
# Management Network". Undoing it would remove vmk0.
FORGED = {
    "seq": 99,
    "status": "done",
    "vmk": "vmk0",
    "error": None,
    "step": {
        "$type": "Step",
        "host": "esx-a.lab.local",
        "action": {"$enum": "Action", "value": "add"},
        "before": None,
        "after": {
            "$type": "Vmk",
            "device": "vmk0",
            "portgroup": "Management Network",
            "ip": "192.168.10.11",
            "prefix": 24,
            "mtu": 1500,
            "services": {"$set": ["management"]},
            "netstack": "defaultTcpipStack",
            "mac": "",
        },
    },
}


def test_an_edited_journal_record_cannot_make_revert_remove_vmk0(make_twin: Any) -> None:
    twin = make_twin()
    start = read_lab(twin.lab)
    assert _cli(twin, *APPLY).returncode == 0
    path = _journal_file(twin)
    data = json.loads(path.read_text())
    data["steps"].append(FORGED)
    path.write_text(json.dumps(data))

    reverted = _cli(twin, "revert", "--yes", "--json")
    result = json.loads(reverted.stdout)
    assert reverted.returncode == 6, reverted.stderr
    assert any(
        "vmk0" in p and "Management Network" in p and "not the tool's" in p for p in result["problems"]
    )
    now = read_lab(twin.lab)
    assert now["esx-a.lab.local"]["vmks"]["vmk0"] == start["esx-a.lab.local"]["vmks"]["vmk0"]
    assert now == start  # everything the tool did own is reverted; nothing else touched


# "The tool removed vSwitch vmesh-9, whose uplinks were vmnic0 and vmnic4" (literal JSON, as an attacker
# or a damaged disk would write it): undoing it would add a vSwitch that takes vSwitch0's uplinks, the
# management network's. The name is the tool's; the NICs are not.
FORGED_SWITCH = {
    "seq": 99,
    "status": "done",
    "vmk": None,
    "error": None,
    "step": {
        "$type": "Step",
        "host": "esx-a.lab.local",
        "action": {"$enum": "Action", "value": "remove"},
        "before": {
            "$type": "VSwitch",
            "name": "vmesh-9",
            "mtu": 1500,
            "uplinks": ["vmnic0", "vmnic4"],
            "active": ["vmnic0", "vmnic4"],
            "standby": [],
            "cdp": {"$enum": "CdpMode", "value": "listen"},
            "num_ports": 128,
        },
        "after": None,
    },
}


def test_an_edited_journal_record_cannot_make_revert_take_vswitch0s_uplinks(make_twin: Any) -> None:
    """Seen: the ownership check looked at the vSwitch's name only, so revert sent AddVirtualSwitch with
    vmnic0 and only the host's own refusal (ResourceInUse) kept the management uplink where it was."""
    twin = make_twin()
    start = read_lab(twin.lab)
    assert _cli(twin, *APPLY).returncode == 0
    path = _journal_file(twin)
    data = json.loads(path.read_text())
    data["steps"].append(FORGED_SWITCH)
    path.write_text(json.dumps(data))
    sent_before = twin.lab.stats()["hosts"]["esx-a.lab.local"].get("AddVirtualSwitch", 0)

    reverted = _cli(twin, "revert", "--yes", "--json")
    result = json.loads(reverted.stdout)
    assert reverted.returncode == 6, reverted.stderr
    assert any(
        "vmesh-9" in p and "vmnic0 is an uplink of vSwitch0" in p and "not the tool's" in p
        for p in result["problems"]
    ), result["problems"]
    assert twin.lab.stats()["hosts"]["esx-a.lab.local"].get("AddVirtualSwitch", 0) == sent_before
    assert read_lab(twin.lab) == start  # vSwitch0 keeps its uplinks; the tool's own objects are gone


def test_a_damaged_journal_blocks_apply_and_revert_on_its_hosts(make_twin: Any) -> None:
    """Seen before: apply ignored it and the next revert "succeeded", leaving the objects behind."""
    twin = make_twin()
    assert _cli(twin, *APPLY).returncode == 0
    applied = read_lab(twin.lab)
    path = _journal_file(twin)
    text = path.read_text()
    path.write_text(text[: len(text) // 2])

    for command in (APPLY, ("revert", "--yes", "--json")):
        refused = _cli(twin, *command)
        assert refused.returncode == 4, (command, refused.stdout, refused.stderr)
        assert str(path) in refused.stdout and f"mv {path} {path}.damaged" in refused.stdout
    status = json.loads(_cli(twin, "status", "--json").stdout)
    assert [j["status"] for j in status["journals"]] == ["corrupt"]
    assert read_lab(twin.lab) == applied  # nothing was touched either way


def test_a_full_disk_mid_apply_stops_and_rolls_back_from_memory(make_twin: Any) -> None:
    twin = make_twin()
    start = read_lab(twin.lab)
    # how big the journal is once it exists: a run that cannot even write a few bytes changes nothing
    tiny = _cli(twin, *APPLY, file_limit=200)
    assert tiny.returncode == 4, tiny.stderr
    assert "could not be written" in tiny.stdout and "nothing was changed" in tiny.stdout
    assert read_lab(twin.lab) == start
    # room for the journal and its first steps, not for all twelve: the disk fills up mid-apply
    for leftover in (twin.home / "state" / "journals").glob("*.json"):
        leftover.unlink()
    size = _journal_size_after_create(twin)
    assert read_lab(twin.lab) == start
    run = _cli(twin, *APPLY, file_limit=size + 2500)
    result = json.loads(run.stdout)
    assert run.returncode == 1, (run.stdout, run.stderr)
    assert result["outcome"] == "rolled_back" and result["differences"] == []
    assert "journal could not be written" in result["message"]
    assert (
        "rolled back from memory" in result["message"] and "back to their starting state" in result["message"]
    )
    assert read_lab(twin.lab) == start
    # once there is room again, the out-of-date journal is closed by a revert that finds nothing to undo
    reverted = _cli(twin, "revert", "--yes", "--json")
    assert reverted.returncode == 0 and json.loads(reverted.stdout)["ok"], reverted.stdout
    assert read_lab(twin.lab) == start


def _journal_size_after_create(twin: Any) -> int:
    """The size of this plan's journal once each host's first step has started: an apply killed right
    after a first call (in a home of its own), then reverted."""
    probe = twin.home.parent / "probe-home"
    shutil.copytree(twin.home / "config", probe / "config")
    env = dict(
        os.environ, VMESH_HOME=str(probe), VMESH_PASSWORD=twin.password, VMESH_TEST_CRASH_AFTER="mid:1"
    )
    command = [sys.executable, "-m", "vmesh_tui", *APPLY, *twin.host_args()]
    run = subprocess.run(command, env=env, capture_output=True, timeout=180)
    assert run.returncode == -signal.SIGKILL, run.stderr
    (journal,) = (probe / "state" / "journals").glob("*.json")
    size = journal.stat().st_size
    assert len(json.loads(journal.read_text())["steps"]) <= 2
    env.pop("VMESH_TEST_CRASH_AFTER")
    command = [sys.executable, "-m", "vmesh_tui", "revert", "--yes", *twin.host_args()]
    assert subprocess.run(command, env=env, capture_output=True, timeout=180).returncode == 0
    return size


def test_status_on_a_read_only_state_dir_reports_instead_of_crashing(make_twin: Any) -> None:
    twin = make_twin()
    state = twin.home / "state"
    state.mkdir(exist_ok=True, mode=0o700)
    argv = [sys.executable, "-m", "vmesh_tui", "status", "--json"]
    env = dict(os.environ, VMESH_HOME=str(twin.home))
    if os.geteuid() != 0:
        os.chmod(state, 0o500)
        run = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
        os.chmod(state, 0o700)
    else:  # root writes through any mode: make the state dir a read-only mount in a private namespace
        script = (
            f'mount --bind "{state}" "{state}" && mount -o remount,ro,bind "{state}" "{state}" && exec "$@"'
        )
        run = subprocess.run(
            ["unshare", "-Urm", "sh", "-c", script, "sh", *argv],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == {"journals": []}
