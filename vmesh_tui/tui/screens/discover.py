"""Step 2: read every host (one property read each) and propose the cables."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from vmesh_tui.core.model import HostState
from vmesh_tui.tui.operation import OperationDone, OperationEvent, OperationFailed
from vmesh_tui.tui.screens.addressing import in_use_line
from vmesh_tui.tui.screens.base import VmeshScreen
from vmesh_tui.tui.widgets.progress import HostProgress


def hosts_of(result: Any) -> tuple[HostState, ...]:
    """The HostStates in a discover result: a mapping by name, a sequence, or an object with ``.hosts``."""
    if not isinstance(result, Mapping) and hasattr(result, "hosts"):
        result = result.hosts
    values = result.values() if isinstance(result, Mapping) else (result or ())
    return tuple(sorted((h for h in values if isinstance(h, HostState)), key=lambda h: h.name))


def summary(host: HostState) -> str:
    up = sum(1 for p in host.pnics if p.link_up)
    return f"{len(host.pnics)} NICs ({up} up), {len(host.vswitches)} vSwitches, {len(host.vmks)} vmks"


class DiscoverScreen(VmeshScreen):
    STEP = "Discover"
    HELP_KEYS = [
        ("r", "read the hosts again (proposes the cables afresh)"),
        ("enter", "continue to cabling (after a step back: the cables as you left them)"),
        ("esc", "back to Connect"),
    ]
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("r", "rediscover", "Re-read"),
        Binding("enter", "next", "Next"),
    ]

    def compose(self) -> ComposeResult:
        yield from self.compose_title()
        with Vertical(id="body"):
            yield Static(
                f"Reading {self.draft.connect.describe()} ...", id="reading", classes="hint", markup=False
            )
            names = [h.rsplit("@", 1)[-1].split("/")[0] for h in self.draft.connect.hosts]
            yield HostProgress(names, self.vapp.glyphs, id="progress")
            yield Static("", id="networks", classes="hint", markup=False)  # the vmk networks, once read
            yield Static("", id="status", markup=False)
        yield self.footer()

    def on_mount(self) -> None:
        self.pairing = self.draft.pairing
        if self.draft.hosts:  # a step back from Cabling: wait here, keep the hosts and the edited cables
            self.hosts: tuple[HostState, ...] = self.draft.hosts
            self.query_one("#reading", Static).update(f"Read before: {self.draft.connect.describe()}")
            widget = self.query_one(HostProgress)
            widget.lines.clear()
            for host in self.hosts:
                widget.update_host(host.name, done=1, total=1, note=summary(host))
            self.query_one("#networks", Static).update(in_use_line(self.hosts))
            self.say("enter: back to the cables as you left them.  r: read again.  esc: Connect.")
            return
        self.action_rediscover()

    def action_rediscover(self) -> None:
        if self.vapp.engine is None:
            self.say("Not connected. Press esc and connect first.", error=True)
            return
        self.hosts = ()
        self.pairing = None  # read afresh: the cables are proposed again
        self.say("Reading host networking (one read per host) ...")
        self.start_operation("discover", self.vapp.engine.discover)

    @on(OperationEvent)
    def progress(self, message: OperationEvent) -> None:
        event = message.event
        widget = self.query_one(HostProgress)
        if event.kind == "host_read" and event.host:
            if event.host not in widget.lines and len(widget.lines) == len(self.draft.connect.hosts):
                widget.lines.clear()  # the engine names hosts as they call themselves; use those names
            widget.update_host(event.host, done=1, total=1, note=event.message or "read")
        elif event.kind in ("phase", "warning"):
            self.say(event.message)

    @on(OperationFailed)
    def failed(self, message: OperationFailed) -> None:
        problem = message.problem
        self.say(
            f"{problem.title}: {problem}  Press r to try again, esc to change the connection.", error=True
        )

    @on(OperationDone)
    def finished(self, message: OperationDone) -> None:
        self.hosts = hosts_of(message.result)
        if not self.hosts:
            self.say("The hosts answered but no host state came back. Press r to try again.", error=True)
            return
        widget = self.query_one(HostProgress)
        widget.lines.clear()
        for host in self.hosts:
            widget.update_host(host.name, done=1, total=1, note=summary(host))
        self.query_one("#networks", Static).update(in_use_line(self.hosts))
        self.say("Read. Proposing cables ...")
        self.action_next()

    def on_screen_resume(self) -> None:
        if getattr(self, "advance_on_resume", False):
            self.advance_on_resume = False
            self.action_next()

    def action_next(self) -> None:
        if not getattr(self, "hosts", ()):
            self.say("Still reading the hosts; wait for the read to finish.", error=True)
            return
        if self.app.screen is not self:  # help or a dialog is open: move on once it closes
            self.advance_on_resume = True
            return
        from vmesh_tui.core.pairing import propose_cables

        pairing = self.pairing or propose_cables(self.hosts)
        self.dismiss(self.draft.with_(hosts=self.hosts, pairing=pairing))
