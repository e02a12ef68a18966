"""What a journal records: its format version, kinds and statuses, and one journaled step (and its JSON)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vmesh_tui.core.steps import Step
from vmesh_tui.engine import codec

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

    def encode(self) -> dict[str, Any]:
        """The step as the journal file holds it."""
        return {
            "seq": self.seq,
            "step": codec.encode(self.step),
            "status": self.status,
            "vmk": self.vmk,
            "error": self.error,
            "at": self.at,
        }

    @classmethod
    def decode(cls, raw: dict[str, Any]) -> StepRecord:
        """A step as read back from the journal file."""
        return cls(
            raw["seq"],
            codec.decode(raw["step"]),
            raw["status"],
            raw.get("vmk"),
            raw.get("error"),
            raw.get("at"),
        )
