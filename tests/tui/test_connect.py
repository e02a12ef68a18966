"""Connect: form checks, the certificate dialog for a new host, the loud refusal of a changed one."""

from __future__ import annotations

from typing import Any

import pytest

from tests.tui.twinapp import make_app, screen_text, spec_for, wait_for, wait_screen
from vmesh_tui.tui.app import VmeshApp
from vmesh_tui.tui.draft import Draft
from vmesh_tui.tui.recent import RecentHosts
from vmesh_tui.tui.screens.connect import fingerprint, host_url


def refuse(*_: Any) -> Any:
    raise AssertionError("the form should not have tried to connect")


def test_host_url_and_fingerprint_formats() -> None:
    assert host_url("esx-a", "root") == "https://root@esx-a/sdk"
    assert host_url("https://admin@10.0.0.1:8443/sdk", "root") == "https://admin@10.0.0.1:8443/sdk"
    assert fingerprint("ab" * 32).splitlines() == [":".join(["AB"] * 16)] * 2


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        (["enter"], "Enter at least two ESXi hosts"),
        ([*"esx-a", "tab", *"esx-b", "enter"], "Enter the password"),
        (["tab", "tab", "tab", *"vc.example.com", "enter"], "also name the cluster"),
    ],
)
async def test_form_says_what_is_missing(keys: list[str], message: str) -> None:
    app = VmeshApp(refuse, Draft())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*keys)
        await pilot.pause()
        assert message in screen_text(app)
        assert type(app.screen).__name__ == "ConnectScreen"


async def test_new_certificate_shows_fingerprint_and_is_pinned_once_trusted(twin: Any) -> None:
    from vmesh_tui.engine import paths

    app = make_app(twin, pinned=False)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in twin.hosts:
            await wait_screen(pilot, "ConfirmScreen")
            text = screen_text(app)
            assert "trust its certificate?" in text and "SHA-256 fingerprint" in text
            shown = [h for h in twin.hosts if fingerprint(h.thumbprint.replace(":", "").lower())[:47] in text]
            assert len(shown) == 1, text
            await pilot.press("y")
        await wait_screen(pilot, "CablingScreen")
    pins = paths.known_hosts_path().read_text()
    assert all(h.url.split("//")[1].split("/")[0] in pins for h in twin.hosts)
    recent = RecentHosts(paths.config_dir() / "recent.json")
    assert recent.load()[0] == spec_for(twin)
    assert twin.hosts[0].password not in recent.path.read_text()


async def test_changed_certificate_is_refused_loudly(twin: Any) -> None:
    from tests.tui.twinapp import _address_port
    from vmesh_tui.engine import paths
    from vmesh_tui.vsphere.knownhosts import KnownHosts

    known = KnownHosts(paths.known_hosts_path())
    for host in twin.hosts:
        known.remember(*_address_port(host.url), "00" * 32)
    app = make_app(twin, pinned=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_screen(pilot, "NoticeScreen")
        text = screen_text(app)
        assert "CERTIFICATE CHANGED - REFUSED" in text and "has changed" in text
        body = app.screen.body  # type: ignore[attr-defined]
        assert "no credentials were sent" in body and "remove the line" in body  # what happened, what to do
        await pilot.press("enter")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ConnectScreen")
        assert app.engine is None


async def test_palette_reaches_status_and_f1_opens_help_while_typing() -> None:
    app = VmeshApp(refuse, Draft())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("e", "s", "x", "f1")  # typing in Host A, F1 still opens help
        await wait_screen(pilot, "HelpScreen")
        assert "Help - Connect" in screen_text(app) and "ctrl+r" in screen_text(app)
        await pilot.press("escape")
        await wait_screen(pilot, "ConnectScreen")
        await pilot.press("ctrl+p")
        await pilot.pause(0.3)
        await pilot.press(*"status")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await wait_screen(pilot, "StatusScreen")
        assert "No runs recorded yet" in screen_text(app)
        await pilot.press("escape")
        await wait_screen(pilot, "ConnectScreen")
        assert app.screen.query_one("#host-a").value == "esx"  # type: ignore[attr-defined]


async def test_wrong_password_is_said_in_words_with_a_remedy(twin: Any) -> None:
    from tests.tui.twinapp import pin
    from vmesh_tui.engine import paths
    from vmesh_tui.launch import make_connector

    pin(twin)
    app = VmeshApp(
        make_connector(),
        Draft(connect=spec_for(twin)),
        password="not-the-password",
        config_dir=paths.config_dir(),
        auto_connect=True,
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(
            pilot, lambda: "Connecting" not in screen_text(app) and "password" in screen_text(app).lower()
        )
        status = str(app.screen.query_one("#status").render())
        assert type(app.screen).__name__ == "ConnectScreen" and app.engine is None
        ports = [h.url.split(":")[-1].split("/")[0] for h in twin.hosts]
        where = f"127.0.0.1:{ports[0]}, 127.0.0.1:{ports[1]}"  # each host as the form names it
        assert f"Login refused: {where} refused the login as root." in status, status
        assert "Check the user and the password, then enter." in status  # what to do here, as a sentence
        assert "VMESH_PASSWORD" not in status  # a setting of the headless commands, not of this form
        assert "not-the-password" not in screen_text(app)  # the secret is never shown


async def test_an_interrupted_run_is_announced_at_start() -> None:
    from vmesh_tui.core.design import DesignOptions
    from vmesh_tui.core.model import HostState
    from vmesh_tui.engine import paths
    from vmesh_tui.engine.journal import Journal
    from vmesh_tui.engine.planning import PlanRequest  # registers the journal codecs

    assert PlanRequest

    states = {name: HostState(name) for name in ("esx-a.lab.local", "esx-b.lab.local")}
    journal = Journal.create(paths.state_dir(), states, (), DesignOptions(), {})
    journal.data["pid"] = 2**22 + 4321  # a process that no longer exists: the run was killed
    journal.save()
    app = VmeshApp(refuse, Draft())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "A run on esx-a.lab.local, esx-b.lab.local was interrupted" in text
        await pilot.press("ctrl+s")
        await wait_screen(pilot, "StatusScreen")
        assert "interrupted" in screen_text(app)
