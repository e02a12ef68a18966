"""vcsim (VMware's govmomi simulator) as a fixture: started from tests/vcsim/bin/vcsim-launch.

Skipped when the launcher is not built (run tests/vcsim/build.sh), except under CI=true, where a
missing launcher fails the tests.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

LAUNCHER = Path(__file__).parents[1] / "vcsim" / "bin" / "vcsim-launch"
VCSIM_PASSWORD = "vcsim-Secret-42"


@dataclass
class Vcsim:
    url: str
    thumbprint: str
    process: subprocess.Popen[str]

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1].split("/")[0])

    def url_for(self, user: str = "root") -> str:
        return self.url.replace("https://", f"https://{user}@")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_vcsim(mode: str, port: int = 0) -> Vcsim:
    """Start the launcher (``vc``: one cluster of two hosts; ``esx``: one host) and read its JSON line."""
    if not LAUNCHER.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"vcsim launcher missing under CI: {LAUNCHER} (bash tests/vcsim/build.sh)")
        pytest.skip("vcsim launcher not built (bash tests/vcsim/build.sh needs golang-go and govmomi)")
    process = subprocess.Popen(
        [str(LAUNCHER), "-mode", mode, "-port", str(port)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "VCSIM_PASSWORD": VCSIM_PASSWORD},
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line:
        process.kill()
        pytest.fail(f"vcsim ({mode}) did not start")
    info = json.loads(line)
    return Vcsim(info["url"], info["thumbprint"], process)


@pytest.fixture(scope="module")
def vcsim_vc() -> Iterator[Vcsim]:
    sim = start_vcsim("vc")
    yield sim
    sim.stop()


@pytest.fixture(scope="module")
def vcsim_esx() -> Iterator[Vcsim]:
    sim = start_vcsim("esx")
    yield sim
    sim.stop()
