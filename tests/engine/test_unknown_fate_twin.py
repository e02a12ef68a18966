"""Calls whose fate is unknown, and hosts that cannot be read at rollback time, against the twin; every
outcome judged by an independent reader (stock pyVmomi on networkInfo), also after late calls landed.

The twin's ``delay`` fault answers a call after ``delay_s`` seconds and carries it out then: with the
client's deadline shorter than that, the call times out and still lands later, as on a slow hostd.
"""

from __future__ import annotations

import signal
import time
from typing import Any

from tests.engine.test_reboot_twin import _apply, _reboot
from tests.engine.twin_cli import LINK_ARGS, cli_journals, run_cli, start_cli
from tests.engine.twinlab import SUPERNET, TWO_LINKS, collect, demo_spec, fault
from tests.hostview.reader import read_lab
from vmesh_tui.engine import results
from vmesh_tui.engine.journal import all_journals
from vmesh_tui.engine.planning import PlanRequest

A, B = "esx-a.lab.local", "esx-b.lab.local"
TIMEOUT = 2.0  # the client gives up on a call after this
LANDS = 4.5  # ... and the delayed call is carried out this long after it was sent
WAIT = 6.0  # how long the engine waits for an unanswered call to show (the call timeout by default)


async def _plan(twin: Any) -> Any:
    _, planned = await collect(twin.engine.plan(PlanRequest(SUPERNET, manual_links=TWO_LINKS)))
    return planned


def _settled(started: float) -> None:
    """Sleep until every delayed call sent since ``started`` has landed."""
    time.sleep(max(0.0, started + LANDS + 1.0 - time.monotonic()))


async def test_a_timed_out_call_that_lands_late_is_rolled_back_too(make_twin: Any) -> None:
    """Seen: esx-a's 2nd AddVirtualSwitch delayed past the timeout and esx-b's 1st AddVirtualNic failing:
    apply said "rolled back" and closed the journal; the vSwitch appeared on esx-a 12 s later and revert
    found "nothing to revert"."""
    faults = (fault(A, "AddVirtualSwitch", 2, "delay", LANDS), fault(B, "AddVirtualNic", 1, "fault"))
    twin = make_twin(demo_spec(faults=faults), timeout=TIMEOUT)
    twin.engine.landing_wait_s = WAIT
    start = read_lab(twin.lab)
    planned = await _plan(twin)
    began = time.monotonic()
    events, outcome = await collect(twin.engine.apply(planned))
    assert outcome.outcome == results.ROLLED_BACK, outcome
    assert outcome.differences == () and "rolled back" in outcome.message
    assert any(e.kind == "warning" and "host shows the change done" in e.message for e in events)
    _settled(began)
    assert read_lab(twin.lab) == start
    (journal,) = all_journals(twin.home / "state")
    assert journal.closed and journal.status == "rolled_back"


async def test_a_call_that_never_shows_keeps_the_journal_open_and_says_so(make_twin: Any) -> None:
    """A call that lands after the engine stopped waiting: the result says it may still happen, the journal
    stays open (rollback incomplete), and the next revert undoes what landed."""
    faults = (fault(A, "AddVirtualSwitch", 2, "delay", LANDS), fault(B, "AddVirtualNic", 1, "fault"))
    twin = make_twin(demo_spec(faults=faults), timeout=TIMEOUT)
    twin.engine.landing_wait_s = 0.5  # gives up before the call lands
    start = read_lab(twin.lab)
    began = time.monotonic()
    _, outcome = await collect(twin.engine.apply(await _plan(twin)))
    assert outcome.outcome == results.ROLLBACK_INCOMPLETE, outcome
    assert "rollback incomplete" in outcome.message and "rolled back:" not in outcome.message
    assert "may still happen" in outcome.message and "some changes remain" not in outcome.message
    assert read_lab(twin.lab) == start  # the read is exact: nothing remains (yet), as the message says
    assert any("vmesh-2" in d and "may still happen" in d for d in outcome.differences)
    (journal,) = all_journals(twin.home / "state")
    assert not journal.closed and [r.step.target for r in journal.in_flight] == ["vmesh-2"]
    _settled(began)
    assert "vmesh-2" in read_lab(twin.lab)[A]["vswitches"]  # it did land, after the report
    _, reverted = await collect(twin.engine.revert())
    assert reverted.ok, reverted
    assert read_lab(twin.lab) == start


async def test_a_recover_toggle_that_lands_late_is_waited_for(make_twin: Any) -> None:
    """Seen: a delayed UpdatePortGroup landed after recover reported success: active [] / standby [vmnic1]."""
    twin = make_twin(demo_spec(faults=(fault(B, "UpdatePortGroup", 1, "delay", LANDS),)), timeout=TIMEOUT)
    twin.engine.landing_wait_s = WAIT
    await _apply(twin, "shared")
    _reboot(twin, B)
    began = time.monotonic()
    _, recovered = await collect(twin.engine.recover())
    assert recovered.ok, recovered
    _settled(began)
    groups = read_lab(twin.lab)[B]["portgroups"]
    owned = {name: group for name, group in groups.items() if name.startswith("vmesh-")}
    assert owned and all(group["active"] for group in owned.values()), owned


async def test_rollback_rolls_back_every_host_it_can_read(make_twin: Any) -> None:
    """Seen: esx-a unreadable at rollback time meant nothing was rolled back anywhere (esx-b included),
    and the message began "rolled back". RetrievePropertiesEx 1 and 2 on esx-a are the connect and the
    apply's re-read; 3 to 8 are every read of the rollback."""
    faults = (
        fault(B, "AddVirtualNic", 2, "fault"),
        *(fault(A, "RetrievePropertiesEx", n, "fault") for n in range(3, 9)),
    )
    twin = make_twin(demo_spec(faults=faults))
    start = read_lab(twin.lab)
    _, outcome = await collect(twin.engine.apply(await _plan(twin)))
    assert outcome.outcome == results.ROLLBACK_INCOMPLETE, outcome
    assert "rollback incomplete" in outcome.message and "rolled back:" not in outcome.message
    assert any(
        d.startswith(f"{A} could not be read") and "vmesh-tui revert" in d for d in outcome.differences
    )
    now = read_lab(twin.lab)
    assert now[B] == start[B]  # the readable host is rolled back
    assert now[A] != start[A]  # the other is named, not claimed
    _, reverted = await collect(twin.engine.revert())  # esx-a answers again: revert finishes it
    assert reverted.ok, reverted
    assert read_lab(twin.lab) == start


async def test_one_failed_read_at_rollback_is_retried(make_twin: Any) -> None:
    """The rollback's read of both hosts fails, then esx-a's own read fails once: the retry reads it."""
    faults = (
        fault(B, "AddVirtualNic", 2, "fault"),
        *(fault(A, "RetrievePropertiesEx", n, "fault") for n in (3, 4)),
    )
    twin = make_twin(demo_spec(faults=faults))
    start = read_lab(twin.lab)
    _, outcome = await collect(twin.engine.apply(await _plan(twin)))
    assert outcome.outcome == results.ROLLED_BACK and outcome.differences == (), outcome
    assert read_lab(twin.lab) == start


def test_ctrl_c_during_a_hung_call_stops_within_seconds_and_journals_it(make_twin: Any) -> None:
    """SIGINT while a call hangs (it lands 8 s later): the command ends within a few seconds, the journal
    says that step may have happened, and the next revert (after it landed) brings everything back."""
    twin = make_twin(demo_spec(faults=(fault(A, "AddVirtualSwitch", 2, "delay", 8.0),)))
    start = read_lab(twin.lab)
    child = start_cli(twin, "apply", "--supernet", SUPERNET, *LINK_ARGS, "--yes")
    assert child.stdout is not None
    for line in child.stdout:
        if f"[{A}] 1/" in line and "done" in line:
            break
    began = time.monotonic()
    time.sleep(1.0)  # the 2nd vSwitch's call is now in flight and hangs
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=30)
    stopped_in = time.monotonic() - began - 1.0
    assert child.returncode == 130, err
    assert stopped_in < 6.0, stopped_in
    assert "interrupted" in err and "Traceback" not in err
    (journal,) = cli_journals(twin)
    assert journal["status"] == "interrupted" and journal["in_flight"] == 1
    time.sleep(max(0.0, began + 8.0 + 1.0 - time.monotonic()))  # the hung call has landed by now
    revert = run_cli(twin, "revert", "--yes", "--json")
    assert revert.returncode == 0, revert.stdout + revert.stderr
    assert read_lab(twin.lab) == start


def test_ctrl_c_pressed_again_while_calls_get_their_grace_stops_at_once(make_twin: Any) -> None:
    """Seen: three ctrl+c a moment apart while a call hung (landing 15 s later) kept the command for 14 s:
    the second one cut the 2 s grace short, and the process then waited for the hung call's thread."""
    twin = make_twin(demo_spec(faults=(fault(A, "AddVirtualSwitch", 2, "delay", 15.0),)))
    child = start_cli(twin, "apply", "--supernet", SUPERNET, *LINK_ARGS, "--yes")
    assert child.stdout is not None
    for line in child.stdout:
        if f"[{A}] 1/" in line and "done" in line:
            break
    time.sleep(1.0)  # the 2nd vSwitch's call is now in flight and hangs
    began = time.monotonic()
    for _ in range(3):
        child.send_signal(signal.SIGINT)
        time.sleep(0.3)
    _, err = child.communicate(timeout=30)
    stopped_in = time.monotonic() - began
    assert child.returncode == 130, err
    assert "Traceback" not in err and "interrupted" in err
    assert stopped_in < 5.0, stopped_in
    (journal,) = cli_journals(twin)
    assert journal["status"] == "interrupted" and journal["in_flight"] == 1
