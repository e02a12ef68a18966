"""What a fresh admin walk at 80x24 found after the third walk's fixes, each held here under Pilot on the
twin."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.tui.test_operations_twin import apply_then_back_to_cabling, walk_to_apply
from tests.tui.twinapp import confirm_apply, make_app, screen_text, wait_for, wait_screen

pytestmark = pytest.mark.usefixtures("twin")


def footer(app: Any) -> str:
    return " ".join(screen_text(app).splitlines()[-1].split())


async def test_cabling_help_lists_every_key_the_footer_shows(twin: Any) -> None:
    app = make_app(twin)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_screen(pilot, "CablingScreen")
        await wait_for(pilot, lambda: "n Next" in footer(app))
        shown = footer(app)
        await pilot.press("question_mark")
        await wait_screen(pilot, "HelpScreen")
        lines = [line.strip("█▌▐| ") for line in screen_text(app).splitlines()]  # inside the dialog's edges
        keys = {word for line in lines for word in re.split(r" {2,}", line)[0].replace("/", " ").split()}
        for key, label in (("space", "Link"), ("u", "Unlink"), ("n", "Next"), ("p", "Probe")):
            assert f"{key} {label}" in shown, shown
            assert key in keys, (key, lines)


@pytest.mark.parametrize("read_only", [True, False])
async def test_palette_status_offers_revert_only_where_revert_is(twin: Any, read_only: bool) -> None:
    app = make_app(twin, read_only=read_only)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_screen(pilot, "CablingScreen")
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: "Recovery" in screen_text(app))
        text = " ".join(screen_text(app).split())
        assert "what was applied where and when" in text, text
        assert ("revert" in text) is not read_only, (read_only, text)
        assert ("re-steer vMotion" in text) is not read_only, (read_only, text)  # recovery: check only


async def test_a_recovery_that_passes_says_so_once(twin: Any) -> None:
    app = make_app(twin)
    async with app.run_test(size=(80, 24)) as pilot:
        await walk_to_apply(pilot)
        assert app.screen.state == "applied", screen_text(app)
        app.open_recovery()
        await wait_screen(pilot, "RecoveryScreen")
        await wait_for(pilot, lambda: "g: run recovery" in screen_text(app), 60)
        await pilot.press("g")
        await wait_screen(pilot, "ConfirmScreen")
        await pilot.press("y")
        await wait_screen(pilot, "RecoveryScreen")
        await wait_for(pilot, lambda: not app.busy and "After: -" not in screen_text(app), 90)
        after = str(app.screen.query_one("#after").render())
        status = str(app.screen.query_one("#status").render())
        assert "no failing link reported" in after, after  # the verdict, once: the status line says what
        assert "pass" not in status and "Nothing to recover" in status, status  # was done (here nothing)


async def test_validate_progress_names_the_link_and_a_true_count_when_a_link_was_dropped(
    twin: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vmesh_tui.tui.screens.validate import ValidateScreen

    said: list[str] = []
    shown = ValidateScreen.say

    def record(screen: Any, text: str, *, error: bool = False) -> None:
        said.append(text)
        shown(screen, text, error=error)

    monkeypatch.setattr(ValidateScreen, "say", record)  # each progress line is overwritten by the next
    app = make_app(twin)
    async with app.run_test(size=(80, 24)) as pilot:
        await apply_then_back_to_cabling(pilot)
        await pilot.press("u")  # drop link 1: links 2, 3 and 4 keep their numbers
        await pilot.press("n")
        await wait_screen(pilot, "AddressingScreen")
        await pilot.press("ctrl+n")
        await wait_screen(pilot, "PreviewScreen")
        await confirm_apply(pilot)
        await wait_for(pilot, lambda: app.screen.state in ("applied", "rolled back", "failed"), 60)
        assert app.screen.state == "applied", screen_text(app)
        await pilot.press("n")
        await wait_screen(pilot, "ValidateScreen")
        await wait_for(pilot, lambda: "All 3 link(s) pass both ways" in screen_text(app), 60)
    progress = [text for text in said if text.startswith("link ")]
    found = [re.fullmatch(r"link (\d+): pass \((\d+) of 3 checked\)", text) for text in progress]
    assert all(found), progress
    assert sorted(int(m.group(1)) for m in found if m) == [2, 3, 4], progress
    assert sorted(int(m.group(2)) for m in found if m) == [1, 2, 3], progress
