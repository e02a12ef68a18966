"""`vmesh-tui sim` as a subprocess: one JSON line once all hosts listen, SIGTERM stops it, stats written."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest


def _sim(*args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != "VMESH_PASSWORD"}
    return subprocess.Popen(
        [sys.executable, "-m", "vmesh_tui", "sim", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_demo_json_line_sigterm_and_stats(tmp_path: Path, connect) -> None:
    stats = tmp_path / "stats.json"
    started = time.monotonic()
    process = _sim("--demo", "--json", "--stats", str(stats))
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        elapsed = time.monotonic() - started
        document = json.loads(line)
        hosts = document["hosts"]
        assert [h["name"] for h in hosts] == ["esx-a.lab.local", "esx-b.lab.local"]
        for host in hosts:
            assert set(host) == {"name", "url", "user", "password", "thumbprint"}
            assert host["url"].startswith("https://127.0.0.1:") and host["url"].endswith("/sdk")
            assert len(host["thumbprint"]) == 64
        print(f"sim --demo --json: JSON line after {elapsed:.2f} s")

        class Host:
            url, user, password = hosts[0]["url"], hosts[0]["user"], hosts[0]["password"]

        si = connect(Host)
        assert si.content.about.apiType == "HostAgent"
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err
    assert out == ""  # nothing after the one JSON line
    counts = json.loads(stats.read_text())["hosts"]
    assert counts["esx-a.lab.local"]["Login"] == 1
    assert counts["esx-b.lab.local"] == {}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("[[host]]\nname = 'a'\ncolour = 'blue'\n", "colour"),
        ("[[host]\nname = 'a'\n", "not valid TOML"),
    ],
)
def test_bad_lab_file_exits_2_naming_the_file(tmp_path: Path, content: str, expected: str) -> None:
    lab = tmp_path / "broken.toml"
    lab.write_text(content)
    process = _sim(str(lab), "--json")
    out, err = process.communicate(timeout=30)
    assert process.returncode == 2
    assert out == ""
    assert "broken.toml" in err and expected in err
    assert "Traceback" not in err


def test_lab_or_demo_is_required() -> None:
    process = _sim("--json")
    out, err = process.communicate(timeout=30)
    assert process.returncode == 2 and "--demo" in err and out == ""


def test_a_taken_port_exits_1_with_a_remedy(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        lab = tmp_path / "fixed.toml"
        lab.write_text(f'[[host]]\nname = "fixed.test"\nport = {port}\n')
        process = _sim(str(lab), "--json")
        out, err = process.communicate(timeout=30)
    assert process.returncode == 1 and out == ""
    assert f"127.0.0.1:{port}" in err and "port = 0" in err and "Traceback" not in err


def test_unwritable_stats_file_is_reported_without_a_traceback(tmp_path: Path) -> None:
    process = _sim("--demo", "--json", "--stats", str(tmp_path / "missing-dir" / "stats.json"))
    assert process.stdout is not None
    json.loads(process.stdout.readline())
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=20)
    assert process.returncode == 1
    assert "cannot write the stats" in err and "Traceback" not in err
