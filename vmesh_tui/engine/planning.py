"""Plan assembly: observed hosts + the admin's choices -> cables, links, desired state, steps, findings.

Pure glue over the core, shared by the TUI and the headless commands. With manual links given, exactly
those cables are used (scripts get what they wrote); otherwise the proposed cables are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from vmesh_tui.core.addressing import Addressing, Link, carve
from vmesh_tui.core.applied import dropped_link_findings
from vmesh_tui.core.checks import preflight
from vmesh_tui.core.design import DesignOptions, NicSpeed, design
from vmesh_tui.core.errors import CoreError, Finding, Severity
from vmesh_tui.core.model import HostState
from vmesh_tui.core.neighbours import resolve_ref
from vmesh_tui.core.pairing import Cable, Pairing, link, propose_cables
from vmesh_tui.core.plan import Plan, make_plan
from vmesh_tui.core.probing import leftover_findings
from vmesh_tui.engine import codec, objects

codec.register(Cable, Link, DesignOptions, NicSpeed)


@dataclass(frozen=True)
class PlanRequest:
    """What the admin chose: the supernet, the prefix, design options and manual links (a, b refs)."""

    supernet: str
    prefix: int = 30
    options: DesignOptions = field(default_factory=DesignOptions)
    manual_links: tuple[tuple[str, str], ...] = ()
    pairing: Pairing | None = None  # an edited pairing from the TUI wins over proposal and manual links

    def as_record(self) -> dict[str, Any]:
        """The request as plain JSON data for the journal (no secrets in it)."""
        return {
            "supernet": self.supernet,
            "prefix": self.prefix,
            "links": [list(p) for p in self.manual_links],
        }


@dataclass(frozen=True)
class PlanResult:
    """Everything a plan rests on; ``observed`` is what staleness is judged against before applying."""

    request: PlanRequest
    observed: Mapping[str, HostState]
    pairing: Pairing
    addressing: Addressing
    desired: Mapping[str, HostState]
    plan: Plan
    findings: tuple[Finding, ...]

    @property
    def links(self) -> tuple[Link, ...]:
        return self.addressing.links

    @property
    def options(self) -> DesignOptions:
        return self.request.options

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == Severity.ERROR)


def resolved(request: PlanRequest, hosts: Sequence[HostState]) -> PlanRequest:
    """The request with every NIC reference naming its host as the host does (``esx-a/vmnic1`` ->
    ``esx-a.lab.local/vmnic1``); CoreError for an unknown or ambiguous host, or a NIC in two links."""
    links = [(resolve_ref(a, hosts), resolve_ref(b, hosts)) for a, b in request.manual_links]
    first: dict[str, tuple[str, str]] = {}
    for pair in links:
        for ref in pair:
            if ref in first:
                raise CoreError(
                    "duplicate-nic",
                    f"{ref} is in two links ({'='.join(first[ref])} and {'='.join(pair)})",
                    "give each NIC one cable",
                )
            first[ref] = pair
    speeds = tuple(replace(s, ref=resolve_ref(s.ref, hosts)) for s in request.options.nic_speeds)
    return replace(request, manual_links=tuple(links), options=replace(request.options, nic_speeds=speeds))


def build_plan(observed: Mapping[str, HostState], request: PlanRequest) -> PlanResult:
    """Run pairing, addressing, design, plan and preflight. Raises CoreError on bad input."""
    hosts = [observed[name] for name in sorted(observed)]
    request = resolved(request, hosts)
    prefix_name = request.options.name_prefix
    pairing = request.pairing
    if pairing is None and request.manual_links:
        pairing = Pairing()
        for a, b in request.manual_links:
            pairing = link(pairing, hosts, a, b, prefix_name)
    if pairing is None:
        pairing = propose_cables(hosts, owned_prefix=prefix_name)
    addressing = carve(pairing.cables, request.supernet, request.prefix, hosts, prefix_name)
    desired = design(observed, addressing.links, request.options)
    plan = make_plan(observed, desired, prefix_name)
    checks = preflight(hosts, pairing, addressing, request.options)
    cabled = (ref for cable in pairing.cables for ref in cable.ends)
    dropped = dropped_link_findings(hosts, cabled, prefix_name)
    findings = tuple(
        dict.fromkeys((*leftover_findings(hosts, prefix_name), *addressing.findings, *checks, *dropped))
    )
    return PlanResult(request, dict(observed), pairing, addressing, desired, plan, findings)


def stale_reasons(planned: PlanResult, now: Mapping[str, HostState]) -> list[str]:
    """Why the plan no longer fits the hosts: objects it touches or NICs it uses changed since it was made."""
    reasons: list[str] = []
    for name, before in planned.observed.items():
        current = now.get(name)
        if current is None:
            reasons.append(f"{name} is no longer among the connected hosts")
            continue
        for step in planned.plan.for_host(name):
            was = objects.find_like(before, step.obj)
            if not objects.matches(objects.find_like(current, step.obj), was):
                reasons.append(f"{name}: {objects.describe_step(step)} - the object changed since the plan")
        for cable in planned.pairing.cables:
            for ref in cable.ends:
                host, device = ref.rsplit("/", 1)
                if host != name:
                    continue
                if before.nic_user(device) != current.nic_user(device):
                    reasons.append(f"{ref} changed owner since the plan")
                if before.pnic(device) is None or current.pnic(device) is None:
                    reasons.append(f"{ref} is gone")
    return reasons
