"""Confirming steps with a fresh read: a host may answer a change with success and not make it.

Only a read of the host after the change shows what it holds. apply reads every host once after its steps
(one RetrievePropertiesEx per connection, no neighbours); recover reads the host after each change of a
failover order to standby (the change back would hide a change that never happened).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence

from vmesh_tui.core.model import HostState
from vmesh_tui.core.steps import Step
from vmesh_tui.engine.hostsapi import error_text
from vmesh_tui.engine.objects import describe_step, key_of, step_took_effect


def last_per_object(steps: Sequence[Step]) -> list[Step]:
    """The last step of each object (what the host must show at the end), in their original order."""
    last = {(step.host, key_of(step)): step for step in steps}
    return [step for step in steps if last[(step.host, key_of(step))] is step]


def unconfirmed(states: Mapping[str, HostState], steps: Sequence[Step]) -> list[tuple[str, str]]:
    """(host, sentence) for each step whose result the fresh ``states`` do not show (empty when all do)."""
    found: list[tuple[str, str]] = []
    for step in last_per_object(steps):
        state = states.get(step.host)
        if state is None:
            found.append(
                (step.host, f"{step.host} was not in the read after the steps: nothing of it is confirmed")
            )
        elif not step_took_effect(state, step):
            found.append((step.host, f"{step.host}: {not_shown_sentence(step)}"))
    return found


def not_shown_sentence(step: Step) -> str:
    """What to say of a step its host answered as done and a read just after does not show."""
    return f"{describe_step(step)} was answered as done, but the host does not show it (read just after)"


async def confirm_steps(
    read: Callable[[], Awaitable[Mapping[str, HostState]]], steps: Sequence[Step]
) -> tuple[str | None, str | None]:
    """Read the hosts once after the steps: (failure, host) when one does not show a step, else (None, None).
    A host that cannot be read confirms nothing, which is a failure too."""
    try:
        states = await read()
    except Exception as exc:
        return f"the hosts cannot be read to confirm the steps: {error_text(exc)}", None
    problems = unconfirmed(states, steps)
    if not problems:
        return None, None
    return "; ".join(sentence for _, sentence in problems), problems[0][0]
