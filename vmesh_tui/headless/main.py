"""The headless front door: one command run, its errors as a sentence and an exit code, never a traceback."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from vmesh_tui.core.errors import CoreError
from vmesh_tui.headless import operations
from vmesh_tui.headless.commands import BAD_INPUT, INCOMPLETE, NOT_CONNECTED, REFUSED, Declined
from vmesh_tui.headless.connect import EXIT_FOR_CODE, UsageError
from vmesh_tui.headless.render import Output


def run(args: argparse.Namespace) -> int:
    """Run one headless command; errors become a sentence on stderr and an exit code, never a traceback."""
    handler = operations.HANDLERS[args.command]
    out = Output(bool(getattr(args, "json", False)))
    try:
        return asyncio.run(handler(args, out))
    except Declined as exc:
        return _fail(args, str(exc), REFUSED)
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


def _fail(args: argparse.Namespace, message: str, code: int) -> int:
    """The sentence on stderr; with --json also one JSON document on stdout, so a script always gets one."""
    print(f"vmesh-tui {args.command}: {message}", file=sys.stderr)
    if getattr(args, "json", False):
        Output(True).document({"ok": False, "error": message, "exit": code})
    return code
