"""Readable everywhere: ASCII only with --ascii (or a non-UTF-8 locale), and marks that need no colour."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.tui.twinapp import confirm_apply, make_app, screen_text, wait_for, wait_screen

pytestmark = pytest.mark.usefixtures("twin")


async def test_ascii_mode_draws_only_ascii(twin: Any) -> None:
    app = make_app(twin, ascii_only=True)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await wait_screen(pilot, "CablingScreen")
        text = screen_text(app)
        assert "- - -  name ? - - -" in text
        assert text.isascii(), [line for line in text.splitlines() if not line.isascii()]
        assert text.splitlines()[-1].rstrip().endswith("^p palette"), text  # the palette is still named
        await pilot.press("n")
        await wait_screen(pilot, "AddressingScreen")
        await pilot.press("ctrl+n")
        await wait_screen(pilot, "PreviewScreen")
        assert screen_text(app).isascii()
        await pilot.press("t")
        text = screen_text(app)
        assert "+- vSwitch vmesh-1" in text and "`- vmk (new) 172.16.90.1/30" in text
        assert text.isascii(), [line for line in text.splitlines() if not line.isascii()]
        await pilot.press("ctrl+p")  # the command palette: no magnifier, ellipsis or block edges
        await wait_for(pilot, lambda: "Search for commands" in screen_text(app))
        text = screen_text(app)
        assert re.search(r"> +Search for commands\.\.\.", text) and "|Search" not in text, text
        assert text.isascii(), [line for line in text.splitlines() if not line.isascii()]
        await pilot.press("escape")
        app.notify("a toast", severity="warning")  # toasts: no half-block edge
        await wait_for(pilot, lambda: "a toast" in screen_text(app))
        text = screen_text(app)
        assert text.isascii(), [line for line in text.splitlines() if not line.isascii()]


async def test_no_color_keeps_every_state_in_words(twin: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(twin)
    assert app.no_color
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_screen(pilot, "CablingScreen")
        await pilot.press("n")
        await wait_screen(pilot, "AddressingScreen")
        await pilot.press("ctrl+u", *"not-a-network")
        text = screen_text(app)  # the error is words: what is wrong, and what to type instead
        assert "'not-a-network' is not a network in CIDR form" in text and "Type a private IPv4" in text, text
        await pilot.press("ctrl+u", *"172.16.90.0/24", "ctrl+n")
        await wait_screen(pilot, "PreviewScreen")
        await confirm_apply(pilot)
        await wait_for(pilot, lambda: "Press n to validate" in screen_text(app), 60)
        await pilot.press("n")
        await wait_screen(pilot, "ValidateScreen")
        await wait_for(pilot, lambda: "pass both ways" in screen_text(app), 60)
        assert screen_text(app).count("OK") >= 8  # a text mark per direction, no colour needed
