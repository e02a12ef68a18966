"""Command palette entries (ctrl+p): jump to status or recovery, help, quit."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import CommandPalette, DiscoveryHit, Hit, Hits, Provider, SearchIcon


class VmeshCommands(Provider):
    """The vmesh actions that make sense from anywhere."""

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        app = self.app
        demo = [
            (
                "Demo: reboot a host",
                "maintenance mode, reboot, back: the lab's last host",
                partial(_call, app, "demo_reboot"),
            )
        ]
        read_only = bool(getattr(app, "read_only", False))  # read-only offers no revert and no recovery run
        status = "what was applied where and when" + ("" if read_only else "; revert from there")
        recovery = (
            "which hosts rebooted, which links fail" if read_only else "re-steer vMotion after a host reboot"
        )
        return [
            *(demo if getattr(app, "demo", False) and not read_only else []),
            ("Status", status, partial(_call, app, "open_status")),
            ("Recovery", recovery, partial(_call, app, "open_recovery")),
            ("Help", "keys of this screen and the wizard", partial(_call, app, "action_help")),
            ("Quit", "leave vmesh-tui", partial(_call, app, "action_quit_safely")),
        ]

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)


def _call(app: object, method: str) -> None:
    getattr(app, method)()


class AsciiPalette(CommandPalette):
    """The command palette drawn with ASCII only: no magnifier, no ellipsis (the styles drop its blocks)."""

    def __init__(self) -> None:
        super().__init__(placeholder="Search for commands...", id="--command-palette")

    def on_mount(self) -> None:
        self.query_one(SearchIcon).icon = ">"
