"""The import contract, checked in a fresh interpreter: what each layer loads is what it may load."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def _loaded_after_import(module: str) -> set[str]:
    code = f"import sys, json, {module}; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    return {name.split(".")[0] for name in json.loads(out)} | set(json.loads(out))


@pytest.mark.parametrize(
    ("module", "forbidden"),
    [
        ("vmesh_tui.core.model", {"textual", "pyVmomi", "pyVim", "platformdirs"}),
        ("vmesh_tui.core.steps", {"textual", "pyVmomi", "pyVim", "platformdirs"}),
        ("vmesh_tui.cli", {"textual", "pyVmomi"}),
    ],
)
def test_module_does_not_load(module: str, forbidden: set[str]) -> None:
    loaded = _loaded_after_import(module)
    assert not (loaded & forbidden), f"{module} loaded {sorted(loaded & forbidden)}"


def test_whole_core_is_pure() -> None:
    import pkgutil

    import vmesh_tui.core as core

    names = [f"vmesh_tui.core.{m.name}" for m in pkgutil.iter_modules(core.__path__)]
    loaded = _loaded_after_import(", ".join(names))
    assert not (loaded & {"textual", "pyVmomi", "pyVim", "platformdirs"}), sorted(loaded)
