"""What a journal records: its format version, kinds and statuses, and one journaled step."""

from __future__ import annotations

from dataclasses import dataclass

from vmesh_tui.core.steps import Step

FORMAT_VERSION = 1
# journal kinds: an apply (and the recover and revert runs on it), or a cable probe
APPLY = "apply"
PROBE = "probe"
# journal status values
APPLYING = "applying"
APPLIED = "applied"
ROLLED_BACK = "rolled_back"
ROLLBACK_INCOMPLETE = "rollback_incomplete"
REVERTED = "reverted"
PROBED = "probed"  # a probe that ended with its temporary vSwitches removed
# step status values
RUNNING = "running"
DONE = "done"
FAILED = "failed"
UNDONE = "undone"
IN_FLIGHT = "in_flight"  # sent, no answer: the host may still make the change (its fate is unknown)


@dataclass
class StepRecord:
    """One step as journaled. ``seq`` orders steps across hosts and runs."""

    seq: int
    step: Step
    status: str
    vmk: str | None = None
    error: str | None = None
    at: float | None = None  # when a call of it went unanswered (epoch seconds), for a later run's wait

    @property
    def host(self) -> str:
        return self.step.host
