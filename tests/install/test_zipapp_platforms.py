"""The zipapp's target platforms: the tags of tools/build_zipapp.py are `packaging`'s own for each Python
on manylinux up to glibc 2.28, in its order, less only the abi3 builds made for 3.10 or newer."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from packaging import tags

from tests.install.support import REPO

spec = importlib.util.spec_from_file_location("build_zipapp", REPO / "tools" / "build_zipapp.py")
assert spec is not None and spec.loader is not None
build_zipapp = importlib.util.module_from_spec(spec)
spec.loader.exec_module(build_zipapp)

LEGACY = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}
PLATFORMS = [
    name
    for glibc in range(28, 4, -1)
    for name in (f"manylinux_2_{glibc}_x86_64", *([f"{LEGACY[glibc]}_x86_64"] if glibc in LEGACY else []))
]


def _abi3_minor(tag: str) -> int:
    """3.x's x for an abi3 tag (cp310-abi3-... -> 10), 0 for any other tag."""
    interpreter, abi, _ = tag.split("-")
    return int(interpreter[3:]) if abi == "abi3" else 0


@pytest.mark.parametrize("minor", [9, 10, 11, 12, 13])
def test_tags_are_packagings_less_newer_abi3(minor: int) -> None:
    version = (3, minor)
    reference = [str(t) for t in tags.cpython_tags(version, platforms=PLATFORMS)]
    reference += [str(t) for t in tags.compatible_tags(version, f"cp3{minor}", PLATFORMS)]
    expected = [t for t in reference if _abi3_minor(t) < 10]
    assert build_zipapp.tags(3, minor) == expected
    assert "cp39-abi3-manylinux_2_28_x86_64" in expected and "py3-none-any" in expected


def test_platform_files_name_each_python(tmp_path: Path) -> None:
    written = [json.loads(build_zipapp.write_platform(tmp_path, v).read_text()) for v in build_zipapp.PYTHONS]
    versions = [p["marker_environment"]["python_version"] for p in written]
    assert versions == ["3.9", "3.10", "3.11", "3.12", "3.13"]
    # cryptography's Requires-Python excludes 3.9.0 and 3.9.1; the oldest target must be past them
    assert written[0]["marker_environment"]["python_full_version"] not in ("3.9.0", "3.9.1")
