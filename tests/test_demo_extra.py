"""Without `cryptography` (the [demo] extra) the twin's commands say what to install instead of a traceback;
--version and help still work. (tests/install/test_pipx.py discovers hosts with it really absent.)"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# `sys.modules[name] = None` makes `import name` fail and find_spec(name) answer None, as when it is absent.
WITHOUT_CRYPTOGRAPHY = (
    "import sys\n"
    "sys.modules['cryptography'] = None\n"
    "from vmesh_tui.cli import main\n"
    "raise SystemExit(main(sys.argv[1:]))\n"
)


def _run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_CRYPTOGRAPHY, *argv],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize("argv", [["demo"], ["demo", "--ascii"], ["sim", "--demo", "--json"]])
def test_twin_commands_say_what_to_install(argv: list[str]) -> None:
    done = _run(*argv)
    assert done.returncode == 2
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert f"vmesh-tui {argv[0]}: the simulated hosts need the 'cryptography' package" in done.stderr
    assert "pip install 'vmesh-tui[demo]'" in done.stderr
    assert "pip install -e '.[demo]'" in done.stderr


def test_without_it_versions_still_show_and_help_still_works() -> None:
    version = _run("--version")
    assert version.returncode == 0 and "pyVmomi " in version.stdout
    assert _run("sim", "--help").returncode == 0
    assert _run("discover", "--help").returncode == 0
