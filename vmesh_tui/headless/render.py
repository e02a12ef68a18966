"""Output of the headless commands: progress lines for people, one JSON document for scripts."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping, Sequence
from typing import Any, TextIO

from vmesh_tui.core.addressing import Link
from vmesh_tui.core.errors import Finding
from vmesh_tui.core.steps import Step
from vmesh_tui.engine import objects, results
from vmesh_tui.engine.events import Event


class Output:
    """Human progress on stdout, or (with --json) nothing but the final JSON document."""

    def __init__(self, as_json: bool, stream: TextIO | None = None) -> None:
        self.as_json = as_json
        self.stream = stream or sys.stdout
        self.reader_gone = False
        self.last_said: dict[tuple[str, int], str] = {}  # a link's verdict or the phase, as last printed

    def line(self, text: str) -> None:
        if not self.as_json:
            self._write(text)

    def event(self, event: Event) -> None:
        """One progress line; a link verdict or phase repeated word for word (commit-confirmed validates
        every 2 s) is printed once, until it changes."""
        text = human_event(event)
        if text is None:
            return
        key = {"link_result": ("link", event.index), "phase": ("phase", 0)}.get(event.kind)
        if key is not None:
            if self.last_said.get(key) == text:
                return
            self.last_said[key] = text
        self.line(text)

    def document(self, data: Mapping[str, Any]) -> None:
        if self.as_json:
            self._write(json.dumps(data, sort_keys=True))

    def _write(self, text: str) -> None:
        """Print a line; a reader that went away (``| head``) must never interrupt work on the hosts."""
        if self.reader_gone:
            return
        try:
            print(text, file=self.stream, flush=True)
        except BrokenPipeError:
            self.reader_gone = True
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self.stream.fileno())  # so the interpreter's final flush stays quiet


def human_event(event: Event) -> str | None:
    where = f"[{event.host}] " if event.host else ""
    count = f"{event.index}/{event.total} " if event.total else ""
    if event.kind == "phase":
        return f"== {event.message}"
    if event.kind == "step_done":
        return f"  {where}{count}{event.message}: done"
    if event.kind == "step_failed":
        return f"  {where}{count}FAILED: {event.message}"
    if event.kind == "rollback_started":
        return f"!! {event.message}"
    if event.kind == "step_rolled_back":
        return f"  {where}undone: {event.message}"
    if event.kind == "link_result":
        mark = "ok  " if event.data.get("ok") else "FAIL"
        return (
            f"  {mark} link {event.index}: {event.data.get('a')} <-> {event.data.get('b')}: {event.message}"
        )
    if event.kind == "warning":
        return f"warning: {where}{event.message}"
    if event.kind == "host_read":
        return f"  read {event.host} ({event.message})"
    return None


def link_json(link: Link) -> dict[str, Any]:
    return {
        "index": link.number,
        "a": link.cable.a,
        "b": link.cable.b,
        "subnet": link.subnet,
        "a_ip": link.a_ip,
        "b_ip": link.b_ip,
        "source": link.cable.source,
        "verified": link.cable.verified,
    }


def step_json(step: Step) -> dict[str, Any]:
    return {
        "host": step.host,
        "action": str(step.action),
        "kind": step.kind,
        "target": step.target,
        "description": objects.describe_step(step),
    }


def finding_json(finding: Finding) -> dict[str, Any]:
    return {
        "code": finding.code,
        "severity": str(finding.severity),
        "message": finding.message,
        "remedy": finding.remedy,
        "subject": finding.subject,
    }


def discover_json(found: results.DiscoverResult) -> dict[str, Any]:
    hosts = []
    for name in sorted(found.hosts):
        state = found.hosts[name]
        nics = []
        for pnic in state.pnics:
            nics.append(
                {"device": pnic.device, "link_mb": pnic.speed_mb, "used_by": state.nic_user(pnic.device)}
            )
        vmks = [
            {
                "device": vmk.device,
                "portgroup": vmk.portgroup,
                "distributed": vmk.distributed or None,
                "cidr": vmk.cidr,
                "services": sorted(vmk.services),
                "netstack": vmk.netstack,
            }
            for vmk in state.vmks
        ]
        hosts.append({"name": name, "version": state.version, "nics": nics, "vmks": vmks})
    cables = [{"a": c.a, "b": c.b, "source": c.source, "verified": c.verified} for c in found.pairing.cables]
    excluded = [{"ref": e.ref, "reason": e.reason} for e in found.pairing.excluded]
    return {"hosts": hosts, "cables": cables, "excluded": excluded}


def validation_json(result: results.ValidationResult | None) -> dict[str, Any] | None:
    if result is None:
        return None
    links = [{"a": c.a, "b": c.b, "ok": c.ok, "detail": c.detail} for c in result.links]
    return {"ok": result.ok, "links": links, "message": result.message}


def apply_json(result: results.ApplyResult, findings: Sequence[Finding]) -> dict[str, Any]:
    return {
        "outcome": result.outcome,
        "ok": result.ok,
        "message": result.message,
        "links": [link_json(link) for link in result.links],
        "steps": [step_json(step) for step in result.steps],
        "journal": result.journal_id,
        "differences": list(result.differences),
        "reasons": list(result.reasons),
        "findings": [finding_json(f) for f in findings],
        "validation": validation_json(result.validation),
    }


def status_json(summaries: Sequence[results.JournalSummary]) -> dict[str, Any]:
    return {
        "journals": [
            {
                "id": s.id,
                "hosts": list(s.hosts),
                "status": s.status,
                "closed": s.closed,
                "created": s.created,
                "updated": s.updated,
                "steps_done": s.steps_done,
                "in_effect": s.in_effect,
                "links": [link_json(link) for link in s.links],
                "problem": s.problem or None,
                "kind": s.kind,
                "in_flight": s.in_flight,
                "note": s.note or None,
            }
            for s in summaries
        ]
    }
