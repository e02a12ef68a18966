"""The govmomi programs (Go, built from Debian's govmomi sources by build.sh) as a fixture."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).parent
BATTERY = HERE / "bin" / "govmomi-battery"
ESXSHAPE = HERE / "bin" / "esxshape"


@pytest.fixture(scope="session")
def govmomi_built() -> None:
    """Build the battery and the capture dumper; missing Go skips locally and fails under CI=true."""
    build = subprocess.run(["bash", str(HERE / "build.sh")], capture_output=True, text=True, timeout=900)
    if build.returncode != 0:
        pytest.fail(f"the govmomi programs do not build:\n{build.stdout}\n{build.stderr}")
    if not (BATTERY.exists() and ESXSHAPE.exists()):
        if os.environ.get("CI") == "true":
            pytest.fail(f"govmomi programs missing under CI: {build.stdout.strip()}")
        pytest.skip(build.stdout.strip() or "the govmomi programs are not built")
