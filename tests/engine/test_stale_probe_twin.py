"""An interrupted probe that nothing is left of (killed after removing its vSwitches): the next run that
reads its hosts closes its journal and says so, and status shows why. Before, it stayed "interrupted"
through later applies, and revert picked it ("nothing left to revert") instead of the apply it was asked
to undo. Hosts are judged by the independent reader (tests/hostview)."""

from __future__ import annotations

import json
import signal
from typing import Any

from tests.engine.probehelp import read_networks, vswitch_names
from tests.engine.twin_cli import LINK_ARGS, run_cli
from tests.engine.twinlab import SUPERNET, cdp_every, demo_spec


def _kill_a_probe_after_its_last_removal(twin: Any) -> str:
    """discover --probe killed once the host removed the last vSwitch, before the journal knew: the
    journal reads interrupted and the hosts have nothing of it; the probe journal's id."""
    killed = run_cli(twin, "discover", "--probe", "--probe-timeout", "10", crash_after="mid:4")
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert not any("vmesh-probe" in names for names in vswitch_names(twin.lab).values())
    journals = json.loads(run_cli(twin, "status", "--json").stdout)["journals"]
    (probe,) = [j for j in journals if j["kind"] == "probe"]
    assert (probe["status"], probe["closed"]) == ("interrupted", False)
    return str(probe["id"])


def _journal(twin: Any, journal_id: str) -> dict[str, Any]:
    journals = json.loads(run_cli(twin, "status", "--json").stdout)["journals"]
    return next(j for j in journals if j["id"] == journal_id)


def test_the_next_apply_closes_a_probe_nothing_is_left_of_and_status_says_so(make_twin: Any) -> None:
    twin = make_twin(cdp_every(demo_spec(), 1.0))
    probe_id = _kill_a_probe_after_its_last_removal(twin)
    applied = run_cli(twin, "apply", "--supernet", SUPERNET, *LINK_ARGS, "--yes")
    assert applied.returncode == 0, applied.stderr
    assert f"the interrupted probe {probe_id} was closed by an apply" in applied.stdout + applied.stderr
    probe = _journal(twin, probe_id)
    assert (probe["status"], probe["closed"]) == ("probed", True)
    assert "a fresh read showed nothing of it on esx-a.lab.local, esx-b.lab.local" in probe["note"]
    status = run_cli(twin, "status").stdout
    assert "closed by an apply" in status and "interrupted" not in status, status


def test_revert_closes_the_stale_probe_and_reverts_the_apply_before_it(make_twin: Any) -> None:
    twin = make_twin(cdp_every(demo_spec(), 1.0))
    before = read_networks(twin.lab)
    applied = run_cli(twin, "apply", "--supernet", SUPERNET, *LINK_ARGS, "--yes")
    assert applied.returncode == 0, applied.stderr
    probe_id = _kill_a_probe_after_its_last_removal(twin)  # newer than the apply's journal
    reverted = run_cli(twin, "revert", "--yes", "--json")
    assert reverted.returncode == 0, reverted.stderr
    document = json.loads(reverted.stdout)
    assert document["message"].startswith("reverted "), document  # the apply's changes, not "nothing left"
    (closed,) = document["closed"]
    assert closed.startswith(f"the interrupted probe {probe_id} was closed by a revert"), closed
    assert read_networks(twin.lab) == before
    journals = json.loads(run_cli(twin, "status", "--json").stdout)["journals"]
    assert all(j["closed"] for j in journals), journals
    again = run_cli(twin, "revert", "--yes", "--json")
    assert again.returncode == 0 and "nothing to revert" in json.loads(again.stdout)["message"]


def test_the_next_probe_closes_it_with_the_note_and_a_leftover_is_still_removed(make_twin: Any) -> None:
    twin = make_twin(cdp_every(demo_spec(), 1.0))
    before = read_networks(twin.lab)
    probe_id = _kill_a_probe_after_its_last_removal(twin)
    probed = run_cli(twin, "discover", "--probe", "--probe-timeout", "10", "--json")
    assert probed.returncode == 0, probed.stderr
    assert f"the interrupted probe {probe_id} was closed by a probe" in probed.stderr
    assert "closed by a probe" in _journal(twin, probe_id)["note"]
    killed = run_cli(twin, "discover", "--probe", "--probe-timeout", "10", crash_after="2")  # vSwitches left
    assert killed.returncode == -signal.SIGKILL
    left = run_cli(twin, "apply", "--supernet", SUPERNET, *LINK_ARGS, "--yes")
    assert left.returncode == 4 and "probe" in left.stdout + left.stderr  # still there: not closed
    assert all(
        j["closed"] is False for j in json.loads(run_cli(twin, "status", "--json").stdout)["journals"][:1]
    )
    assert run_cli(twin, "revert", "--yes").returncode == 0
    assert read_networks(twin.lab) == before


def test_an_add_sent_without_an_answer_keeps_the_probe_open_until_it_can_no_longer_land(
    tmp_path: Any,
) -> None:
    """A literal probe journal whose add went unanswered: while the call may still land it is not closed,
    though the read shows no vSwitch; once it shows, or the landing window has passed, it is."""
    from vmesh_tui.core.model import CdpMode, HostState, Pnic, VSwitch
    from vmesh_tui.core.steps import Action, Step
    from vmesh_tui.engine import journal as jr
    from vmesh_tui.engine.stale import nothing_left

    host = HostState("esx-a", pnics=(Pnic("vmnic1", "00:50:56:00:00:01", "igb", 1000),))
    probe = VSwitch("vmesh-probe", 1500, ("vmnic1",), ("vmnic1",), (), CdpMode.BOTH)
    journal = jr.Journal.create(tmp_path, {"esx-a": host}, (), None, {"switch": "vmesh-probe"}, kind=jr.PROBE)
    journal.step_started(Step("esx-a", Action.ADD, None, probe))  # killed before the answer came
    assert not nothing_left(journal, {"esx-a": host}, window_s=60.0)
    assert nothing_left(journal, {"esx-a": host}, window_s=0.0)
    landed = HostState("esx-a", pnics=host.pnics, vswitches=(probe,))
    assert not nothing_left(journal, {"esx-a": landed}, window_s=0.0)
    assert not nothing_left(journal, {}, window_s=0.0)  # a host that was not read says nothing
