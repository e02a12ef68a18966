"""Step 1: where the hosts are and how to log in. Certificates are pinned, never trusted silently."""

from __future__ import annotations

import contextlib
import queue
from pathlib import Path
from urllib.parse import unquote, urlsplit

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from vmesh_tui.tui.backend import CertPrompt, EngineLike, describe
from vmesh_tui.tui.draft import ConnectSpec
from vmesh_tui.tui.recent import RecentHosts
from vmesh_tui.tui.screens.base import VmeshScreen
from vmesh_tui.tui.widgets.fields import form_field


def host_url(entry: str, user: str) -> str:
    """``esx-a`` or ``10.0.0.1:8443`` -> ``https://root@esx-a/sdk``; a full URL is kept as typed."""
    entry = entry.strip()
    if entry.startswith(("https://", "http://")):
        return entry
    return f"https://{user}@{entry}/sdk" if entry else ""


def fingerprint(sha256: str) -> str:
    """``abcd...`` -> ``AB:CD:...`` in two lines of 16 bytes, as ESXi's console shows it."""
    pairs = [sha256[i : i + 2].upper() for i in range(0, len(sha256), 2)]
    return "\n".join(":".join(pairs[i : i + 16]) for i in range(0, len(pairs), 16))


JOURNALS = "journals"  # engine.journal.journal_dir's folder in the state dir, checked without the engine


class ConnectScreen(VmeshScreen):
    STEP = "Connect"
    HELP_KEYS = [
        ("enter", "connect and read the hosts"),
        ("tab", "next field"),
        ("ctrl+r", "recovery after a host reboot (connects first)"),
        ("ctrl+s", "status from the journal"),
        ("ctrl+l", "focus the recent connections (enter uses the highlighted one)"),
        ("esc", "quit: this is the first step"),
    ]
    BINDINGS = [
        Binding("escape", "app.quit_safely", "Quit"),  # the first step: there is nothing to go back to
        Binding("enter", "connect", "Connect", priority=False),
        Binding("ctrl+r", "recovery", "Recovery"),
        Binding("ctrl+s", "status", "Status"),
        Binding("ctrl+l", "focus_recent", "Recent", show=False),
    ]

    def compose(self) -> ComposeResult:
        spec = self.draft.connect
        yield from self.compose_title()
        with Vertical(id="body"):
            yield Static("Two or more ESXi hosts, or a vCenter and a cluster.", classes="hint")
            with Grid(id="connect-form"):
                yield Label("Host A")
                yield form_field(_plain(spec, 0), "esx-a.example.com or https://root@addr/sdk", "host-a")
                yield Label("Host B")
                yield form_field(_plain(spec, 1), "esx-b.example.com", "host-b")
                yield Label("More")
                yield form_field(", ".join(spec.hosts[2:]), "more hosts, comma separated", "more")
                yield Label("vCenter")
                yield form_field(spec.vcenter, "instead of hosts: vcenter.example.com", "vcenter")
                yield Label("Cluster")
                yield form_field(spec.cluster, "cluster name (with vCenter)", "cluster")
                yield Label("User")
                yield form_field(spec.user, "", "user")
                yield Label("Password")
                yield form_field(
                    self.vapp.password or "", "", "password", password=True, ascii=self.vapp.glyphs.ascii
                )
            yield Static("Recent (passwords are never stored):", classes="hint")
            yield OptionList(id="recent")
            yield Static("", id="status", markup=False)
        yield self.footer()

    def on_mount(self) -> None:
        recent = self.recent_hosts()
        options = recent.load() if recent else []
        widget = self.query_one("#recent", OptionList)
        for index, spec in enumerate(options):
            widget.add_option(Option(recent_label(spec)[:74], id=str(index)))
        if options:
            widget.highlighted = 0  # enter picks the newest at once
        self._recent = options
        if recent is not None and recent.problem:
            self.notify(recent.problem, severity="warning", timeout=8)
        self.first_empty_field().focus()
        self.say("Fill in the hosts and the password, then press enter.  F1: help")
        self.warn_about_interrupted_runs()
        if self.vapp.auto_connect and self.form_spec().hosts:
            self.vapp.auto_connect = False
            self.call_after_refresh(self.action_connect)  # draw the form first, then connect (and load)

    def first_empty_field(self) -> Input:
        """Where typing should start: the first empty field of the form (the password once hosts are in)."""
        order = ["host-a", "host-b", "password"]
        if self.query_one("#vcenter", Input).value.strip():
            order = ["cluster", "password"]
        for name in order:
            widget = self.query_one(f"#{name}", Input)
            if not widget.value.strip():
                return widget
        return self.query_one("#password", Input)

    def warn_about_interrupted_runs(self) -> None:
        """A killed run leaves its journal open: say so before anything else happens."""
        from vmesh_tui.engine.paths import state_dir

        try:
            if not any((state_dir() / JOURNALS).glob("*.json")):
                return  # no journal, so no interrupted run: skip loading the engine before the first paint
            from vmesh_tui.tui.screens.status import load_journals

            interrupted = [j for j in load_journals() if j.status == "interrupted"]
        except Exception:
            return  # unreadable journals are reported on the status screen
        if interrupted:
            hosts = ", ".join(interrupted[0].hosts)
            self.say(
                f"A run on {hosts} was interrupted. Connect, then ctrl+s: status to revert it.", error=True
            )

    def recent_hosts(self) -> RecentHosts | None:
        folder: Path | None = self.vapp.config_dir
        return RecentHosts(folder / "recent.json") if folder else None

    def form_spec(self) -> ConnectSpec:
        value = {w.id: w.value.strip() for w in self.query(Input) if w.id != "password"}
        user = value["user"] or "root"
        entries = [value["host-a"], value["host-b"], *value["more"].split(",")]
        hosts = tuple(url for url in (host_url(e, user) for e in entries) if url)
        vcenter = host_url(value["vcenter"], user) if value["vcenter"] else ""
        return ConnectSpec(
            hosts=() if vcenter else hosts, vcenter=vcenter, cluster=value["cluster"], user=user
        )

    def problem_with(self, spec: ConnectSpec, password: str) -> str:
        if spec.uses_vcenter and not spec.cluster:
            return "With a vCenter, also name the cluster whose hosts to cable."
        if not spec.uses_vcenter and len(spec.hosts) < 2:
            return "Enter at least two ESXi hosts (Host A and Host B), or a vCenter and a cluster."
        if not password:
            return "Enter the password (it stays in memory for this run only)."
        return ""

    @on(Input.Submitted)
    def submitted(self) -> None:
        self.action_connect()

    @on(OptionList.OptionSelected, "#recent")
    def use_recent(self, event: OptionList.OptionSelected) -> None:
        spec = self._recent[int(event.option.id or 0)]
        self.query_one("#host-a", Input).value = _plain(spec, 0)
        self.query_one("#host-b", Input).value = _plain(spec, 1)
        self.query_one("#more", Input).value = ", ".join(spec.hosts[2:])
        self.query_one("#vcenter", Input).value = spec.vcenter
        self.query_one("#cluster", Input).value = spec.cluster
        self.query_one("#user", Input).value = spec.user
        self.query_one("#password", Input).focus()

    def action_focus_recent(self) -> None:
        self.query_one("#recent", OptionList).focus()

    def action_connect(self, then: str = "next") -> None:
        spec = self.form_spec()
        password = self.query_one("#password", Input).value
        problem = self.problem_with(spec, password)
        if problem:
            self.say(problem, error=True)
            return
        self.say(f"Connecting to {spec.describe()} ...")
        self.connect_worker(spec, password, then)

    def action_recovery(self) -> None:
        if self.vapp.engine is not None:
            self.vapp.open_recovery()
        else:
            self.action_connect(then="recovery")

    def action_status(self) -> None:
        self.vapp.open_status()

    @work(thread=True, exclusive=True, group="connect")
    def connect_worker(self, spec: ConnectSpec, password: str, then: str) -> None:
        try:
            engine = self.vapp.connector(spec, password, self.ask_certificate)
        except Exception as exc:
            problem = describe(exc)
            self.app.call_from_thread(self.connect_failed, problem.title, str(problem), problem.code)
            return
        self.app.call_from_thread(self.connected, spec, password, engine, then)

    def ask_certificate(self, prompt: CertPrompt) -> bool:
        """Called from the connect thread: show the fingerprint and wait for the admin's answer."""
        from vmesh_tui.tui.widgets.confirm import ConfirmScreen

        answers: queue.Queue[bool] = queue.Queue(maxsize=1)
        question = f"New host {prompt.host}:{prompt.port} - trust its certificate?"
        detail = (
            f"SHA-256 fingerprint:\n{fingerprint(prompt.sha256)}\n\nCompare it with the host's console "
            "before you trust it. It will be remembered; a changed certificate is always refused."
        )

        def ask() -> None:  # on the app's thread: Python 3.9 binds a screen's queues to the current loop
            screen = ConfirmScreen(question, detail, yes_label="Trust", danger=False)
            self.app.push_screen(screen, lambda ok: answers.put(bool(ok)))

        self.app.call_from_thread(ask)
        return answers.get()

    def connect_failed(self, title: str, text: str, code: str) -> None:
        from vmesh_tui.tui.widgets.confirm import NoticeScreen

        if code == "auth-failed":  # in the form's words: who logged in where, and what to change here
            spec = self.form_spec()
            where = ", ".join(dict.fromkeys(_host_port(url) for url in (spec.hosts or (spec.vcenter,))))
            title = "Login refused"
            text = f"{where} refused the login as {spec.user}. Check the user and the password, then enter."
        self.say(f"{title}: {text}", error=True)
        if "certificate" in code or "CERTIFICATE" in title:
            self.app.push_screen(NoticeScreen(title, text, loud=True))

    def connected(self, spec: ConnectSpec, password: str, engine: EngineLike, then: str) -> None:
        previous = self.vapp.engine
        if previous is not None:  # connecting again (after esc): end the old sessions
            with contextlib.suppress(Exception):
                previous.client.close()
        self.vapp.engine = engine
        self.vapp.remember_password(password)
        recent = self.recent_hosts()
        if recent:
            try:
                recent.remember(spec)
            except OSError as exc:
                self.notify(f"Could not remember this connection: {exc.strerror}", severity="warning")
        # a (re)connection reads the hosts afresh in Discover, which proposes the cables again
        self.draft = self.draft.with_(connect=spec, hosts=(), pairing=None)
        if then == "recovery":
            self.say("Connected.")
            self.vapp.draft = self.draft
            self.vapp.open_recovery()
            return
        self.dismiss(self.draft)


def _user_host_port(url: str, user: str) -> str:
    """``https://root@10.0.0.5/sdk`` -> ``root@10.0.0.5:443``: who, where, which port; no scheme or path."""
    parts = urlsplit(url if "://" in url else f"https://{url}")
    try:
        port = parts.port or 443
    except ValueError:
        return url
    host = parts.hostname or url
    shown = f"[{host}]" if ":" in host else host
    return f"{unquote(parts.username) if parts.username else user}@{shown}:{port}"


def _host_port(url: str) -> str:
    """``https://root@esx-a/sdk`` -> ``esx-a``; a port other than 443 stays (``127.0.0.1:4431``)."""
    return _user_host_port(url, "").split("@", 1)[-1].removesuffix(":443")


def recent_label(spec: ConnectSpec) -> str:
    """A recent connection as ``user@host:port, user@host:port`` (or the vCenter and its cluster)."""
    if spec.uses_vcenter:
        return f"{_user_host_port(spec.vcenter, spec.user)} cluster {spec.cluster}"
    return ", ".join(_user_host_port(url, spec.user) for url in spec.hosts) or "no hosts"


def _plain(spec: ConnectSpec, index: int) -> str:
    """The host field as the admin would type it: the URL without the default user and /sdk."""
    if index >= len(spec.hosts):
        return ""
    url = spec.hosts[index]
    prefix = f"https://{spec.user}@"
    if url.startswith(prefix) and url.endswith("/sdk"):
        return url[len(prefix) : -len("/sdk")]
    return url
