"""Glyph sets, locale detection, text bars, and the stylesheet location (checkout and wheel)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from vmesh_tui.tui.glyphs import ASCII, UNICODE, bar, locale_is_utf8, pick_glyphs
from vmesh_tui.tui.styles import STYLE_FILES, css_paths, styles_dir

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("environ", "utf8"),
    [
        ({"LANG": "en_US.UTF-8"}, True),
        ({"LC_ALL": "C", "LANG": "en_US.UTF-8"}, False),
        ({"LC_CTYPE": "de_DE.utf8"}, True),
        ({"LANG": "POSIX"}, False),
    ],
)
def test_locale_decides_utf8(environ: dict[str, str], utf8: bool) -> None:
    assert locale_is_utf8(environ) is utf8


def test_ascii_when_asked_or_when_locale_is_not_utf8() -> None:
    assert pick_glyphs(True, {"LANG": "en_US.UTF-8"}) is ASCII
    assert pick_glyphs(False, {"LANG": "C"}) is ASCII
    assert pick_glyphs(False, {"LANG": "en_US.UTF-8"}) is UNICODE


def test_ascii_glyphs_are_plain_ascii() -> None:
    for value in vars(ASCII).values():
        if isinstance(value, str):
            assert value.isascii(), value


def test_bar_fills_in_proportion() -> None:
    assert bar(0, 4, 8, ASCII) == "........"
    assert bar(2, 4, 8, ASCII) == "####...."
    assert bar(4, 4, 8, ASCII) == "########"
    assert bar(9, 4, 8, ASCII) == "########"  # never overflows


def test_styles_found_in_the_checkout() -> None:
    assert styles_dir() == REPO / "styles"
    assert [p.name for p in css_paths()] == list(STYLE_FILES)


def skip_unless_ci(reason: str) -> None:
    """Skip locally when the tooling is missing; under CI=true a missing tool is a failure, never a skip."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: this test must run)")
    pytest.skip(reason)


@pytest.mark.slow
def test_wheel_carries_the_stylesheets_and_the_demo_lab(tmp_path: Path) -> None:
    """The wheel force-includes styles/ as vmesh_tui/styles, where styles_dir() looks first: build it,
    install it with pip into a private folder, and load the styles from there in a fresh interpreter.
    The demo lab (vmesh_tui/sim/lab/demo.toml) is package data: `vmesh-tui sim --demo --json` serves it."""
    if importlib.util.find_spec("build") is None:
        skip_unless_ci("the 'build' package is not installed")
    dist = tmp_path / "dist"
    build = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(REPO)],
        capture_output=True,
        text=True,
        timeout=240,
    )
    if build.returncode != 0 and "Could not find a version" in build.stderr + build.stdout:
        skip_unless_ci("no package index to fetch the build backend from")
    assert build.returncode == 0, build.stderr[-2000:]
    (wheel,) = dist.glob("vmesh_tui-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for style in STYLE_FILES:
        assert f"vmesh_tui/styles/{style}" in names
    assert "vmesh_tui/tui/styles.py" in names
    assert "vmesh_tui/sim/lab/demo.toml" in names

    target = tmp_path / "installed"
    install = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-index",
            "--target",
            str(target),
            str(wheel),
        ],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert install.returncode == 0, install.stderr[-2000:]
    probe = (
        "import json, vmesh_tui\n"
        "from vmesh_tui.tui.styles import css_paths, styles_dir\n"
        "print(json.dumps({'package': vmesh_tui.__file__, 'dir': str(styles_dir()),"
        " 'paths': [str(p) for p in css_paths()]}))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, env=env, cwd=tmp_path
    )
    assert loaded.returncode == 0, loaded.stderr[-2000:]
    found = json.loads(loaded.stdout.strip().splitlines()[-1])
    styles = (target / "vmesh_tui" / "styles").resolve()
    assert Path(found["package"]).resolve().is_relative_to(target.resolve()), (
        found
    )  # the wheel, not the checkout
    assert Path(found["dir"]) == styles, found
    assert [Path(p).name for p in found["paths"]] == list(STYLE_FILES)
    for path in found["paths"]:
        assert Path(path).parent == styles and Path(path).is_file(), path

    serve = "import sys\nfrom vmesh_tui.cli import main\nsys.exit(main(['sim', '--demo', '--json']))\n"
    sim = subprocess.Popen(
        [sys.executable, "-c", serve],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    try:
        assert sim.stdout is not None
        line = sim.stdout.readline()  # one JSON line once every host listens
    finally:
        sim.terminate()  # SIGTERM: the sim command stops cleanly and exits 0
        _, err = sim.communicate(timeout=60)
    assert line.startswith("{"), err[-2000:]
    assert sim.returncode == 0, err[-2000:]
    announced = json.loads(line)
    assert [h["name"] for h in announced["hosts"]] == ["esx-a.lab.local", "esx-b.lab.local"], announced
    assert all(h["url"].startswith("https://127.0.0.1:") for h in announced["hosts"]), announced
