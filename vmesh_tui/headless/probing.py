"""``--probe`` for discover, plan and apply: run the cable probe first, progress on stderr, ctrl+c cancels.

The first ctrl+c stops the wait and removes the temporary vSwitches (the probe always cleans up); a second
one abandons the run at once, and the probe's open journal is then cleaned up by `revert` or the next probe.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import signal
import sys
import threading
from typing import Any

from vmesh_tui.headless.connect import UsageError
from vmesh_tui.headless.render import Output

DEFAULT_TIMEOUT_S = 90.0
PROGRESS_EVERY_S = 10.0  # while nothing new is heard, a progress line at most this often


def add_probe_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--probe",
        action="store_true",
        help="find the cables with CDP first: each host's free NICs with link go on a temporary vSwitch "
        "PREFIX-probe (CDP both, no portgroups or vmks) until each hears its far end or the timeout ends; "
        "then it is removed and the hosts are as before",
    )
    parser.add_argument(
        "--probe-timeout",
        type=_seconds,
        default=DEFAULT_TIMEOUT_S,
        metavar="SECONDS",
        help=f"how long the probe listens at most (default {DEFAULT_TIMEOUT_S:.0f} s; ESXi advertises every"
        " 60 s)",
    )


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 1 <= value <= 3600:
        raise argparse.ArgumentTypeError(f"{text} s is out of range: give 1 to 3600 seconds")
    return value


def probe_note(args: argparse.Namespace) -> str:
    """What the probe does to the hosts and their neighbours (a switch team may want to know)."""
    switch = f"{getattr(args, 'name_prefix', 'vmesh')}-probe"
    return (
        f"each host's free NICs with link go on a temporary vSwitch {switch} with CDP both for up to"
        f" {args.probe_timeout:.0f} s; meanwhile a NIC cabled to a physical switch advertises CDP (host name,"
        " vmnic) to that switch"
    )


def check_probe_arguments(args: argparse.Namespace) -> None:
    if getattr(args, "probe", False) and getattr(args, "link", []):
        raise UsageError("give --probe (find the cables) or --link (use exactly these cables), not both")


async def probe(engine: Any, args: argparse.Namespace) -> Any:
    """Run the probe with progress on stderr; returns the ProbeResult."""
    from vmesh_tui.engine.probe import ProbeOptions

    options = ProbeOptions(timeout_s=args.probe_timeout, name_prefix=getattr(args, "name_prefix", "vmesh"))
    progress = Output(False, sys.stderr)
    progress.line(f"probe: {probe_note(args)}; ctrl+c stops it and removes the temporary vSwitches")
    cancel = threading.Event()
    loop = asyncio.get_running_loop()

    def on_interrupt() -> None:
        cancel.set()
        loop.remove_signal_handler(signal.SIGINT)  # a second ctrl+c interrupts as usual
        progress.line("probe: stopping - removing the temporary vSwitches (ctrl+c again to abandon)")

    handled = _catch_interrupt(loop, on_interrupt)
    result = None
    last_found, last_line = -1, -PROGRESS_EVERY_S
    try:
        async for event in engine.probe(options, cancel):
            if event.kind == "done":
                result = event.result
            elif event.kind == "probe_wait":
                elapsed = float(event.data.get("elapsed_s", 0.0))
                if event.index != last_found or elapsed - last_line >= PROGRESS_EVERY_S:
                    progress.line(f"probe: {event.message}")
                    last_found, last_line = event.index, elapsed
            else:
                progress.event(event)
    finally:
        if handled:
            loop.remove_signal_handler(signal.SIGINT)
    return result


def _catch_interrupt(loop: asyncio.AbstractEventLoop, handler: Any) -> bool:
    try:
        loop.add_signal_handler(signal.SIGINT, handler)
    except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, or no signals here
        return False
    return True


def probe_json(result: Any) -> dict[str, Any]:
    """The probe's part of a JSON document: what each NIC turned out to be, and whether hosts are back."""
    report = result.report
    return {
        "ok": result.ok,
        "message": result.message,
        "waited_s": round(result.waited_s, 1),
        "timeout_s": result.timeout_s,
        "cancelled": result.cancelled,
        "journal": result.journal_id,
        "differences": list(result.differences),
        "problems": list(result.problems),
        "nics": [
            {"ref": f.ref, "finding": f.code, "peer": f.peer or None, "detail": f.message}
            for f in (report.nics if report is not None else ())
        ],
    }


def probe_failure(result: Any) -> tuple[int, str] | None:
    """(exit code, sentence) when the probe's outcome must stop the command, else None."""
    from vmesh_tui.headless.commands import FAILED, INCOMPLETE, REFUSED, STOPPED

    if result is None:
        return (
            INCOMPLETE,
            "the probe ended without a result; `vmesh-tui status` shows whether it left anything",
        )
    if result.refused:
        return REFUSED, f"the probe was refused: {result.message}"
    if result.differences or result.problems:  # exit 1 promises the hosts are as they were: 6 says not
        return INCOMPLETE, f"the probe did not leave the hosts as they were: {result.message}"
    if result.cancelled:  # only ctrl+c cancels it here: 130, as for ctrl+c anywhere (its vSwitches are gone)
        return STOPPED, f"the probe was stopped by ctrl+c: {result.message}"
    if not result.ok:
        return FAILED, result.message
    return None


def print_probe(out: Output, probe: dict[str, Any] | None) -> None:
    if probe is None:
        return
    for nic in probe["nics"]:
        if nic["finding"] != "cable":
            out.line(f"  {nic['ref']}: {nic['detail']}")
    out.line(f"probe: {probe['message']}")


def probe_failed(args: argparse.Namespace, out: Output, result: Any, failure: tuple[int, str]) -> int:
    """The sentence on stderr; with --json one document with the error and the probe's account."""
    code, message = failure
    print(f"vmesh-tui {args.command}: {message}", file=sys.stderr)
    document: dict[str, Any] = {"ok": False, "error": message, "exit": code}
    if result is not None:
        document["probe"] = probe_json(result)
    out.document(document)
    return code


async def probed_request(engine: Any, args: argparse.Namespace, out: Output, request: Any) -> Any:
    """With --probe: the probe's result and the request using its cables; else (None, request)."""
    if not args.probe:
        return None, request
    probed = await probe(engine, args)
    failure = probe_failure(probed)
    if failure is not None:
        return probe_failed(args, out, probed, failure), request
    return probed, dataclasses.replace(request, pairing=probed.report.pairing)
