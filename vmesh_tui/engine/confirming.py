"""Commit-confirmed apply: validate until every link passes or the time is up; else revert by itself."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator

from vmesh_tui.engine import results
from vmesh_tui.engine.events import Event, done, warning
from vmesh_tui.engine.hostio import HostIO
from vmesh_tui.engine.hostsapi import error_text
from vmesh_tui.engine.planning import PlanResult
from vmesh_tui.engine.reverting import revert_locked


async def confirm_or_revert(
    io: HostIO, applied: results.ApplyResult, planned: PlanResult, timeout: float
) -> AsyncIterator[Event]:
    """Validate until it passes or ``timeout`` seconds pass; else revert (the caller holds the lock)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        check: results.ValidationResult | None = None
        async for event in io.validate(planned.links, planned.options):
            if event.kind == "done":
                check = event.result
            else:
                yield event
        assert check is not None
        if check.ok or loop.time() >= deadline:
            break
        await asyncio.sleep(min(2.0, max(0.0, deadline - loop.time())))
    if check.ok:
        yield done(dataclasses.replace(applied, validation=check))
        return
    yield warning("validation did not pass in time: reverting by itself (commit-confirmed)")
    journal = io.journal()
    reverted: results.RevertResult | None = None
    if journal is not None:
        try:
            async for event in revert_locked(io, journal):
                if event.kind == "done":
                    reverted = event.result
                else:
                    yield event
        except Exception as exc:
            reverted = results.RevertResult(False, "the revert stopped", problems=(error_text(exc),))
    if reverted is not None and reverted.ok:
        message = "applied, but validation failed, so the change was reverted"
        yield done(
            results.ApplyResult(
                results.UNCONFIRMED, message, planned.links, (), applied.journal_id, validation=check
            )
        )
        return
    why = reverted.message if reverted is not None else "no open journal for these hosts"
    message = f"applied, but validation failed, and the automatic revert did not complete ({why}); run revert"
    remaining = (*reverted.problems, *reverted.differences) if reverted is not None else ()
    yield done(
        results.ApplyResult(
            results.REVERT_FAILED,
            message,
            planned.links,
            (),
            applied.journal_id,
            remaining,
            validation=check,
        )
    )
