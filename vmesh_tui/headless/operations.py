"""One handler per headless command: (args, output) -> exit code."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Coroutine
from typing import Any

from vmesh_tui.headless import probing, render
from vmesh_tui.headless.commands import (
    BAD_INPUT,
    DONE,
    FAILED,
    INCOMPLETE,
    REFUSED,
    VALIDATION_FAILED,
    confirm,
    drain,
    with_engine,
)
from vmesh_tui.headless.connect import UsageError
from vmesh_tui.headless.render import Output
from vmesh_tui.headless.requests import needs_two_hosts, plan_request

Handler = Callable[[argparse.Namespace, Output], Coroutine[Any, Any, int]]
# journals live on the machine that applied: from another one, apply with the same options records them
NO_OPEN_RUN = "no run applied from this machine is in effect on these hosts"  # none, or reverted
APPLY_FIRST = (
    "(apply first; where the tool already configured them, apply with the same options changes nothing)"
)


async def discover(args: argparse.Namespace, out: Output) -> int:
    async def body(engine: Any) -> int:
        probed = None
        if args.probe:
            from vmesh_tui.engine.results import DiscoverResult

            probed = await probing.probe(engine, args)
            failure = probing.probe_failure(probed)
            if failure is not None:
                return probing.probe_failed(args, out, probed, failure)
            found = DiscoverResult(probed.hosts, probed.report.pairing)
        else:
            found = await drain(engine.discover(), out)
        data = render.discover_json(found)
        if probed is not None:
            data["probe"] = probing.probe_json(probed)
        out.document(data)
        for host in data["hosts"]:
            out.line(f"{host['name']} ({host['version']})")
            for nic in host["nics"]:
                link = f"{nic['link_mb']} Mb/s" if nic["link_mb"] else "no link"
                out.line(f"  {nic['device']:<8} {link:<12} {nic['used_by'] or 'free'}")
            for vmk in host["vmks"]:  # the networks a supernet must stay clear of
                services = f" ({', '.join(vmk['services'])})" if vmk["services"] else ""
                out.line(f"  {vmk['device']:<8} {vmk['cidr'] or 'no IP':<18} on {vmk['portgroup']}{services}")
        for cable in data["cables"]:
            sure = "verified" if cable["verified"] else "unverified"
            out.line(f"cable {cable['a']} <-> {cable['b']} ({cable['source']}, {sure})")
        probing.print_probe(out, data.get("probe"))
        return DONE

    return await with_engine(args, body)


async def plan(args: argparse.Namespace, out: Output) -> int:
    request = plan_request(args)

    async def body(engine: Any) -> int:
        probed, probed_request = await probing.probed_request(engine, args, out, request)
        if isinstance(probed, int):
            return probed
        if args.esxcli:
            return await _plan_esxcli(engine, args, probed_request)
        planned = await drain(engine.plan(probed_request), out)
        needs_two_hosts(args, planned.observed)
        data: dict[str, Any] = {
            "links": [render.link_json(link) for link in planned.links],
            "steps": [render.step_json(step) for step in planned.plan.steps],
            "findings": [render.finding_json(f) for f in planned.findings],
        }
        if probed is not None:
            data["probe"] = probing.probe_json(probed)
        out.document(data)
        _print_plan(out, data)
        probing.print_probe(out, data.get("probe"))
        return REFUSED if planned.errors else DONE

    return await with_engine(args, body)


async def _plan_esxcli(engine: Any, args: argparse.Namespace, request: Any) -> int:
    """Only the commands on stdout (a script to review or paste); progress and findings go to stderr."""
    from vmesh_tui.core.esxcli import render_esxcli

    progress = Output(False, sys.stderr)
    planned = await drain(engine.plan(request), progress)
    needs_two_hosts(args, planned.observed)
    script = Output(False)
    for commands in render_esxcli(planned.plan, planned.observed).values():
        for line in commands:  # each host's block starts with its own "# HOST: N steps" line
            script.line(line)
    for finding in planned.findings:
        progress.line(
            f"{finding.severity}: {finding.message}" + (f" ({finding.remedy})" if finding.remedy else "")
        )
    if planned.errors:
        progress.line(refusal_line(len(planned.errors)))
    return REFUSED if planned.errors else DONE


def _print_plan(out: Output, data: dict[str, Any]) -> None:
    for link in data["links"]:
        out.line(
            f"link {link['index']}: {link['a']} {link['a_ip']} <-> {link['b']} {link['b_ip']}"
            f" ({link['subnet']})"
        )
    for step in data["steps"]:
        out.line(f"  [{step['host']}] {step['description']}")
    if not data["steps"]:
        out.line("nothing to do: the hosts already match")
    for finding in data["findings"]:
        out.line(
            f"{finding['severity']}: {finding['message']}"
            + (f" ({finding['remedy']})" if finding["remedy"] else "")
        )
    errors = sum(f["severity"] == "error" for f in data["findings"])
    if errors:
        out.line(refusal_line(errors))


def refusal_line(errors: int) -> str:
    """A blocked plan's verdict, printed last, where the reader of a long plan looks."""
    return f"refused: {errors} error(s) above; apply changes nothing until they are fixed"


async def apply(args: argparse.Namespace, out: Output) -> int:
    request = plan_request(args)

    async def body(engine: Any) -> int:
        from vmesh_tui.engine import results

        if args.probe:
            confirm(args, f"Probe the cables ({probing.probe_note(args)}), then apply?")
        probed, probed_request = await probing.probed_request(engine, args, out, request)
        if isinstance(probed, int):
            return probed
        probing.print_probe(out, probing.probe_json(probed) if probed is not None else None)
        planned = await drain(engine.plan(probed_request), out)
        needs_two_hosts(args, planned.observed)
        if not planned.plan.is_empty and not planned.errors:
            confirm(args, f"Apply {len(planned.plan.steps)} steps to {', '.join(sorted(planned.observed))}?")
        result = await drain(engine.apply(planned, args.confirm_timeout), out)
        document = render.apply_json(result, planned.findings)
        if probed is not None:
            document["probe"] = probing.probe_json(probed)
        out.document(document)
        out.line(result.message)
        for reason in (*result.reasons, *result.differences):
            out.line(f"  {reason}")
        codes = {
            results.APPLIED: DONE,
            results.NOTHING_TO_DO: DONE,
            results.ROLLED_BACK: FAILED,
            results.ROLLBACK_INCOMPLETE: INCOMPLETE,
            results.REFUSED: REFUSED,
            results.UNCONFIRMED: VALIDATION_FAILED,
            results.REVERT_FAILED: INCOMPLETE,
        }
        return codes[result.outcome]

    return await with_engine(args, body)


async def validate(args: argparse.Namespace, out: Output) -> int:
    async def body(engine: Any) -> int:
        if engine.journal() is None:
            raise UsageError(f"nothing to validate: {NO_OPEN_RUN} {APPLY_FIRST}")
        result = await drain(engine.validate(), out)
        out.document(render.validation_json(result) or {})
        out.line(result.message)
        return DONE if result.ok else VALIDATION_FAILED

    return await with_engine(args, body)


async def revert(args: argparse.Namespace, out: Output) -> int:
    async def body(engine: Any) -> int:
        journal = engine.revert_target()
        if journal is not None:
            what = "the interrupted probe's journal" if journal.kind == "probe" else "journal"
            confirm(args, f"Revert {what} {journal.id} on {', '.join(journal.hosts)}?")
        result = await drain(engine.revert(), out)
        out.document(
            {
                "ok": result.ok,
                "message": result.message,
                "journal": result.journal_id,
                "differences": list(result.differences),
                "problems": list(result.problems),
                "closed": list(result.closed),
            }
        )
        out.line(result.message)
        for line in (*result.problems, *result.differences):
            out.line(f"  {line}")
        return REFUSED if result.refused else DONE if result.ok else INCOMPLETE

    return await with_engine(args, body)


async def recover(args: argparse.Namespace, out: Output) -> int:
    async def body(engine: Any) -> int:
        if engine.journal() is None:
            raise UsageError(f"nothing to recover: {NO_OPEN_RUN} {APPLY_FIRST}")
        confirm(args, "Toggle the failover order of the tool's portgroups where needed?")
        result = await drain(engine.recover(), out)
        out.document(
            {
                "ok": result.ok,
                "message": result.message,
                "rebooted": list(result.rebooted),
                "toggled": list(result.toggled),
                "before": render.validation_json(result.before),
                "after": render.validation_json(result.after),
            }
        )
        out.line(result.message)
        return REFUSED if result.refused else DONE if result.ok else VALIDATION_FAILED

    return await with_engine(args, body)


async def status(args: argparse.Namespace, out: Output) -> int:
    from vmesh_tui.engine import paths
    from vmesh_tui.engine.journal import JournalError
    from vmesh_tui.engine.session import journal_summaries

    try:
        summaries = journal_summaries(paths.state_dir())
    except JournalError as exc:
        raise UsageError(f"{exc}; fix that, then run status again") from None
    out.document(render.status_json(summaries))
    if not summaries:
        out.line("no journals: nothing was applied from this machine")
    for s in summaries:
        if s.problem:
            out.line(f"{s.id}  {s.status:<19} {s.problem}")
            continue
        what = "probe" if s.kind == "probe" else f"{len(s.links)} links"
        unknown = f", {s.in_flight} sent without an answer (may have happened)" if s.in_flight else ""
        hosts = ", ".join(s.hosts)
        out.line(f"{s.id}  {s.status:<19} {hosts}  {s.in_effect} changes in effect{unknown}, {what}")
        if s.note:
            out.line(f"  {s.note}")
    return DONE


HANDLERS: dict[str, Handler] = {
    "discover": discover,
    "plan": plan,
    "apply": apply,
    "validate": validate,
    "revert": revert,
    "recover": recover,
    "status": status,
}
_ = (BAD_INPUT, FAILED)
