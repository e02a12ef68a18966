"""Step 5: what will be created or changed on each host, the esxcli equivalent, and the warnings."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from vmesh_tui.core.errors import Finding, Severity
from vmesh_tui.core.model import split_ref
from vmesh_tui.tui.backend import describe
from vmesh_tui.tui.draft import Draft
from vmesh_tui.tui.screens.base import VmeshScreen
from vmesh_tui.tui.widgets.confirm import ConfirmScreen
from vmesh_tui.tui.widgets.plansummary import summary_text
from vmesh_tui.tui.widgets.plantree import plan_text


def plan_request(draft: Draft) -> Any:
    """The engine's PlanRequest for the draft (the edited pairing wins over any proposal)."""
    from vmesh_tui.core.design import DesignOptions, NicSpeed
    from vmesh_tui.engine.planning import PlanRequest

    speeds: tuple[NicSpeed, ...] = ()
    if draft.speed_mb is not None:
        refs = sorted({ref for link in draft.links for ref in link.cable.ends})
        speeds = tuple(NicSpeed(ref, draft.speed_mb) for ref in refs)
    options = DesignOptions(mtu=draft.mtu, layout=draft.layout, netstack=draft.netstack, nic_speeds=speeds)  # type: ignore[arg-type]
    return PlanRequest(supernet=draft.supernet, prefix=draft.prefix, options=options, pairing=draft.pairing)


def short_subject(subject: str) -> str:
    """``esx-a.lab.local/vmnic1`` -> ``esx-a/vmnic1``: the host's short name, as the other screens show it."""
    host, sep, rest = subject.partition("/")
    return f"{host.split('.')[0]}{sep}{rest}" if host and "." in host and not host[0].isdigit() else subject


def finding_lines(findings: Iterable[Finding]) -> list[str]:
    """One line per finding code and severity: one finding reads as its message; several as the code's
    group sentence (``4 cables are assumed ...``) followed by their subjects, so repeats never crowd out
    the rest and nothing is left unnamed."""
    marks = {Severity.ERROR: "ERROR", Severity.WARNING: "warning"}
    groups: dict[tuple[str, str], list[Finding]] = {}
    for finding in findings:
        groups.setdefault((str(finding.severity), finding.code), []).append(finding)
    lines = []
    for members in groups.values():
        first = members[0]
        text = first.grouped(len(members))
        subjects = [short_subject(m.subject) for m in members if m.subject]
        if len(members) > 1 and subjects:
            text += f": {', '.join(subjects)}"
        remedy = f" - {first.remedy}" if first.remedy else ""
        lines.append(f"{marks.get(first.severity, str(first.severity))}: {text}{remedy}")
    return lines


def shell_wrap(command: str, width: int = 76) -> str:
    """A long command folded with `` \\`` continuations, so it still pastes into a shell as one command.

    A long comment folds into more comment lines, so no part of it pastes as a command.
    """
    if len(command) <= width:
        return command
    if command.startswith("#"):
        return "\n".join(textwrap.wrap(command, width, subsequent_indent="# ", break_long_words=False))
    parts = textwrap.wrap(
        command, width - 2, subsequent_indent="    ", break_long_words=False, break_on_hyphens=False
    )
    return " \\\n".join(parts)


def build(draft: Draft) -> Any:
    from vmesh_tui.engine.planning import build_plan

    return build_plan(draft.host_map(), plan_request(draft))


VIEWS = {
    "summary": "Summary, one line per link and host",
    "tree": "Tree: vSwitch > portgroup > vmk",
    "esxcli": "esxcli: the same changes as commands",
}


class PreviewScreen(VmeshScreen):
    STEP = "Preview"
    HELP_KEYS = [
        ("t / e", "tree (vSwitch > portgroup > vmk) / esxcli view; again: summary"),
        ("a", "apply (asks first; not in read-only mode)"),
        ("n", "read-only: validate, if the hosts match the plan"),
        ("arrows/pgdn", "scroll the view (home/end: top/bottom)"),
        ("tab", "between the warnings and the view (each scrolls)"),
        (
            "summary",
            "active + unused = the vSwitch's uplinks; change: new, as is, changed, re-created (old->new)",
        ),
    ]
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("t", "view('tree')", "Tree"),  # in the tree view, t is "Summary" instead (check_action)
        Binding("t", "summary('tree')", "Summary"),
        Binding("e", "view('esxcli')", "esxcli"),
        Binding("e", "summary('esxcli')", "Summary"),
        Binding("a", "apply", "Apply"),
        Binding("n", "validate", "Validate"),  # in the footer once the hosts match the plan (check_action)
        Binding("n", "next", "Next", show=False),  # else n says why it cannot validate
    ]

    def compose(self) -> ComposeResult:
        yield from self.compose_title()
        with Vertical(id="body"):
            with VerticalScroll(id="findings-scroll"):
                yield Static("", id="findings", markup=False)
            with VerticalScroll(id="preview-scroll"):
                yield Static("", id="preview-text", markup=False)
            yield Static("", id="status", markup=False)
        yield self.footer()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The footer offers a (apply) while there is something to apply, n (validate) once nothing is."""
        result = getattr(self, "result", None)
        nothing_left = result is not None and result.plan.is_empty and not result.errors
        if action == "apply":
            return not (self.vapp.read_only or nothing_left)
        if action in ("view", "summary"):  # t and e open their view, or lead from it back to the summary
            return (getattr(self, "view", "summary") == parameters[0]) == (action == "summary")
        return nothing_left if action == "validate" else True

    def action_validate(self) -> None:
        self.action_next()

    def on_mount(self) -> None:
        self.view = "summary"
        self.result: Any = None
        try:
            self.result = build(self.draft)
        except Exception as exc:  # CoreError above all; anything else is still said in words
            self.say(f"Cannot plan: {describe(exc)}  Press esc to change the addressing.", error=True)
            return
        self.render_findings()
        self.render_body()
        self.refresh_bindings()
        self.query_one("#preview-scroll").focus()

    def render_findings(self) -> None:
        lines = finding_lines(self.result.findings)
        self.query_one("#findings", Static).update("\n".join(lines))
        self.query_one("#findings-scroll").display = bool(lines)
        self.say_state()

    def say_state(self) -> None:
        steps = len(self.result.plan.steps)
        other = "t: tree, e: esxcli" if self.view == "summary" else f"{self.view[0]}: back to the summary"
        view = f"{VIEWS[self.view].split(':')[0].split(',')[0]} view ({other})."
        if self.result.errors:
            self.say(f"Apply is blocked by the errors above; esc to change the choices. {view}", error=True)
        elif self.result.plan.is_empty:
            self.say(f"Nothing to change: the hosts already match. n: validate, esc: back. {view}")
        elif self.vapp.read_only:
            self.say(f"Read-only: {steps} change(s) shown, none made. {view}")
        else:
            self.say(f"{steps} change(s). a: apply (asks first). {view}")

    def render_body(self) -> None:
        result = self.result
        by_host = {name: list(result.plan.for_host(name)) for name in result.desired}
        if self.view == "esxcli":
            from vmesh_tui.core.esxcli import render_esxcli

            commands = render_esxcli(result.plan, result.observed)
            text = "\n\n".join("\n".join(shell_wrap(line) for line in lines) for lines in commands.values())
        elif self.view == "tree":
            text = plan_text(result.desired, by_host, result.options.name_prefix, self.vapp.glyphs)
        else:
            text = summary_text(result.desired, by_host, result.links, result.options.name_prefix)
        self.query_one("#preview-text", Static).update(text or "(no changes)")
        self.query_one("#preview-scroll", VerticalScroll).scroll_home(animate=False)

    def action_view(self, view: str) -> None:
        if self.result is None:
            return
        self.view = "summary" if self.view == view else view
        self.render_body()
        self.say_state()
        self.refresh_bindings()

    def action_summary(self, view: str) -> None:
        self.action_view(view)  # the key of the view shown: back to the summary

    def action_next(self) -> None:
        if self.result is None:
            return
        if self.result.plan.is_empty and not self.result.errors:
            self.dismiss(self.draft.with_(plan=self.result, links=self.result.links))
        elif self.vapp.read_only:
            self.say(
                "Read-only: nothing was applied, so there is nothing to validate. esc: back, ctrl+q: quit.",
                error=True,
            )
        else:
            self.say("Press a to apply (asks first), or esc to go back.")

    @work(exclusive=True, group="confirm")
    async def action_apply(self) -> None:
        if self.result is None or self.result.errors:
            self.say("Nothing can be applied until the errors are fixed (esc to go back).", error=True)
            return
        if self.result.plan.is_empty:
            self.dismiss(self.draft.with_(plan=self.result, links=self.result.links))
            return
        hosts = sorted({split_ref(ref)[0] for link in self.result.links for ref in link.cable.ends})
        question = f"Apply {len(self.result.plan.steps)} change(s) to {', '.join(hosts)}?"
        detail = "Every step is journaled; a failure rolls back all hosts. vMotion traffic may pause briefly."
        if await self.app.push_screen_wait(ConfirmScreen(question, detail, yes_label="Apply")):
            self.dismiss(self.draft.with_(plan=self.result, links=self.result.links))
        else:
            self.say("Not applied. a: apply, esc: back.")
