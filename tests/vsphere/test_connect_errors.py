"""Each way a connection can fail gets its own clear error (and never the password)."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from tests.vsphere.loopback import LoopbackServer, make_certificate
from vmesh_tui.vsphere.errors import CallTimeout, NotVSphere, TlsFailure, Unreachable, VSphereError
from vmesh_tui.vsphere.knownhosts import KnownHosts
from vmesh_tui.vsphere.session import Session
from vmesh_tui.vsphere.targets import parse_host_url

SECRET = "Hunter2-secret"


def _open(url: str, tmp_path: Path, timeout: float = 3.0) -> Session:
    return Session(
        parse_host_url(url), SECRET, KnownHosts(tmp_path / "kh"), accept_new=True, timeout=timeout
    ).open()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _assert_clear(error: VSphereError) -> None:
    assert SECRET not in str(error) and error.remedy
    assert "Traceback" not in str(error)


def test_connection_refused(tmp_path: Path) -> None:
    with pytest.raises(Unreachable, match="refused the connection") as caught:
        _open(f"https://127.0.0.1:{_free_port()}", tmp_path)
    assert caught.value.code == "connection-refused"
    _assert_clear(caught.value)


def test_name_not_resolved(tmp_path: Path) -> None:
    with pytest.raises(Unreachable, match="could not be resolved") as caught:
        _open("https://root@esx-does-not-exist.invalid/sdk", tmp_path)
    assert caught.value.code == "name-not-resolved"
    _assert_clear(caught.value)


def test_silent_peer_times_out_within_the_timeout(tmp_path: Path) -> None:
    server = LoopbackServer("mute")
    started = time.monotonic()
    try:
        with pytest.raises(CallTimeout, match="did not answer in time") as caught:
            _open(f"https://127.0.0.1:{server.port}", tmp_path, timeout=0.5)
    finally:
        server.close()
    assert time.monotonic() - started < 3
    _assert_clear(caught.value)


def test_peer_that_does_not_speak_tls(tmp_path: Path) -> None:
    server = LoopbackServer("plain")
    try:
        with pytest.raises(TlsFailure, match="TLS handshake") as caught:
            _open(f"https://127.0.0.1:{server.port}", tmp_path)
    finally:
        server.close()
    assert isinstance(caught.value, Unreachable)
    _assert_clear(caught.value)


def test_https_server_that_is_not_vsphere(tmp_path: Path) -> None:
    cert_file, key_file, _ = make_certificate(tmp_path)
    server = LoopbackServer("http404", (cert_file, key_file))
    try:
        with pytest.raises(NotVSphere, match="not a vSphere endpoint") as caught:
            _open(f"https://127.0.0.1:{server.port}", tmp_path)
    finally:
        server.close()
    _assert_clear(caught.value)
