"""Engine test fixtures: ``make_twin`` serves a lab and connects an engine on a private VMESH_HOME."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.engine.twinlab import Twin, demo_spec


@pytest.fixture
def make_twin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("VMESH_HOME", str(tmp_path))
    made: list[Twin] = []

    def make(spec: Any = None, timeout: float = 20.0) -> Twin:
        twin = Twin(spec if spec is not None else demo_spec(), tmp_path, timeout)
        monkeypatch.setenv("VMESH_PASSWORD", twin.password)
        made.append(twin)
        return twin

    yield make
    for twin in made:
        twin.close()
