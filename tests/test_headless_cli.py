"""Headless commands: bad input exits 2 with a sentence (no traceback); status JSON from journals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vmesh_tui.cli import main
from vmesh_tui.core.model import HostState
from vmesh_tui.engine.journal import Journal
from vmesh_tui.engine.lock import HostSetLock

HOST = "https://root@127.0.0.1:9/sdk"  # nothing listens on port 9 (discard)
HOST2 = "https://root@127.0.0.2:9/sdk"
TWICE = ("--link", "a/vmnic1=b/vmnic1", "--link", "a/vmnic1=b/vmnic2")  # one NIC in two cables
NET = ("--supernet", "10.0.0.0/24")


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["discover"], "no hosts"),
        (["validate", "--cluster", "c1"], "--cluster needs --vcenter"),
        (["discover", "--vcenter", "https://administrator@vc/sdk"], "--vcenter needs --cluster"),
        (["discover", "--host", "ftp://esx/"], "not a usable host URL"),
        (["plan", "--host", HOST, "--supernet", "x", "--link", "a"], "HOST/vmnicX"),
        (["plan", "--host", HOST, *NET], "plan needs two or more hosts to cable"),  # not "nothing to do"
        (["plan", "--host", HOST, "--host", HOST2, "--supernet", "10.0.0.0/33"], "no prefix length"),
        (
            ["apply", "--host", HOST, "--host", HOST2, *NET, *TWICE],
            "a/vmnic1 is in two --link options (a/vmnic1=b/vmnic1 and a/vmnic1=b/vmnic2)",
        ),
        (
            ["plan", "--host", HOST, *NET, "--mtu", "99999"],
            "MTU",
        ),
        (
            [
                "apply",
                "--host",
                HOST,
                "--supernet",
                "10.0.0.0/24",
                "--speed",
                "x=y",
            ],
            "--speed",
        ),
    ],
)
def test_bad_input_exits_2_with_a_sentence(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, argv: list[str], expected: str
) -> None:
    monkeypatch.setenv("VMESH_PASSWORD", "not-used")
    code, out, err = _run(capsys, *argv)
    assert code == 2
    assert expected in err and "Traceback" not in err
    assert err.startswith(f"vmesh-tui {argv[0]}: ")
    assert out == ""


def test_missing_password_without_a_terminal_exits_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VMESH_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    code, _, err = _run(capsys, "discover", "--host", HOST)
    assert code == 2 and "VMESH_PASSWORD" in err


def test_unreachable_host_is_a_sentence_not_a_traceback(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VMESH_PASSWORD", "secret-password-123")
    code, out, err = _run(capsys, "discover", "--host", HOST, "--json")
    assert code == 5  # could not connect: nothing was changed
    assert json.loads(out) == {"ok": False, "error": err.strip().split(": ", 1)[1], "exit": code}
    assert "Traceback" not in err and "secret-password-123" not in err
    assert "secret-password-123" not in out


def test_json_failure_prints_one_document_on_stdout(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VMESH_PASSWORD", "not-used")
    code, out, err = _run(capsys, "plan", "--host", HOST, "--supernet", "x", "--link", "a", "--json")
    assert code == 2 and "HOST/vmnicX" in err
    document = json.loads(out)
    assert document["ok"] is False and document["exit"] == 2 and "HOST/vmnicX" in document["error"]
    code, out, _ = _run(capsys, "plan", "--host", HOST, "--supernet", "x", "--link", "a")
    assert code == 2 and out == ""


def test_status_json_lists_journals(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = _run(capsys, "status", "--json")
    assert code == 0 and json.loads(out) == {"journals": []}
    from vmesh_tui.engine import paths

    Journal.create(paths.state_dir(), {"esx-a": HostState("esx-a")}, (), None, {"supernet": "10.0.0.0/24"})
    with HostSetLock(paths.state_dir(), ["esx-a"]):  # a run holds the hosts: it is applying
        code, out, _ = _run(capsys, "status", "--json")
    (entry,) = json.loads(out)["journals"]
    assert code == 0
    assert entry["hosts"] == ["esx-a"] and entry["status"] == "applying" and entry["closed"] is False
    code, out, _ = _run(capsys, "status", "--json")
    assert json.loads(out)["journals"][0]["status"] == "interrupted"  # nobody holds them any more
    assert set(entry) >= {"id", "created", "updated", "steps_done", "links"}
    code, out, _ = _run(capsys, "status")
    assert code == 0 and "esx-a" in out


def test_a_reader_that_goes_away_does_not_stop_the_command() -> None:
    """`vmesh-tui ... | head -1`: output stops, the command goes on and keeps its exit code."""
    import os

    from vmesh_tui.engine.events import Event
    from vmesh_tui.headless.render import Output

    read_end, write_end = os.pipe()
    os.close(read_end)
    with os.fdopen(write_end, "w") as stream:
        out = Output(False, stream)
        out.line("first")
        out.event(Event("phase", message="second"))
        assert out.reader_gone


def test_a_corrupt_journal_is_reported_by_name_not_a_crash(capsys: pytest.CaptureFixture[str]) -> None:
    from vmesh_tui.core.model import VSwitch
    from vmesh_tui.core.steps import Action, Step
    from vmesh_tui.engine import paths

    state_dir = paths.state_dir()
    good = Journal.create(state_dir, {"esx-a": HostState("esx-a")}, (), None, {"supernet": "10.0.0.0/24"})
    damaged = Journal.create(state_dir, {"esx-b": HostState("esx-b")}, (), None, {})
    damaged.step_started(Step("esx-b", Action.ADD, None, VSwitch("vmesh-1")))
    data = json.loads(damaged.path.read_text())
    data["steps"][0]["step"]["$type"] = "NoSuchType"  # decoding it raises ValueError
    damaged.path.write_text(json.dumps(data))
    (damaged.path.parent / "99999999T000000000000-1.json").write_text("{not json")

    code, out, err = _run(capsys, "status", "--json")
    assert code == 0, err
    journals = json.loads(out)["journals"]
    corrupt = {j["id"]: j for j in journals if j["status"] == "corrupt"}
    assert set(corrupt) == {damaged.id, "99999999T000000000000-1"}
    assert damaged.path.name in corrupt[damaged.id]["problem"]
    assert [j["id"] for j in journals if j["status"] != "corrupt"] == [good.id]
    code, out, _ = _run(capsys, "status")
    assert code == 0 and "corrupt" in out and damaged.path.name in out
