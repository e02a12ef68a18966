"""Helpers for the benchmark runner: the twin as a subprocess, timed child processes, request counts.

The twin is started through its public contract (`vmesh-tui sim --demo --json --stats FILE`, see
LAB_FORMAT.md) so that it runs in its own process (no GIL shared with the code measured) and its
per-host, per-method request counts are read from FILE when it stops.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from latency import LatencyRelay

SUPERNET = "172.31.250.0/24"
TWIN_START_TIMEOUT_S = 60.0
Counts = dict[str, dict[str, int]]  # host name -> WSDL method -> requests served


class BenchError(Exception):
    """A measurement could not be made; the message says why and what to do."""


@dataclass(frozen=True)
class TwinHost:
    """One simulated ESXi endpoint as the twin announces it."""

    name: str
    url: str
    user: str
    password: str
    thumbprint: str

    @property
    def port(self) -> int:
        return int(self.url.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])

    @property
    def address(self) -> str:
        return self.url.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)[0]


class Twin:
    """The ESXi twin serving a lab (the built-in demo by default) in a child process."""

    def __init__(self, workdir: Path, lab: Path | None = None, rtt_ms: float = 0.0) -> None:
        self.workdir = workdir
        self.lab = lab
        self.rtt_ms = rtt_ms
        self._relay: LatencyRelay | None = None
        self.stats_path = workdir / "twin-stats.json"
        self.hosts: list[TwinHost] = []
        self.counts: Counts = {}
        self._process: subprocess.Popen[str] | None = None

    def __enter__(self) -> Twin:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._process is not None:
            self.stop()

    def start(self) -> list[TwinHost]:
        self.workdir.mkdir(parents=True, exist_ok=True)
        source = [str(self.lab)] if self.lab else ["--demo"]
        argv = [sys.executable, "-m", "vmesh_tui", "sim", *source, "--json", "--stats", str(self.stats_path)]
        errors = (self.workdir / "twin-stderr.txt").open("w")
        self._process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=errors, text=True)
        line = _read_line(self._process, TWIN_START_TIMEOUT_S)
        if not line:
            self.stop()
            detail = (self.workdir / "twin-stderr.txt").read_text()[-600:]
            raise BenchError(f"the twin did not announce its hosts ({detail.strip() or 'no output'})")
        announced = json.loads(line)["hosts"]
        self.hosts = [TwinHost(**{k: h[k] for k in TwinHost.__annotations__}) for h in announced]
        if self.rtt_ms > 0:  # clients reach the hosts through the latency relay instead
            self._relay = LatencyRelay([h.port for h in self.hosts], self.rtt_ms / 1000.0)
            ports = self._relay.start()
            self.hosts = [
                replace(h, url=h.url.replace(f":{h.port}/", f":{ports[h.port]}/")) for h in self.hosts
            ]
        return self.hosts

    def stop(self) -> Counts:
        """Stop the twin (SIGINT, as an admin would) and return the requests it served per host."""
        process, self._process = self._process, None
        if process is None:
            return self.counts
        if self._relay is not None:
            self._relay.stop()
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self.stats_path.exists():
            self.counts = dict(json.loads(self.stats_path.read_text())["hosts"])
        return self.counts

    @property
    def password(self) -> str:
        passwords = {h.password for h in self.hosts}
        if len(passwords) != 1:
            raise BenchError(
                "the lab's hosts have different passwords; give them one password for the benchmark"
            )
        return passwords.pop()


def _read_line(process: subprocess.Popen[str], timeout_s: float) -> str:
    assert process.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if selector.select(timeout=0.2):
            return process.stdout.readline().strip()
        if process.poll() is not None:
            return ""
    return ""


@dataclass(frozen=True)
class ChildRun:
    """A finished child process: exit code, wall time, peak resident memory, output."""

    returncode: int
    wall_s: float
    peak_rss_mb: float
    stdout: str
    stderr: str

    def json(self) -> Any:
        """The last line of stdout parsed as JSON (the headless commands print one document)."""
        lines = [line for line in self.stdout.splitlines() if line.strip()]
        if not lines:
            raise BenchError(f"no JSON on stdout (exit {self.returncode}): {self.stderr.strip()[-400:]}")
        return json.loads(lines[-1])


def run_child(
    argv: Sequence[str], env: Mapping[str, str], workdir: Path, timeout_s: float = 600.0
) -> ChildRun:
    """Run argv, measuring wall time and the peak RSS of the largest process in its tree (wait4)."""
    workdir.mkdir(parents=True, exist_ok=True)
    out_path, err_path = workdir / "child-stdout.txt", workdir / "child-stderr.txt"
    with out_path.open("w") as out, err_path.open("w") as err:
        started = time.perf_counter()
        process = subprocess.Popen(list(argv), stdout=out, stderr=err, env=dict(env), cwd=workdir)
        deadline = started + timeout_s
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                process.kill()
                os.wait4(process.pid, 0)
                raise BenchError(f"{Path(argv[0]).name} took longer than {timeout_s:.0f} s and was stopped")
            time.sleep(0.005)
        wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    return ChildRun(
        process.returncode, wall, usage.ru_maxrss / 1024.0, out_path.read_text(), err_path.read_text()
    )


def tool_env(home: Path, password: str) -> dict[str, str]:
    """Environment for a headless vmesh-tui command: private VMESH_HOME, password in VMESH_PASSWORD."""
    env = dict(os.environ)
    env.update(VMESH_HOME=str(home), VMESH_PASSWORD=password, NO_COLOR="1")
    return env


def tool_argv(command: str, hosts: Sequence[TwinHost], *extra: str) -> list[str]:
    """argv of a headless command against the twin's hosts (new certificates accepted and pinned)."""
    host_args = [arg for h in hosts for arg in ("--host", f"https://{h.user}@{h.address}:{h.port}/sdk")]
    return [sys.executable, "-m", "vmesh_tui", command, *host_args, "--accept-new-certs", *extra]


def total_requests(counts: Counts) -> dict[str, int]:
    return {host: sum(methods.values()) for host, methods in sorted(counts.items())}


def subtract(total: Counts, base: Counts) -> Counts:
    """Requests of `total` beyond those of `base` (the setup before the measured part), per host."""
    result: Counts = {}
    for host, methods in total.items():
        before = base.get(host, {})
        left = {m: n - before.get(m, 0) for m, n in methods.items() if n - before.get(m, 0) > 0}
        result[host] = dict(sorted(left.items()))
    return result


def summary(values: Sequence[float]) -> dict[str, float]:
    """Median, min and max of repeated measurements (n as well)."""
    if not values:
        return {}
    return {
        "median": round(statistics.median(values), 4),
        "min": round(min(values), 4),
        "max": round(max(values), 4),
        "n": len(values),
    }


def ratio(ours: float | None, theirs: float | None) -> float | None:
    """How many times more the other side needs (theirs / ours), None when either is missing or zero."""
    if not ours or not theirs:
        return None
    return round(theirs / ours, 2)


def time_to_text(
    argv: Sequence[str], env: Mapping[str, str], marker: str, timeout_s: float = 30.0
) -> ChildRun:
    """Start argv on an 80x24 pseudo-terminal; wall_s = seconds until `marker` is on screen (then stop it)."""
    import fcntl
    import pty
    import re
    import struct
    import termios

    escapes = re.compile(rb"\x1b\[[0-9;?<>=$]*[A-Za-z~]|\x1b\][^\x07]*\x07|\x1b[()][A-Z0-9]|\x1b[=>78]")
    started = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # the child: become the TUI, or leave at once
        try:
            os.execve(argv[0], list(argv), dict(env))
        finally:
            os._exit(127)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    screen, seen_at = b"", None
    selector = selectors.DefaultSelector()
    selector.register(fd, selectors.EVENT_READ)
    while seen_at is None and time.perf_counter() - started < timeout_s:
        if not selector.select(timeout=0.05):
            continue
        try:
            screen += os.read(fd, 65536)
        except OSError:
            break
        if marker.encode() in escapes.sub(b"", screen):
            seen_at = time.perf_counter() - started
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while (waited := os.wait4(pid, os.WNOHANG))[0] == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    if waited[0] == 0:
        os.kill(pid, signal.SIGKILL)
        waited = os.wait4(pid, 0)
    os.close(fd)
    if seen_at is None:
        raise BenchError(f"{marker!r} did not appear on the screen within {timeout_s:.0f} s")
    text = escapes.sub(b"", screen).decode("utf-8", "replace")
    return ChildRun(0, seen_at, waited[2].ru_maxrss / 1024.0, text, "")


def print_figures(figures: Mapping[str, Any], as_json: bool, key_width: int) -> int:
    """A bench's figures as one JSON document or one ``key: value`` line each, then each of its problems
    on stderr; the exit code: 1 when there are problems."""
    if as_json:
        print(json.dumps(figures, sort_keys=True))
    else:
        for key, value in figures.items():
            print(f"{key:>{key_width}}: {value}")
    for problem in figures["problems"]:
        print(f"PROBLEM {problem}", file=sys.stderr)
    return 1 if figures["problems"] else 0
