"""Certificate pinning: trust on first use only when accepted, a changed certificate always refused,
and refused before a single byte of a request (let alone a password) leaves."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.vsphere.conftest import VCSIM_PASSWORD, Vcsim, start_vcsim
from tests.vsphere.loopback import LoopbackServer, make_certificate, recording_loopback
from vmesh_tui.vsphere.client import HostsClient
from vmesh_tui.vsphere.errors import CertificateChanged, CertificateUnknown
from vmesh_tui.vsphere.knownhosts import KnownHosts
from vmesh_tui.vsphere.session import Session
from vmesh_tui.vsphere.targets import parse_host_url


@pytest.fixture
def recording_server(tmp_path: Path) -> Iterator[tuple[LoopbackServer, str]]:
    with recording_loopback(tmp_path) as running:
        yield running


def test_changed_certificate_is_refused_before_any_byte_is_sent(
    recording_server: tuple[LoopbackServer, str], tmp_path: Path
) -> None:
    server, fingerprint = recording_server
    known = KnownHosts(tmp_path / "known_hosts")
    known.remember("127.0.0.1", server.port, "ab" * 32)
    target = parse_host_url(f"https://root@127.0.0.1:{server.port}/sdk")
    with pytest.raises(CertificateChanged) as caught:
        Session(target, "Top-Secret-1", known, accept_new=True, timeout=3).open()
    time.sleep(0.2)
    assert server.handshakes == 1
    assert bytes(server.received) == b""  # not even the GET of vimServiceVersions.xml
    error = caught.value
    assert (error.expected, error.actual) == ("ab" * 32, fingerprint)
    shown = [":".join(f[i : i + 2] for i in range(0, 64, 2)).upper() for f in ("ab" * 32, fingerprint)]
    assert all(f in str(error) for f in shown), str(error)  # AB:CD:.. as the console and the TUI show it
    assert str(tmp_path / "known_hosts") in error.remedy and f"127.0.0.1:{server.port}" in error.remedy
    assert known.get("127.0.0.1", server.port) == "ab" * 32  # the pin is never replaced silently


def test_unknown_certificate_without_consent_sends_nothing_and_records_nothing(
    recording_server: tuple[LoopbackServer, str], tmp_path: Path
) -> None:
    server, fingerprint = recording_server
    known = KnownHosts(tmp_path / "known_hosts")
    asked: list[CertificateUnknown] = []

    def decline(question: CertificateUnknown) -> bool:
        asked.append(question)
        return False

    target = parse_host_url(f"https://127.0.0.1:{server.port}")
    with pytest.raises(CertificateUnknown) as caught:
        Session(target, "Top-Secret-1", known, accept_new=decline, timeout=3).open()
    time.sleep(0.2)
    assert [q.sha256 for q in asked] == [fingerprint] and caught.value.sha256 == fingerprint
    assert bytes(server.received) == b""
    assert not (tmp_path / "known_hosts").exists()


@pytest.mark.vcsim
def test_first_use_needs_consent_then_is_pinned(vcsim_esx: Vcsim, tmp_path: Path) -> None:
    known = KnownHosts(tmp_path / "known_hosts")
    target = parse_host_url(vcsim_esx.url_for())
    with pytest.raises(CertificateUnknown) as caught:
        HostsClient.connect([target], VCSIM_PASSWORD, known)
    assert caught.value.sha256 == vcsim_esx.thumbprint
    assert known.get("127.0.0.1", vcsim_esx.port) is None

    HostsClient.connect(
        [target], VCSIM_PASSWORD, known, accept_new=lambda q: q.sha256 == vcsim_esx.thumbprint
    ).close()
    assert known.get("127.0.0.1", vcsim_esx.port) == vcsim_esx.thumbprint
    line = f"127.0.0.1:{vcsim_esx.port} {vcsim_esx.thumbprint}"
    assert line in (tmp_path / "known_hosts").read_text()
    assert VCSIM_PASSWORD not in (tmp_path / "known_hosts").read_text()

    HostsClient.connect([target], VCSIM_PASSWORD, known).close()  # pinned now: no consent needed


@pytest.mark.vcsim
def test_a_new_server_on_a_pinned_port_is_refused(tmp_path: Path) -> None:
    known = KnownHosts(tmp_path / "known_hosts")
    first = start_vcsim("esx")
    port, first_print = first.port, first.thumbprint
    try:
        HostsClient.connect([parse_host_url(first.url_for())], VCSIM_PASSWORD, known, accept_new=True).close()
    finally:
        first.stop()
    second = start_vcsim("esx", port=port)  # same port, freshly generated certificate
    try:
        with pytest.raises(CertificateChanged) as caught:
            HostsClient.connect([parse_host_url(second.url_for())], VCSIM_PASSWORD, known, accept_new=True)
    finally:
        second.stop()
    assert (caught.value.expected, caught.value.actual) == (first_print, second.thumbprint)
    assert known.get("127.0.0.1", port) == first_print


def test_every_handshake_of_a_context_is_checked(tmp_path: Path) -> None:
    import http.client

    from vmesh_tui.vsphere.tls import PinMismatch, PinnedContext

    good_cert, good_key, good_print = make_certificate(tmp_path, "good")
    bad_cert, bad_key, bad_print = make_certificate(tmp_path, "bad")
    good, bad = (
        LoopbackServer("http404", (good_cert, good_key)),
        LoopbackServer("http404", (bad_cert, bad_key)),
    )
    context = PinnedContext(good_print)  # one context serves every connection of a session's pool
    try:
        for _ in range(2):
            connection = http.client.HTTPSConnection("127.0.0.1", good.port, context=context, timeout=3)
            connection.request("GET", "/sdk/vimServiceVersions.xml")
            assert connection.getresponse().status == 404
            connection.close()
        connection = http.client.HTTPSConnection("127.0.0.1", bad.port, context=context, timeout=3)
        with pytest.raises(PinMismatch) as caught:
            connection.request("GET", "/sdk/vimServiceVersions.xml")
        assert (caught.value.expected, caught.value.actual) == (good_print, bad_print)
    finally:
        good.close()
        bad.close()
    assert good.handshakes == 2 and bad.handshakes == 1
