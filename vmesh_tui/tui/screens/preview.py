"""Step 5: what will be created or changed on each host, the esxcli equivalent, and the warnings."""

from __future__ import annotations

from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from vmesh_tui.core.errors import Severity
from vmesh_tui.core.model import split_ref
from vmesh_tui.tui.backend import describe
from vmesh_tui.tui.draft import Draft
from vmesh_tui.tui.screens.base import VmeshScreen
from vmesh_tui.tui.widgets.confirm import ConfirmScreen
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


def _plural_is(code: str, count: int, suffix: str) -> str:
    """``4 cables are ...`` from a code like ``unverified-cable`` and the shared ``is ...`` tail."""
    noun = code.rsplit("-", 1)[-1]
    return f"{count} {noun}s are {suffix[3:]}"


def finding_lines(findings: Any) -> list[str]:
    """One line per finding, except that findings of one code and severity are grouped into one line
    (``4 cables are assumed from NIC names ...``), so repeats do not crowd out the rest."""
    marks = {Severity.ERROR: "ERROR", Severity.WARNING: "warning"}
    groups: dict[tuple[Any, str], list[Any]] = {}
    for finding in findings:
        groups.setdefault((finding.severity, finding.code), []).append(finding)
    lines = []
    for (severity, code), members in groups.items():
        first = members[0]
        text = first.message
        if len(members) > 1:
            tails = [m.message.split() for m in members]
            shared: list[str] = []
            for words in zip(*(reversed(t) for t in tails)):
                if len(set(words)) != 1:
                    break
                shared.insert(0, words[0])
            suffix = " ".join(shared)
            if suffix.startswith("is "):
                text = _plural_is(code, len(members), suffix)
            else:
                text = f"{text} (and {len(members) - 1} more like it)"
        lines.append(
            f"{marks.get(severity, str(severity))}: {text}" + (f" - {first.remedy}" if first.remedy else "")
        )
    return lines


def build(draft: Draft) -> Any:
    from vmesh_tui.engine.planning import build_plan

    return build_plan(draft.host_map(), plan_request(draft))


class PreviewScreen(VmeshScreen):
    STEP = "Preview"
    HELP_KEYS = [
        ("e", "switch between the tree and the esxcli commands"),
        ("a", "apply (asks for confirmation; not in read-only mode)"),
        ("n", "read-only: go on to validation"),
        ("up/down/pgup/pgdn", "scroll"),
        ("tab", "move between the warnings and the plan (each scrolls)"),
    ]
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("e", "toggle_esxcli", "esxcli"),
        Binding("a", "apply", "Apply"),
        Binding("n", "next", "Next", show=False),
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
        return not (action == "apply" and self.vapp.read_only)

    def on_mount(self) -> None:
        self.showing_esxcli = False
        self.result: Any = None
        try:
            self.result = build(self.draft)
        except Exception as exc:  # CoreError above all; anything else is still said in words
            self.say(f"Cannot plan: {describe(exc)}  Press esc to change the addressing.", error=True)
            return
        self.render_findings()
        self.render_body()
        self.query_one("#preview-scroll").focus()

    def render_findings(self) -> None:
        lines = finding_lines(self.result.findings)
        self.query_one("#findings", Static).update("\n".join(lines))
        self.query_one("#findings-scroll").display = bool(lines)
        steps = len(self.result.plan.steps)
        if self.result.errors:
            self.say("Apply is blocked by the errors above. Press esc to change the choices.", error=True)
        elif self.result.plan.is_empty:
            self.say("Nothing to change: the hosts already match. n/esc")
        elif self.vapp.read_only:
            self.say(f"{steps} change(s) would be made. Read-only: n goes on to validation.")
        else:
            self.say(f"{steps} change(s). e: esxcli view.  a: apply (asks first).")

    def render_body(self) -> None:
        result = self.result
        if self.showing_esxcli:
            from vmesh_tui.core.esxcli import render_esxcli

            commands = render_esxcli(result.plan)
            text = "\n\n".join(f"# {host}\n" + "\n".join(lines) for host, lines in commands.items())
        else:
            by_host = {name: list(result.plan.for_host(name)) for name in result.desired}
            text = plan_text(result.desired, by_host, result.options.name_prefix, self.vapp.glyphs)
        self.query_one("#preview-text", Static).update(text or "(no changes)")

    def action_toggle_esxcli(self) -> None:
        if self.result is not None:
            self.showing_esxcli = not self.showing_esxcli
            self.render_body()

    def action_next(self) -> None:
        if self.result is not None and not self.vapp.read_only and not self.result.plan.is_empty:
            self.say("Press a to apply (asks first), or esc to go back.")
        elif self.result is not None:
            self.dismiss(self.draft.with_(plan=self.result, links=self.result.links))

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
