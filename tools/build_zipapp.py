"""Build vmesh-tui.pyz: one file that runs with any CPython 3.9-3.13 on Linux x86_64 (glibc 2.28 or newer).

    python3 tools/build_zipapp.py [--output dist/vmesh-tui.pyz]

The file is a PEX (https://docs.pex-tool.org): it holds the tool and, for each supported Python, the
wheels that Python needs (pyVmomi 9.0 for 3.9 and 9.1 for the others, the tomli and StrEnum backports
before 3.11, cffi per version, cryptography's abi3 build), and picks the right set when it starts. Wheel
sources come from PyPI at build time (network needed here, never on the jump host). It also carries the
[demo] extra (cryptography, which only the demo and `vmesh-tui sim` need): about 6 of its 16 MB, kept so
that an offline host can run the demo and the twin too. Copy it and run `python3 vmesh-tui.pyz --host ...`;
the first run with a given Python unpacks a venv under ~/.cache/pex (PEX_ROOT moves it); later runs
start from there.

pex comes from the Python running this script when it has it, else it is installed into a private venv
under build/zipapp/.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# Each supported Python at the oldest patch release that common jump-host systems ship (Debian 11, Ubuntu
# 22.04, Debian 12, Ubuntu 24.04): markers and Requires-Python are judged at that release (cryptography
# refuses 3.9.0 and 3.9.1, for one).
PYTHONS = ("3.9.2", "3.10.4", "3.11.2", "3.12.3", "3.13.0")
GLIBC_FLOOR = 28  # manylinux_2_28: RHEL/Alma/Rocky 8+, Debian 10+, Ubuntu 18.10+, SLES 15 SP3+
PEX_REQUIREMENT = "pex>=2.60,<3"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=REPO / "dist" / "vmesh-tui.pyz")
    args = parser.parse_args(argv)
    started = time.monotonic()
    pex = pex_command()
    with tempfile.TemporaryDirectory(prefix="vmesh-zipapp-") as scratch:
        wheel = build_wheel(Path(scratch))
        requirement = f"vmesh-tui[demo] @ {wheel.as_uri()}"
        platforms = [write_platform(Path(scratch), version) for version in PYTHONS]
        args.output.parent.mkdir(parents=True, exist_ok=True)
        command = [
            *pex,
            requirement,
            "--console-script=vmesh-tui",
            "--output-file",
            str(args.output),
            "--no-build",  # wheels only: nothing is compiled, every target gets what PyPI built for it
            "--python-shebang=/usr/bin/env python3",
            "--venv",  # first run: a venv under PEX_ROOT with this Python's wheels; later runs start in it
            *(f"--complete-platform={platform}" for platform in platforms),
        ]
        subprocess.run(command, check=True)
    size_mb = args.output.stat().st_size / 1e6
    print(f"{args.output}: {size_mb:.1f} MB, CPython 3.9-3.13, Linux x86_64 (glibc 2.{GLIBC_FLOOR}+),")
    print(f"built in {time.monotonic() - started:.0f} s. Run: python3 {args.output.name} --version")
    return 0


def pex_command() -> list[str]:
    """`python -m pex` from this interpreter if it has pex, else from a private venv made for it."""
    if has_pex(sys.executable):
        return [sys.executable, "-m", "pex"]
    home = REPO / "build" / "zipapp" / "pex-venv"
    python = home / "bin" / "python"
    if not has_pex(str(python)):
        print(f"installing {PEX_REQUIREMENT} into {home}", file=sys.stderr)
        venv.create(home, with_pip=True, clear=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", PEX_REQUIREMENT], check=True)
    return [str(python), "-m", "pex"]


def has_pex(python: str) -> bool:
    if not os.path.exists(python):
        return False
    return subprocess.run([python, "-m", "pex", "--version"], capture_output=True).returncode == 0


def build_wheel(scratch: Path) -> Path:
    """The project's own wheel, built from this checkout."""
    out = scratch / "wheel"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--wheel-dir", str(out), str(REPO)],
        check=True,
    )
    (wheel,) = out.glob("vmesh_tui-*.whl")
    return wheel


def write_platform(scratch: Path, full_version: str) -> Path:
    """A pex "complete platform" for CPython `full_version` on manylinux_2_28 x86_64, as a JSON file."""
    major, minor = (int(part) for part in full_version.split(".")[:2])
    environment = {
        "implementation_name": "cpython",
        "implementation_version": full_version,
        "os_name": "posix",
        "platform_machine": "x86_64",
        "platform_python_implementation": "CPython",
        "platform_system": "Linux",
        "python_full_version": full_version,
        "python_version": f"{major}.{minor}",
        "sys_platform": "linux",
    }
    path = scratch / f"cp{major}{minor}.json"
    path.write_text(json.dumps({"marker_environment": environment, "compatible_tags": tags(major, minor)}))
    return path


def tags(major: int, minor: int) -> list[str]:
    """PEP 425 tags of CPython major.minor on manylinux x86_64 up to glibc 2.GLIBC_FLOOR, most specific
    first (the order `packaging.tags.sys_tags()` gives on such a host), except that stable-ABI (abi3)
    builds are taken only as built for 3.9 or older: one cryptography build then serves every Python
    (4.7 MB once instead of twice)."""
    cp = f"cp{major}{minor}"
    legacy = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}
    platforms = []
    for glibc in range(GLIBC_FLOOR, 4, -1):
        platforms.append(f"manylinux_2_{glibc}_x86_64")
        if glibc in legacy:
            platforms.append(f"{legacy[glibc]}_x86_64")
    out = [f"{cp}-{cp}-{p}" for p in platforms]
    if minor <= 9:
        out += [f"{cp}-abi3-{p}" for p in platforms]
    out += [f"{cp}-none-{p}" for p in platforms]
    out += [f"cp{major}{older}-abi3-{p}" for older in range(min(minor - 1, 9), 1, -1) for p in platforms]
    pys = [f"py{major}{minor}", f"py{major}"] + [f"py{major}{older}" for older in range(minor - 1, -1, -1)]
    out += [f"{py}-none-{p}" for py in pys for p in platforms]
    out += [f"{cp}-none-any"] + [f"{py}-none-any" for py in pys]
    return out


if __name__ == "__main__":
    os.chdir(REPO)
    raise SystemExit(main())
