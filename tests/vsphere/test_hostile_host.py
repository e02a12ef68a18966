"""A host that trickles, floods, speaks broken XML or never answers: every call ends within its deadline
with a clear error, memory stays bounded, and calls in progress can be stopped at once."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.vsphere.hostile import HostileServer
from tests.vsphere.loopback import make_certificate
from vmesh_tui.cli import main
from vmesh_tui.vsphere.errors import BadReply, CallTimeout, Unreachable
from vmesh_tui.vsphere.knownhosts import KnownHosts
from vmesh_tui.vsphere.session import Session
from vmesh_tui.vsphere.targets import parse_host_url

TIMEOUT = 2.0


@pytest.fixture
def hostile(tmp_path: Path) -> Iterator[Any]:
    cert_file, key_file, fingerprint = make_certificate(tmp_path)
    made: list[HostileServer] = []

    def make(mode: str, **options: Any) -> tuple[HostileServer, Session]:
        server = HostileServer(mode, (cert_file, key_file), **options)
        made.append(server)
        known = KnownHosts(tmp_path / "known_hosts")
        known.remember("127.0.0.1", server.port, fingerprint)
        target = parse_host_url(f"https://root@127.0.0.1:{server.port}/sdk")
        return server, Session(target, "not-used", known, timeout=TIMEOUT)

    yield make
    for server in made:
        server.close()


@pytest.mark.parametrize("on_get", [True, False], ids=["versions-get", "soap-call"])
def test_a_host_that_trickles_bytes_is_left_at_the_overall_deadline(hostile: Any, on_get: bool) -> None:
    """Seen: one byte every 5 s kept the tool (20 s per socket read) waiting for ever. Scaled down: a byte
    every 0.5 s against a 2 s timeout, so no single read ever times out; only a whole-call deadline helps."""
    server, session = hostile("trickle", on_get=on_get, pause_s=0.5)
    began = time.monotonic()
    with pytest.raises(CallTimeout, match=f"did not answer in time .a whole call may take {TIMEOUT:g} s"):
        session.open()
    assert time.monotonic() - began < TIMEOUT + 2.0  # not one byte per 5 s for 100 000 bytes
    assert server.sent >= 1  # it did start answering: only an overall deadline ends this


def test_a_host_that_never_answers_a_call_is_left_at_the_deadline(hostile: Any) -> None:
    _, session = hostile("mute")
    began = time.monotonic()
    with pytest.raises(CallTimeout):
        session.open()
    assert time.monotonic() - began < TIMEOUT + 2.0


@pytest.mark.parametrize("on_get", [True, False], ids=["versions-get", "soap-call"])
def test_a_2_gib_reply_is_cut_at_the_size_limit(hostile: Any, on_get: bool) -> None:
    server, session = hostile("huge", on_get=on_get)
    session.calls.timeout = 30.0
    session.calls.max_reply = 4 * 1024 * 1024
    with pytest.raises(BadReply, match="larger than 4 MB") as caught:
        session.open()
    assert caught.value.code == "reply-too-large"
    time.sleep(0.3)
    assert server.sent < 16 * 1024 * 1024  # the tool stopped reading; the rest never left the server


def test_invalid_xml_from_a_host_is_a_clear_error_with_exit_2(
    hostile: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    server, session = hostile("badxml")
    with pytest.raises(BadReply, match="not valid vSphere SOAP"):
        session.open()
    home = tmp_path / "home"
    (home / "config").mkdir(parents=True, mode=0o700)
    (home / "config" / "known_hosts").write_text((tmp_path / "known_hosts").read_text())
    monkeypatch.setenv("VMESH_HOME", str(home))
    monkeypatch.setenv("VMESH_PASSWORD", "not-used")
    code = main(["discover", "--host", f"https://root@127.0.0.1:{server.port}/sdk"])
    err = capsys.readouterr().err
    assert code == 2 and "not valid vSphere SOAP" in err and "unexpected" not in err


def test_abort_stops_a_hung_call_within_a_moment(hostile: Any) -> None:
    _, session = hostile("mute")
    session.calls.timeout = 60.0
    failure: list[BaseException] = []

    def connect() -> None:
        try:
            session.open()
        except BaseException as exc:
            failure.append(exc)

    worker = threading.Thread(target=connect)
    worker.start()
    time.sleep(0.5)
    began = time.monotonic()
    session.abort_calls()
    worker.join(5)
    assert not worker.is_alive() and time.monotonic() - began < 2.0
    assert isinstance(failure[0], Unreachable) and failure[0].code == "call-aborted"
