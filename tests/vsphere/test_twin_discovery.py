"""Discovery against the twin: CDP neighbours of directly cabled NICs appear once both ends take part."""

from __future__ import annotations

import time
from pathlib import Path

from tests.engine.twinlab import cdp_every
from tests.vsphere.twinhelp import connect_twin
from vmesh_tui.core.model import CdpMode, HostState, VSwitch
from vmesh_tui.core.steps import Action, Step
from vmesh_tui.sim.lab.load import demo_lab
from vmesh_tui.sim.runner import start_lab

A, B = "esx-a.lab.local", "esx-b.lab.local"


def test_cdp_across_a_direct_cable_names_the_far_host_and_nic(tmp_path: Path) -> None:
    """The demo lab advertising every second: both ends heard once an interval has passed."""
    lab = start_lab(cdp_every(demo_lab(), 1.0))
    client = connect_twin(lab, tmp_path)
    try:
        before = client.read_all()
        client.run_step(
            Step(A, Action.ADD, None, VSwitch("vmesh-1", 9000, ("vmnic1",), ("vmnic1",), (), CdpMode.BOTH))
        )
        client.run_step(
            Step(B, Action.ADD, None, VSwitch("vmesh-1", 9000, ("vmnic1",), ("vmnic1",), (), CdpMode.BOTH))
        )
        time.sleep(1.2)
        after = client.read_all()
        heard = client.neighbours(A, ["vmnic1", "vmnic2"])
    finally:
        client.close()
        lab.stop()
    assert heard == {"vmnic1": after[A].pnic("vmnic1").neighbor, "vmnic2": None}
    assert _heard(before[A], "vmnic1") is None
    assert _heard(after[A], "vmnic1") == ("cdp", B, "vmnic1")
    assert _heard(after[B], "vmnic1") == ("cdp", A, "vmnic1")
    assert _heard(after[A], "vmnic2") is None  # no vSwitch on it: nothing sent, nothing heard


def _heard(state: HostState, device: str) -> tuple[str, str, str] | None:
    pnic = state.pnic(device)
    assert pnic is not None
    neighbor = pnic.neighbor
    return (neighbor.protocol, neighbor.device_id, neighbor.port_id) if neighbor else None
