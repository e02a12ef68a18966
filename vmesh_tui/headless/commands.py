"""What every headless command shares: exit codes, the confirmation, draining an engine stream, the engine.

``main.run`` dispatches to the handlers in ``operations``, which build on this module (never the reverse).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from vmesh_tui.headless.connect import UsageError, ask, connect, read_password, targets_from
from vmesh_tui.headless.render import Output

# the exit codes (README, DESIGN): 1 only when every host was read again and is back where it started
DONE, FAILED, BAD_INPUT, VALIDATION_FAILED, REFUSED = 0, 1, 2, 3, 4
NOT_CONNECTED = 5  # the hosts could not be reached or read: nothing was changed
INCOMPLETE = 6  # failed, and changes remain on a host (rollback or revert incomplete): run revert
STOPPED = 130  # ctrl+c


class Declined(Exception):
    """The admin answered no at the confirmation: nothing was changed (exit 4, refused)."""


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
    answer = ask(f"{question} [y/N] ")
    if answer is None or answer.strip().lower() not in ("y", "yes"):
        raise Declined("not confirmed, so nothing was changed")


async def with_engine(args: argparse.Namespace, body: Callable[[Any], Awaitable[int]]) -> int:
    from vmesh_tui.engine.session import Engine

    password = read_password(targets_from(args))  # here, on the main thread: a prompt must see ctrl+c
    try:
        client = await asyncio.to_thread(connect, args, password)
    except asyncio.CancelledError:  # ctrl+c or --deadline while connecting: end its calls now, not at
        from vmesh_tui.vsphere.guard import abort_every_call  # their own deadline

        abort_every_call()
        raise
    try:
        return await body(Engine(client))
    finally:
        await asyncio.to_thread(client.close)
