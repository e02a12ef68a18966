"""Per-host progress lines drawn as text, so they read the same in ASCII and without colour."""

from __future__ import annotations

from dataclasses import dataclass

from textual.widgets import Static

from vmesh_tui.tui.glyphs import Glyphs, bar


@dataclass
class HostLine:
    done: int = 0
    total: int = 0
    note: str = ""
    failed: bool = False


class HostProgress(Static):
    """One line per host: name, a bar, done/total and the current step or outcome."""

    def __init__(self, hosts: list[str], glyphs: Glyphs, **kwargs: object) -> None:
        super().__init__("", markup=False, **kwargs)  # type: ignore[arg-type]
        self.glyphs = glyphs
        self.lines: dict[str, HostLine] = {host: HostLine(note="waiting") for host in hosts}

    def on_mount(self) -> None:
        self.redraw()

    def update_host(
        self,
        host: str,
        *,
        done: int | None = None,
        total: int | None = None,
        note: str | None = None,
        failed: bool | None = None,
    ) -> None:
        line = self.lines.setdefault(host, HostLine())
        if done is not None:
            line.done = done
        if total is not None:
            line.total = total
        if note is not None:
            line.note = note
        if failed is not None:
            line.failed = failed
        self.redraw()

    def redraw(self) -> None:
        name_width = min(22, max((len(h) for h in self.lines), default=6))
        rows = []
        for host, line in self.lines.items():
            mark = self.glyphs.fail if line.failed else ""
            count = f"{line.done}/{line.total}" if line.total else "-"
            rows.append(
                f"{host[:name_width]:<{name_width}} {bar(line.done, line.total, 16, self.glyphs)} "
                f"{count:>5} {mark} {line.note}".rstrip()[:78]
            )
        self.update("\n".join(rows))
