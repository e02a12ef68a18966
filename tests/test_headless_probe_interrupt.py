"""`discover --probe` and ctrl+c, as a process: the note before it starts (what a switch port hears), the
first SIGINT removing the temporary vSwitches and exiting 130 as ctrl+c does everywhere (README's exit
codes), with the hosts as they were (read by the independent reader, tests/hostview)."""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.engine.probehelp import CROSSED, lab_spec, read_networks
from tests.engine.twin_cli import cli_journals, start_cli
from tests.engine.twinlab import Twin


@pytest.fixture
def twin(tmp_path: Path) -> Iterator[Twin]:
    made = Twin(lab_spec(CROSSED), tmp_path)
    yield made
    made.close()


def test_ctrl_c_stops_the_probe_removes_its_vswitches_and_exits_130(twin: Twin) -> None:
    before = read_networks(twin.lab)
    child = start_cli(twin, "discover", "--probe", "--probe-timeout", "60", "--json")
    assert child.stderr is not None
    seen = []
    for line in child.stderr:  # the dark NIC keeps it listening until the 60 s are up
        seen.append(line)
        if "found their far end" in line:
            break
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=60)
    err = "".join(seen) + err
    assert child.returncode == 130, err
    assert "a NIC cabled to a physical switch advertises CDP (host name, vmnic) to that switch" in seen[0]
    assert "stopping - removing the temporary vSwitches" in err and "Traceback" not in err
    document = json.loads(out)
    assert (document["ok"], document["exit"]) == (False, 130)
    assert "stopped by ctrl+c" in document["error"] and document["probe"]["differences"] == []
    assert read_networks(twin.lab) == before
    (journal,) = cli_journals(twin)
    assert (journal["kind"], journal["status"], journal["closed"]) == ("probe", "probed", True)
