"""TUI measurements (a script, not collected by pytest): python tests/benchmarks/bench_tui.py

1. Start-up: seconds from launching `vmesh-tui demo` in a real 80x24 terminal (tmux) until the first
   interactive screen is drawn (aim: under 1 s), and until the cabling screen shows discovered hosts.
2. Memory: peak RSS of a full demo walk in one process (twin + TUI): connect, discover, cabling,
   addressing, preview, apply, validate.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def time_to_screens(runs: int = 3) -> dict[str, float]:
    """Median seconds to the first drawn screen and to the cabling screen, in tmux."""
    first, cabling = [], []
    for run in range(runs):
        socket = f"vmesh-bench-{os.getpid()}-{run}"
        home = tempfile.mkdtemp(prefix="vmesh-bench-")
        command = f"env VMESH_HOME={home} TERM=xterm-256color {sys.executable} -m vmesh_tui demo; sleep 30"
        started = time.monotonic()
        subprocess.run(
            ["tmux", "-L", socket, "new-session", "-d", "-s", "b", "-x", "80", "-y", "24", command],
            check=True,
        )
        try:
            seen_first = None
            while time.monotonic() - started < 30:
                screen = subprocess.run(
                    ["tmux", "-L", socket, "capture-pane", "-p", "-t", "b"], capture_output=True, text=True
                ).stdout
                if seen_first is None and "vmesh-tui  step" in screen:
                    seen_first = time.monotonic() - started
                if "step 3/7 Cabling" in screen and "vmnic1" in screen:
                    first.append(seen_first or time.monotonic() - started)
                    cabling.append(time.monotonic() - started)
                    break
                time.sleep(0.02)
        finally:
            subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True)
            shutil.rmtree(home, ignore_errors=True)
    return {"first_screen_s": statistics.median(first), "cabling_s": statistics.median(cabling)}


WALK = r"""
import asyncio, os, resource, sys, tempfile
os.environ["VMESH_HOME"] = tempfile.mkdtemp()
sys.path.insert(0, sys.argv[1])
from tests.tui.twinapp import make_app, screen_text, wait_for, wait_screen
from vmesh_tui.sim.lab.load import demo_lab
from vmesh_tui.sim.runner import start_lab

async def walk():
    lab = start_lab(demo_lab())
    try:
        app = make_app(lab)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_screen(pilot, "CablingScreen")
            await pilot.press("n"); await wait_screen(pilot, "AddressingScreen")
            await pilot.press("ctrl+n"); await wait_screen(pilot, "PreviewScreen")
            await pilot.press("a"); await wait_screen(pilot, "ConfirmScreen"); await pilot.press("y")
            await wait_screen(pilot, "ApplyScreen")
            await wait_for(pilot, lambda: app.screen.state == "applied", 60)
            await pilot.press("n"); await wait_screen(pilot, "ValidateScreen")
            await wait_for(pilot, lambda: "pass both ways" in screen_text(app), 60)
    finally:
        lab.stop()

asyncio.run(walk())
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def peak_memory_mb() -> float:
    out = subprocess.run(
        [sys.executable, "-c", WALK, str(REPO)],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
        timeout=300,
    ).stdout
    return int(out.split()[-1]) / 1024


def main() -> int:
    if shutil.which("tmux") is None:
        print("tmux is needed for the start-up measurement", file=sys.stderr)
        return 1
    figures = time_to_screens()
    figures["peak_rss_mb_full_walk"] = round(peak_memory_mb(), 1)
    figures = {k: round(v, 3) for k, v in figures.items()}
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
