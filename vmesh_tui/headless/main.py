"""The headless front door: one command run, its errors as a sentence and an exit code, never a traceback."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections.abc import Awaitable
from datetime import datetime

from vmesh_tui.core.errors import CoreError
from vmesh_tui.headless import operations
from vmesh_tui.headless.commands import BAD_INPUT, INCOMPLETE, NOT_CONNECTED, REFUSED, STOPPED, Declined
from vmesh_tui.headless.connect import EXIT_FOR_CODE, Stopped, UsageError
from vmesh_tui.headless.render import Output


def run(args: argparse.Namespace) -> int:
    """Run one headless command; errors become a sentence on stderr and an exit code, never a traceback."""
    handler = operations.HANDLERS[args.command]
    out = Output(bool(getattr(args, "json", False)))
    started = time.time()
    try:
        return asyncio.run(_within(handler(args, out), getattr(args, "deadline", None)))
    except CommandDeadline:
        return _fail(args, *_deadline_account(args, started))
    except Declined as exc:
        return _fail(args, str(exc), REFUSED)
    except Stopped as exc:
        return _fail(args, str(exc), STOPPED)
    except UsageError as exc:
        return _fail(args, str(exc), BAD_INPUT)
    except CoreError as exc:
        return _fail(args, str(exc), BAD_INPUT)
    except Exception as exc:
        code = getattr(exc, "code", None)
        if code is not None and hasattr(exc, "remedy"):  # the adapter's VSphereError family, UnsafePath
            # raised by a read or a connect, never by a change: the engine catches those itself
            exit_code = EXIT_FOR_CODE.get(str(code), NOT_CONNECTED)
            nothing = "; nothing was changed" if exit_code == NOT_CONNECTED else ""
            return _fail(args, f"{exc}{nothing}", exit_code)
        if os.environ.get("VMESH_DEBUG"):
            raise
        return _fail(
            args,
            f"unexpected {type(exc).__name__}: {exc} (set VMESH_DEBUG=1 for details); "
            "`vmesh-tui status` shows whether a change was left open",
            INCOMPLETE,
        )


class CommandDeadline(Exception):
    """The whole command ran past --deadline and was stopped (as ctrl+c stops it)."""


async def _within(work: Awaitable[int], deadline: float | None) -> int:
    if deadline is None:
        return await work
    loop = asyncio.get_running_loop()
    began = loop.time()
    try:
        return await asyncio.wait_for(work, deadline)
    except asyncio.TimeoutError:  # not the builtin TimeoutError before Python 3.11
        if loop.time() - began < deadline:
            raise
        raise CommandDeadline() from None


def _deadline_account(args: argparse.Namespace, started: float) -> tuple[str, int]:
    """What a command stopped at its deadline left: a run it journaled since it began, or nothing."""
    from vmesh_tui.engine import paths
    from vmesh_tui.engine.session import journal_summaries

    stopped = f"the command did not finish within --deadline {args.deadline:.0f} s and was stopped"
    try:
        touched = [
            s
            for s in journal_summaries(paths.state_dir())
            if not s.closed and s.updated and datetime.fromisoformat(s.updated).timestamp() >= started
        ]
    except Exception:
        touched = []
    if not touched:
        return f"{stopped}; nothing was changed", NOT_CONNECTED
    return (
        f"{stopped}; journal {touched[0].id} records every step that ran or may have happened:"
        " `vmesh-tui status` shows it, `vmesh-tui revert` undoes it",
        INCOMPLETE,
    )


def _fail(args: argparse.Namespace, message: str, code: int) -> int:
    """The sentence on stderr; with --json also one JSON document on stdout, so a script always gets one."""
    print(f"vmesh-tui {args.command}: {message}", file=sys.stderr)
    if getattr(args, "json", False):
        Output(True).document({"ok": False, "error": message, "exit": code})
    return code
