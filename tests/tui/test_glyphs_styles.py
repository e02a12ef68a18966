"""Glyph sets, locale detection, text bars, and the stylesheet location (checkout and wheel)."""

from __future__ import annotations

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


@pytest.mark.slow
def test_wheel_carries_the_stylesheets(tmp_path: Path) -> None:
    """The wheel force-includes styles/ as vmesh_tui/styles, where styles_dir() looks first."""
    build = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp_path), str(REPO)],
        capture_output=True,
        text=True,
        timeout=240,
    )
    if build.returncode != 0 and "Could not find a version" in build.stderr + build.stdout:
        pytest.skip("no package index to fetch the build backend from")
    assert build.returncode == 0, build.stderr[-2000:]
    (wheel,) = tmp_path.glob("vmesh_tui-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for style in STYLE_FILES:
        assert f"vmesh_tui/styles/{style}" in names
    assert "vmesh_tui/tui/styles.py" in names
