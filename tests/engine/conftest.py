"""Engine test fixtures: ``make_twin`` serves a lab and connects an engine on a private VMESH_HOME."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.engine.twinlab import twins


@pytest.fixture
def make_twin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    with twins(tmp_path, monkeypatch) as make:
        yield make
