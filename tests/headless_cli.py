"""The headless commands run in process (``cli.main``) against a Twin, as the headless tests type them."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.engine.twinlab import Twin, twins
from vmesh_tui.cli import main


@contextlib.contextmanager
def headless_twins(home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Twin]]:
    """:func:`tests.engine.twinlab.twins` with stdin no terminal, so no command prompts."""
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    with twins(home, monkeypatch) as make:
        yield make


def cli_text(capsys: pytest.CaptureFixture[str], twin: Twin, *argv: str) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of one command on the twin's hosts."""
    code = main([*argv, *twin.host_args()])
    out, err = capsys.readouterr()
    return code, out, err


def cli_json(capsys: pytest.CaptureFixture[str], twin: Twin, *argv: str) -> tuple[int, Any, str]:
    """:func:`cli_text` with stdout parsed when --json was asked."""
    code, out, err = cli_text(capsys, twin, *argv)
    return code, json.loads(out) if "--json" in argv else out, err
