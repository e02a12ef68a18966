"""Pins: a damaged line is an error naming it, one host has one key however its address is spelt, a host
name is checked against the pin of the address it leads to, and concurrent writers never lose a pin."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.vsphere.loopback import LoopbackServer, recording_loopback
from vmesh_tui.vsphere.errors import CertificateChanged, VSphereError
from vmesh_tui.vsphere.knownhosts import KnownHosts, KnownHostsDamaged
from vmesh_tui.vsphere.session import Session
from vmesh_tui.vsphere.targets import parse_host_url

GOOD = "ab" * 32


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[LoopbackServer, str]]:
    with recording_loopback(tmp_path) as running:
        yield running


def _assert_refused_unsent(
    running: LoopbackServer, tmp_path: Path, known_line: str, error: type[Exception], match: str | None = None
) -> None:
    """With ``known_line`` as the known_hosts file, connecting with --accept-new-certs raises ``error``;
    no byte reaches the server and the file stays as it was."""
    path = tmp_path / "known_hosts"
    path.write_text(known_line)
    target = parse_host_url(f"https://root@127.0.0.1:{running.port}/sdk")
    with pytest.raises(error, match=match):
        Session(target, "Top-Secret-1", KnownHosts(path), accept_new=True, timeout=3).open()
    time.sleep(0.2)
    assert bytes(running.received) == b"" and path.read_text() == known_line


@pytest.mark.parametrize(
    ("content", "line", "says"),
    [
        (f"# pins\nesx-a:443 {GOOD}\nesx-b:443 {GOOD[:40]}\n".encode(), 3, "SHA-256"),
        (f"\ufeffesx-a:443 {GOOD}\n".encode(), 1, "byte-order mark"),
        (f"esx-a:443 {GOOD}\nthis is not a pin\n".encode(), 2, "HOST:PORT"),
        (f"esx-a:443 {GOOD}\n".encode() + b"\x89PNG\r\n\x1a\n\x00\xff\xfe", 2, "not text"),
        (f"127.1:443 {GOOD}\n127.0.0.1:443 {'cd' * 32}\n".encode(), 2, "again, with another fingerprint"),
        (f"esx-b:443 {GOOD}\n127.0\x00.0.1:443 {GOOD}\n".encode(), 2, "HOST:PORT"),  # a NUL in the key
        (f"esx\u200b-a:443 {GOOD}\n".encode(), 1, "HOST:PORT"),  # a zero-width space in the key
    ],
)
def test_a_damaged_line_is_an_error_that_names_it(
    tmp_path: Path, content: bytes, line: int, says: str
) -> None:
    path = tmp_path / "known_hosts"
    path.write_bytes(content)
    with pytest.raises(KnownHostsDamaged) as caught:
        KnownHosts(path).get("esx-a", 443)
    assert f"{path}, line {line}" in str(caught.value) and says in str(caught.value)
    assert caught.value.code == "known-hosts-damaged" and f"delete line {line}" in caught.value.remedy
    with pytest.raises(KnownHostsDamaged):
        KnownHosts(path).remember("esx-c", 443, GOOD)  # never rewritten over the damage
    assert path.read_bytes() == content


def test_a_directory_as_known_hosts_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "known_hosts").mkdir()
    with pytest.raises(KnownHostsDamaged, match="is a directory"):
        KnownHosts(tmp_path / "known_hosts").get("esx-a", 443)


def test_one_host_has_one_key_however_its_address_is_spelt(tmp_path: Path) -> None:
    known = KnownHosts(tmp_path / "known_hosts")
    known.remember("127.1", 443, GOOD)
    for spelling in ("127.0.0.1", "127.1", "0x7f.0.0.1", "::ffff:7f00:1", "[::ffff:127.0.0.1]"):
        assert known.get(spelling, 443) == GOOD, spelling
    known.remember("FD00:0:0::5", 443, GOOD)
    assert known.get("fd00::5", 443) == GOOD
    known.remember("ESX-A.Lab.Local.", 443, GOOD)
    assert known.get("esx-a.lab.local", 443) == GOOD
    keys = [line.split()[0] for line in known.path.read_text().splitlines() if not line.startswith("#")]
    assert keys == ["127.0.0.1:443", "[fd00::5]:443", "esx-a.lab.local:443"]


def test_an_impostor_is_refused_when_the_pin_is_spelt_another_way(
    server: tuple[LoopbackServer, str], tmp_path: Path
) -> None:
    """Seen before: the pin written as 127.1 did not match 127.0.0.1, so --accept-new-certs trusted the
    impostor and overwrote the pin."""
    running, _ = server
    _assert_refused_unsent(running, tmp_path, f"127.1:{running.port} {GOOD}\n", CertificateChanged)


def test_an_impostor_is_refused_when_the_key_of_its_pin_is_damaged(
    server: tuple[LoopbackServer, str], tmp_path: Path
) -> None:
    """Seen: a NUL byte in the key of the genuine host's line made it another key, so the host was
    "unknown" and --accept-new-certs trusted the impostor and pinned it next to the damaged line."""
    running, _ = server
    line = f"127.0\x00.0.1:{running.port} {GOOD}\n"
    _assert_refused_unsent(running, tmp_path, line, KnownHostsDamaged, match="line 1")


def test_a_host_name_is_checked_against_the_pin_of_its_address(
    server: tuple[LoopbackServer, str], tmp_path: Path
) -> None:
    running, fingerprint = server
    known = KnownHosts(tmp_path / "known_hosts")
    known.remember("127.0.0.1", running.port, GOOD)  # the genuine host, pinned by address
    target = parse_host_url(f"https://root@localhost:{running.port}/sdk")
    with pytest.raises(CertificateChanged) as caught:
        Session(target, "Top-Secret-1", known, accept_new=True, timeout=3).open()
    assert f"'127.0.0.1:{running.port}'" in caught.value.remedy
    assert known.get("localhost", running.port) is None and bytes(running.received) == b""
    # the same certificate at that address: the name is pinned too, without a question
    known.remember("127.0.0.1", running.port, fingerprint)
    with pytest.raises(VSphereError):  # the recording server never answers the versions GET
        Session(target, "Top-Secret-1", known, accept_new=False, timeout=1).open()
    assert known.get("localhost", running.port) == fingerprint


def test_concurrent_writers_never_lose_a_pin_in_200_trials(tmp_path: Path) -> None:
    """Seen before: 100 of 200 runs lost a pin. Four writers (each its own KnownHosts, as separate runs
    have) pin four hosts at once; every pin must be in the file afterwards."""
    lost = 0
    for trial in range(200):
        path = tmp_path / f"known_hosts.{trial}"
        start = threading.Barrier(4)

        def write(index: int, path: Path = path, start: threading.Barrier = start) -> None:
            known = KnownHosts(path)
            start.wait()
            known.remember(f"esx-{index}", 443, f"{index:02x}" * 32)

        threads = [threading.Thread(target=write, args=(i,)) for i in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        known = KnownHosts(path)
        lost += any(known.get(f"esx-{i}", 443) != f"{i:02x}" * 32 for i in range(4))
    assert lost == 0, f"{lost} of 200 trials lost a pin"


def test_a_known_hosts_file_that_cannot_be_written_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    known = KnownHosts(tmp_path / "config" / "known_hosts")

    def full_disk(*_: object, **__: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("tempfile.mkstemp", full_disk)
    with pytest.raises(KnownHostsDamaged, match=r"cannot be written \(No space left on device\), so nothing"):
        known.remember("esx-a", 443, GOOD)
