"""The wizard's flow: a worker that pushes one step after another over a frozen draft and waits for each.

Each step dismisses with the next draft, ``Back`` (one step back, keeping its edits) or ``Rewind`` (read the
hosts again, then Cabling). The end of the wizard is the status screen, whose ``Rewind`` starts the flow
again at Discover. Screens never import this module: they see the app through ``screens.base.WizardApp``.
"""

from __future__ import annotations

from typing import Any

from textual import work
from textual.app import App
from textual.screen import Screen

from vmesh_tui.tui.backend import EngineLike
from vmesh_tui.tui.draft import Back, Draft, Rewind


class WizardFlow(App[int]):
    """The wizard's steps, status and recovery, on top of Textual's App (VmeshApp adds keys and quitting)."""

    draft: Draft
    engine: EngineLike | None
    read_only: bool
    busy: bool
    wizard_screen: Screen[Any] | None = None  # the wizard step being shown (under any dialog)

    @work(exclusive=True, group="wizard")
    async def run_wizard(self, start: str = "ConnectScreen") -> None:
        """Walk the steps from ``start``: each screen dismisses with the next draft, BACK, or Rewind."""
        from vmesh_tui.tui.screens.connect import ConnectScreen

        steps: list[type] = [ConnectScreen]
        if start == "ConnectScreen":  # only the first step is imported before it is drawn
            self.call_after_refresh(self.wizard_steps)
        else:
            steps = self.wizard_steps()
        index = [step.__name__ for step in steps].index(start)
        while index < len(steps):
            screen = steps[index](self.draft)
            self.wizard_screen = screen
            outcome = await self.push_screen_wait(screen)
            if isinstance(outcome, Rewind):  # read the hosts again: Discover, then Cabling
                steps = self.wizard_steps()
                self.draft = self.draft.rewound()
                index = [step.__name__ for step in steps].index("DiscoverScreen")
                continue
            if isinstance(outcome, Back):
                if outcome.draft is not None:  # the screen's edits survive the step back
                    self.draft = outcome.draft
                if self.draft.applied and index > 0 and steps[index - 1].__name__ == "ApplyScreen":
                    self.notify("The changes are applied. Revert them from Status (ctrl+p, status).")
                    continue
                index = max(0, index - 1)
                continue
            self.draft = outcome
            index += 1
            if len(steps) == 1:
                steps = self.wizard_steps()
        self.wizard_screen = None
        self.open_status(final=True)

    def wizard_steps(self) -> list[type]:
        """The wizard's screen classes in order (importing them all)."""
        from vmesh_tui.tui.screens import wizard_steps

        return wizard_steps(self.read_only)

    def open_status(self, final: bool = False) -> None:
        """Status on top of the current screen; at the end of the wizard, leaving it ends the app (or, with
        Rewind, reads the hosts again and goes back to Cabling)."""
        from vmesh_tui.tui.screens.status import StatusScreen

        self.push_screen(StatusScreen(self.draft, final=final), self._final_status_closed if final else None)

    def _final_status_closed(self, outcome: object) -> None:
        if isinstance(outcome, Rewind):
            self.draft = self.draft.rewound()
            self.run_wizard("DiscoverScreen")
        else:
            self.exit(0)

    def rewind_wizard(self) -> None:
        """Back into the wizard from anywhere: close what lies above the current step, read the hosts again
        and show the cables (for a recabling, or after a revert or a failed validation)."""
        if self.busy:
            self.notify("Hosts are being changed: wait for the end first.", severity="warning")
            return
        if self.engine is None:
            self.notify("Connect to the hosts first.", severity="warning")
            return
        target = self.wizard_screen
        if target is None or target not in self.screen_stack:
            return
        if self.screen is target:
            target.dismiss(Rewind())
            return
        target.pop_until_active()  # deferred: the step is dismissed once what lies above it is gone
        self.call_later(target.dismiss, Rewind())

    def open_recovery(self) -> None:
        from vmesh_tui.tui.screens.recovery import RecoveryScreen

        if self.engine is None:
            self.notify("Connect to the hosts first (fill in Connect, then ctrl+r).", severity="warning")
            return
        self.push_screen(RecoveryScreen(self.draft))
