"""The result objects that the "done" event of each engine operation carries."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from vmesh_tui.core.addressing import Link
from vmesh_tui.core.model import HostState
from vmesh_tui.core.pairing import Pairing
from vmesh_tui.core.probe_results import ProbeReport
from vmesh_tui.core.steps import Step

# ApplyResult.outcome values
APPLIED = "applied"
NOTHING_TO_DO = "nothing_to_do"
ROLLED_BACK = "rolled_back"  # failed, and a fresh read shows every host back to its starting state
ROLLBACK_INCOMPLETE = "rollback_incomplete"  # failed, and something remains (``differences`` says what)
REFUSED = "refused"
UNCONFIRMED = "unconfirmed"  # applied, validation did not pass in time, reverted (commit-confirmed)
REVERT_FAILED = "revert_failed"  # applied, validation did not pass in time, and the revert did not complete


@dataclass(frozen=True)
class DiscoverResult:
    hosts: Mapping[str, HostState]
    pairing: Pairing


@dataclass(frozen=True)
class LinkCheck:
    """One link's validation: ``detail`` explains a failure in the admin's terms."""

    index: int
    a: str
    b: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class ValidationResult:
    ok: bool
    links: tuple[LinkCheck, ...] = ()
    message: str = ""

    @property
    def failing_hosts(self) -> set[str]:
        return {ref.rsplit("/", 1)[0] for check in self.links if not check.ok for ref in (check.a, check.b)}


@dataclass(frozen=True)
class ApplyResult:
    outcome: str
    message: str
    links: tuple[Link, ...] = ()
    steps: tuple[Step, ...] = ()
    journal_id: str | None = None
    differences: tuple[str, ...] = ()  # after a rollback or revert: what is not back to the starting state
    validation: ValidationResult | None = None
    reasons: tuple[str, ...] = ()  # why it was refused

    @property
    def ok(self) -> bool:
        return self.outcome in (APPLIED, NOTHING_TO_DO)


@dataclass(frozen=True)
class RevertResult:
    ok: bool
    message: str
    steps: tuple[Step, ...] = ()
    differences: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    journal_id: str | None = None
    refused: bool = False  # another run holds the lock
    closed: tuple[str, ...] = ()  # interrupted probes closed on the way, nothing of them being left


@dataclass(frozen=True)
class RecoverResult:
    ok: bool
    message: str
    rebooted: tuple[str, ...] = ()
    toggled: tuple[str, ...] = ()  # "HOST/portgroup"
    before: ValidationResult | None = None
    after: ValidationResult | None = None
    refused: bool = False  # another run holds the lock


@dataclass(frozen=True)
class JournalSummary:
    id: str
    hosts: tuple[str, ...]
    status: str
    closed: bool
    created: str
    updated: str
    steps_done: int
    links: tuple[Link, ...] = field(default=())
    problem: str = ""  # a corrupt journal: why it cannot be read (naming the file)
    kind: str = "apply"  # "apply" or "probe"
    in_flight: int = 0  # steps sent without an answer that never showed on the host (may have landed)
    in_effect: int = 0  # objects its completed steps changed and no undo restored; 0 once the run is closed
    note: str = ""  # why a run was closed without being reverted (engine.stale: nothing of it was left)


@dataclass(frozen=True)
class ProbeResult:
    """A cable probe's outcome. ``ok``: it ran and every host is back as it started (``differences``
    and ``problems`` say what is not). ``hosts``: the hosts as read before the probe, each probed NIC's
    neighbour set to what it heard (so manual links made afterwards are judged by the probe's evidence).
    """

    ok: bool
    message: str
    report: ProbeReport | None = None
    hosts: Mapping[str, HostState] = field(default_factory=dict)
    waited_s: float = 0.0
    timeout_s: float = 0.0
    cancelled: bool = False
    journal_id: str | None = None
    differences: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    refused: bool = False  # nothing was changed: another run holds the lock, or a leftover is in the way
