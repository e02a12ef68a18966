"""The headless prompts on a real terminal (a pty): one ctrl+c stops at once and ctrl+d is no answer, each
saying that nothing was changed - never an 'unexpected EOFError' (exit 6) or a second ctrl+c needed."""

from __future__ import annotations

import os
import pty
import select
import signal
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.hostview.reader import read_lab

UNREACHABLE = ["--host", "https://root@127.0.0.1:1/sdk", "--host", "https://root@127.0.0.1:2/sdk"]


def run_on_a_terminal(args: list[str], wait_for: bytes, send: bytes, env: dict[str, str]) -> tuple[int, str]:
    """Run vmesh-tui with a pty as its controlling terminal; once ``wait_for`` shows, type ``send``."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the pty is its terminal, so ctrl+c is a SIGINT from the line discipline
        os.execve(sys.executable, [sys.executable, "-m", "vmesh_tui", *args], env)
    seen, sent, deadline = b"", False, time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # the child closed the terminal: it ended
                break
            if not chunk:
                break
            seen += chunk
        if not sent and wait_for in seen:
            time.sleep(0.3)  # the prompt is up and reading
            os.write(fd, send)
            sent = True
    else:  # still running a minute on: the key did not stop it
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    assert sent, seen.decode(errors="replace")
    return os.waitstatus_to_exitcode(status), seen.decode(errors="replace")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    values = {k: v for k, v in os.environ.items() if k != "VMESH_PASSWORD"}
    values["VMESH_HOME"] = str(tmp_path / "home")
    return values


@pytest.mark.parametrize(
    ("key", "code", "said"),
    [(b"\x03", 130, "stopped at the prompt; nothing was changed"), (b"\x04", 2, "no password given")],
)
def test_the_password_prompt_stops_on_one_ctrl_c_and_takes_ctrl_d_as_no_password(
    env: dict[str, str], key: bytes, code: int, said: str
) -> None:
    started = time.monotonic()
    prompt = b"Password for root@127.0.0.1:1"
    exit_code, text = run_on_a_terminal(["discover", *UNREACHABLE], prompt, key, env)
    assert exit_code == code and said in text, text
    assert "unexpected" not in text and "journal" not in text, text
    assert time.monotonic() - started < 30  # one key was enough


@pytest.mark.parametrize(("key", "code"), [(b"\x03", 130), (b"\x04", 4)])
def test_the_confirmation_stops_on_one_ctrl_c_and_takes_ctrl_d_as_no(
    twin: Any, env: dict[str, str], key: bytes, code: int
) -> None:
    hosts = [arg for h in twin.hosts for arg in ("--host", h.url.replace("https://", f"https://{h.user}@"))]
    env["VMESH_PASSWORD"] = twin.hosts[0].password
    before = read_lab(twin)
    args = ["apply", *hosts, "--accept-new-certs", "--supernet", "172.31.250.0/24"]
    exit_code, text = run_on_a_terminal(args, b"[y/N]", key, env)
    assert exit_code == code and "nothing was changed" in text, text
    assert "unexpected" not in text and "journal" not in text, text
    assert read_lab(twin) == before  # read by stock pyVmomi: the hosts are as they were
