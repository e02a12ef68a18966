"""The engine against vcsim (VMware's simulator, an implementation the tool did not write).

vcsim in vCenter mode cannot complete an apply: it has no AddVirtualNic (MethodNotFound), and its hosts
share networks, so the second host's AddPortGroup may be a DuplicateName. Either way the apply must fail,
roll both hosts back to exactly what they were, and close the journal as rolled back.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.engine.twinlab import collect
from tests.vsphere.conftest import VCSIM_PASSWORD, start_vcsim
from vmesh_tui.engine import results
from vmesh_tui.engine.journal import all_journals
from vmesh_tui.engine.planning import PlanRequest
from vmesh_tui.engine.session import Engine

pytestmark = pytest.mark.vcsim

CLUSTER = "DC0_C0"
H0, H1 = "DC0_C0_H0", "DC0_C0_H1"


@pytest.fixture
def vcsim_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    from vmesh_tui.vsphere.client import HostsClient
    from vmesh_tui.vsphere.knownhosts import KnownHosts
    from vmesh_tui.vsphere.targets import vcenter_target

    monkeypatch.setenv("VMESH_HOME", str(tmp_path))
    sim = start_vcsim("vc")  # skips when the launcher is not built (fails under CI=true)
    try:
        target = vcenter_target(sim.url_for(), CLUSTER)
        known = KnownHosts(tmp_path / "config" / "known_hosts")
        client = HostsClient.connect([target], VCSIM_PASSWORD, known, accept_new=True)
        try:
            yield Engine(client, tmp_path / "state")
        finally:
            client.close()
    finally:
        sim.stop()


async def test_apply_that_vcsim_cannot_finish_rolls_back_to_the_start(vcsim_engine: Engine) -> None:
    engine = vcsim_engine
    start = engine.client.read_all()
    assert sorted(start) == [H0, H1]
    assert all(state.uplink_owner("vmnic1") is None for state in start.values())  # vmnic1 is free
    request = PlanRequest("172.31.250.0/24", manual_links=((f"{H0}/vmnic1", f"{H1}/vmnic1"),))
    _, planned = await collect(engine.plan(request))
    assert not planned.errors, planned.errors
    assert len(planned.links) == 1 and planned.plan.steps

    events, applied = await collect(engine.apply(planned))
    assert applied.outcome == results.ROLLED_BACK, applied
    failures = " ".join(e.message for e in events if e.kind == "step_failed")
    assert any(word in failures for word in ("MethodNotFound", "DuplicateName", "not supported")), failures
    assert any(e.kind == "rollback_started" for e in events)
    assert applied.differences == ()
    assert "back to their starting state" in applied.message
    assert engine.client.read_all() == start

    (journal,) = all_journals(engine.state_dir)
    assert journal.closed and journal.status == "rolled_back"
    assert engine.journal() is None
