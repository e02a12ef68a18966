"""Injected host faults (LAB_FORMAT.md [[fault]]): a fault, a lost reply, a slow reply."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.hostview.reader import read_lab
from tests.vsphere.twinhelp import connect_twin
from vmesh_tui.core.model import CdpMode, Portgroup, Vmk, VSwitch
from vmesh_tui.core.steps import Action, Step
from vmesh_tui.vsphere.errors import CallTimeout, StepFailed, Unreachable

A = "esx-a.lab.local"
DEMO = Path(__file__).parents[2] / "vmesh_tui" / "sim" / "lab" / "demo.toml"
FAULTS = """
[[fault]]
host = "esx-a.lab.local"
method = "AddVirtualSwitch"
kind = "lost"

[[fault]]
host = "esx-a.lab.local"
method = "AddPortGroup"
kind = "delay"
delay_s = 3

[[fault]]
host = "esx-a.lab.local"
method = "AddVirtualNic"
kind = "fault"
fault_type = "HostConfigFault"
"""


@pytest.fixture
def faulty_lab(tmp_path: Path) -> Iterator[Any]:
    from vmesh_tui.sim.runner import start_lab

    lab_file = tmp_path / "faulty.toml"
    lab_file.write_text(DEMO.read_text() + FAULTS)
    lab = start_lab(lab_file)
    yield lab
    lab.stop()


def test_injected_faults_map_to_the_adapter_errors(faulty_lab: Any, tmp_path: Path) -> None:
    client = connect_twin(faulty_lab, tmp_path, timeout=1.0)
    switch = VSwitch("vmesh-1", 9000, ("vmnic1",), ("vmnic1",), (), CdpMode.LISTEN)
    group = Portgroup("vmesh-1", "vmesh-1", 0, ("vmnic1",), (), "failover_explicit")
    try:
        # lost: applied, then the connection dropped without a reply -> not retried, reported as lost
        with pytest.raises(Unreachable, match="dropped the connection"):
            client.run_step(Step(A, Action.ADD, None, switch))
        seen = read_lab(faulty_lab)[A]  # independently: the lost call was applied
        assert (seen["vswitches"]["vmesh-1"]["mtu"], seen["vswitches"]["vmesh-1"]["uplinks"]) == (
            9000,
            ("vmnic1",),
        )
        assert client.read_all()[A].vswitch("vmesh-1") == switch

        # delay beyond the call timeout -> CallTimeout, in about the timeout
        started = time.monotonic()
        with pytest.raises(CallTimeout, match="did not answer in time"):
            client.run_step(Step(A, Action.ADD, None, group))
        assert time.monotonic() - started < 2.5

        time.sleep(2.5)  # let the slow call finish on the host before going on
        assert read_lab(faulty_lab)[A]["portgroups"]["vmesh-1"]["active"] == ("vmnic1",)
        assert client.read_all()[A].portgroup("vmesh-1") == group

        with pytest.raises(StepFailed) as caught:
            client.run_step(Step(A, Action.ADD, None, Vmk("", "vmesh-1", "10.9.0.1", 30, 9000)))
        assert caught.value.fault_type == "HostConfigFault"
        assert str(caught.value).startswith("add_vmk 'vmesh-1' on esx-a.lab.local failed: HostConfigFault")
    finally:
        client.close()
