"""The shared ``twin`` fixture: a twin that cannot be imported is a failure, not a skipped test."""

from __future__ import annotations

import sys

import pytest

from tests.conftest import start_twin


def test_a_broken_twin_import_fails_instead_of_skipping(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "vmesh_tui.sim.runner", None)  # importing it now raises ImportError
    try:
        start_twin()
    except ImportError:
        pass  # an error: the test using the fixture fails and says why
    except BaseException as other:  # pytest's skip is a BaseException, not an ImportError
        pytest.fail(f"a broken twin import must fail the test, it raised {type(other).__name__}")
    else:
        pytest.fail("the twin started although its module cannot be imported")
