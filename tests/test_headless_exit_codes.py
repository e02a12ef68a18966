"""Malformed input gets a sentence and exit 2 (never "unexpected ..." and exit 1); a host that cannot be
reached exits 5 ("nothing was changed"), never 1, which means "failed and rolled back"."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from vmesh_tui.cli import main

SECRET = "S3cret-Pass"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(autouse=True)
def _password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VMESH_PASSWORD", "not-used")


@pytest.mark.parametrize(
    ("url", "says"),
    [
        (f"https://root:{SECRET}@esx-a/sdk", "contains a password"),
        (f"https://root%3A{SECRET}@esx-a/sdk", "contains a password"),  # was a user 'root:S3cret-Pass'
        (f"https://root%3a{SECRET}@[::1/sdk", "bracket of the IPv6 address is missing"),
        ("[::1", "bracket of the IPv6 address is missing"),
        ("https://[::1/sdk", "bracket of the IPv6 address is missing"),
        ("https://" + "a" * 300 + "/sdk", "300 characters long"),
        ("https://" + "b" * 70 + ".lab.local/sdk", "70 characters long (at most 63"),
        ("https://ésx-a/sdk", "other than ASCII"),
        ("https://esx-a:99999/sdk", "port"),
    ],
)
def test_malformed_host_urls_exit_2_with_a_sentence(
    capsys: pytest.CaptureFixture[str], url: str, says: str
) -> None:
    code, out, err = _run(capsys, "discover", "--host", url, "--json")
    assert code == 2, err
    assert says in err and "unexpected" not in err and "Traceback" not in err
    assert SECRET not in err + out


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda p: p.write_bytes(b"\x7fELF\x02\x01\x01\x00\x00\xff\xfe"), "not text"),
        (lambda p: p.mkdir(), "is a directory"),
        (lambda p: p.write_text("esx-a:443 ab:cd\n"), "line 1"),
    ],
)
def test_a_damaged_known_hosts_file_exits_2_naming_it(
    capsys: pytest.CaptureFixture[str], vmesh_home: Path, make: object, says: str
) -> None:
    path = vmesh_home / "config" / "known_hosts"
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    make(path)  # type: ignore[operator]
    code, _, err = _run(capsys, "discover", "--host", "https://root@127.0.0.1:9/sdk", "--accept-new-certs")
    assert code == 2, err
    assert str(path) in err and says in err and "unexpected" not in err


@pytest.fixture
def vmesh_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("VMESH_HOME", str(home))
    return home


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("command", ["discover", "revert", "validate"])
def test_a_host_that_cannot_be_reached_exits_5_saying_nothing_changed(
    capsys: pytest.CaptureFixture[str], command: str
) -> None:
    port = _closed_port()
    extra = ["--yes"] if command == "revert" else []
    code, out, err = _run(capsys, command, "--host", f"https://root@127.0.0.1:{port}/sdk", *extra, "--json")
    assert code == 5, err
    assert "refused the connection" in err and "nothing was changed" in err
    assert '"exit": 5' in out


def test_an_unknown_host_name_exits_5(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "discover", "--host", "https://root@no-such-host.invalid/sdk")
    assert code == 5 and "could not be resolved" in err and "nothing was changed" in err


def test_an_unsafe_vmesh_home_exits_2_with_the_fix(
    capsys: pytest.CaptureFixture[str], vmesh_home: Path, tmp_path: Path
) -> None:
    vmesh_home.mkdir(mode=0o700)
    vmesh_home.chmod(0o777)
    code, _, err = _run(capsys, "status")
    assert code == 2 and f"chmod 700 {vmesh_home}" in err
