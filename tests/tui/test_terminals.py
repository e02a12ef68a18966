"""Readable everywhere: ASCII only with --ascii (or a non-UTF-8 locale), and marks that need no colour."""

from __future__ import annotations

from typing import Any

import pytest

from tests.tui.twinapp import make_app, screen_text, wait_for, wait_screen

pytestmark = pytest.mark.usefixtures("twin")


async def test_ascii_mode_draws_only_ascii(twin: Any) -> None:
    app = make_app(twin, ascii_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_screen(pilot, "CablingScreen")
        text = screen_text(app)
        assert "- - -  name ? - - -" in text
        assert text.isascii(), [line for line in text.splitlines() if not line.isascii()]
        await pilot.press("n")
        await wait_screen(pilot, "AddressingScreen")
        await pilot.press("ctrl+n")
        await wait_screen(pilot, "PreviewScreen")
        text = screen_text(app)
        assert "+- vSwitch vmesh-1" in text and "`- vmk (new) 172.16.90.1/30" in text
        assert text.isascii(), [line for line in text.splitlines() if not line.isascii()]


async def test_no_color_keeps_every_state_in_words(twin: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(twin, read_only=True)
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
        await pilot.press("n")
        await wait_screen(pilot, "ValidateScreen")
        await wait_for(pilot, lambda: "link(s) fail" in screen_text(app), 60)
        assert screen_text(app).count("FAIL") >= 8  # a text mark per direction, no colour needed
