"""A minimal in-memory stand-in for the adapter, ONLY for unit tests of journal and undo ordering.

It is not the product's behaviour model: real tests run the adapter against the ESXi twin over HTTPS.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Any

from vmesh_tui.core.model import HostState, Pnic, Portgroup, Vmk, VSwitch
from vmesh_tui.core.steps import Action, Step, object_key


class MemoryHosts:
    def __init__(self, states: dict[str, HostState]) -> None:
        self.states = dict(states)
        self.calls: list[Step] = []
        self.fail_at: dict[int, str] = {}  # call number (1-based) -> "fault" | "lost"
        self._lock = threading.Lock()

    def host_names(self) -> list[str]:
        return sorted(self.states)

    call_timeout = 1.0

    def read_all(self, hints: bool = True) -> dict[str, HostState]:
        return dict(self.states)

    def read_host(self, host: str) -> HostState:
        return self.states[host]

    def abort_calls(self) -> None:
        pass

    def run_step(self, step: Step) -> str | None:
        with self._lock:
            self.calls.append(step)
            mode = self.fail_at.get(len(self.calls))
            if mode == "fault":
                raise RuntimeError("HostConfigFault: the host refused the change")
            state, created = _apply(self.states[step.host], step)
            self.states[step.host] = state
        if mode == "lost":
            raise ConnectionError("the connection dropped")
        return created

    def ping(self, host: str, target_ip: str, **_: Any) -> Any:
        raise NotImplementedError

    def reboot(self, host: str) -> None:
        raise NotImplementedError

    def close(self) -> None:
        pass


def _apply(state: HostState, step: Step) -> tuple[HostState, str | None]:
    obj = step.obj
    field = {VSwitch: "vswitches", Portgroup: "portgroups", Vmk: "vmks", Pnic: "pnics"}[type(obj)]
    items = [o for o in getattr(state, field) if object_key(o) != object_key(obj)]
    created = None
    if step.action != Action.REMOVE:
        after = step.after
        if isinstance(after, Vmk) and not after.device:
            used = {int(v.device[3:]) for v in state.vmks}
            created = f"vmk{min(set(range(len(used) + 1)) - used)}"
            after = replace(after, device=created)
        assert after is not None
        items.append(after)
    return replace(state, **{field: tuple(items)}), created
