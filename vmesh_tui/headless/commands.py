"""The headless commands: each drives the engine, prints progress or JSON, and returns an exit code."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from vmesh_tui.core.errors import CoreError
from vmesh_tui.headless.connect import EXIT_FOR_CODE, UsageError, connect
from vmesh_tui.headless.render import Output

DONE, FAILED, BAD_INPUT, VALIDATION_FAILED, REFUSED = 0, 1, 2, 3, 4


async def drain(events: AsyncIterator[Any], out: Output) -> Any:
    """Print the progress events and return the result of the final "done" event."""
    result = None
    async for event in events:
        if event.kind == "done":
            result = event.result
        else:
            out.event(event)
    return result


def confirm(args: argparse.Namespace, question: str) -> None:
    """Ask on a terminal unless --yes; scripts must say --yes."""
    if getattr(args, "yes", False):
        return
    if not sys.stdin.isatty():
        raise UsageError(f"{args.command} changes the hosts: add --yes to confirm when running from a script")
    answer = input(f"{question} [y/N] ").strip().lower()
    if answer not in ("y", "yes"):
        raise UsageError("cancelled: nothing was changed")


async def with_engine(args: argparse.Namespace, body: Callable[[Any], Awaitable[int]]) -> int:
    from vmesh_tui.engine.session import Engine

    client = await asyncio.to_thread(connect, args)
    try:
        return await body(Engine(client))
    finally:
        await asyncio.to_thread(client.close)


def run(args: argparse.Namespace) -> int:
    """Run one headless command; errors become a sentence on stderr and an exit code, never a traceback."""
    from vmesh_tui.headless import operations

    handler = operations.HANDLERS[args.command]
    out = Output(bool(getattr(args, "json", False)))
    try:
        return asyncio.run(handler(args, out))
    except UsageError as exc:
        return _fail(args, str(exc), BAD_INPUT)
    except CoreError as exc:
        return _fail(args, str(exc), BAD_INPUT)
    except Exception as exc:
        code = getattr(exc, "code", None)
        if code is not None and hasattr(exc, "remedy"):  # the adapter's VSphereError family
            return _fail(args, str(exc), EXIT_FOR_CODE.get(str(code), FAILED))
        if os.environ.get("VMESH_DEBUG"):
            raise
        return _fail(args, f"unexpected {type(exc).__name__}: {exc} (set VMESH_DEBUG=1 for details)", FAILED)


def _fail(args: argparse.Namespace, message: str, code: int) -> int:
    """The sentence on stderr; with --json also one JSON document on stdout, so a script always gets one."""
    print(f"vmesh-tui {args.command}: {message}", file=sys.stderr)
    if getattr(args, "json", False):
        Output(True).document({"ok": False, "error": message, "exit": code})
    return code
