"""What a second admin walk at 80x24 found after the first walk's fixes, each held here."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.tui.twinapp import make_app, screen_text, wait_screen

pytestmark = pytest.mark.usefixtures("twin")


async def test_ascii_mode_masks_the_password_with_stars(twin: Any) -> None:
    app = make_app(twin, ascii_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_screen(pilot, "CablingScreen")
        await pilot.press("escape")
        await wait_screen(pilot, "DiscoverScreen")
        await pilot.press("escape")
        await wait_screen(pilot, "ConnectScreen")
        text = screen_text(app)
        stars = "*" * len(twin.hosts[0].password)
        assert re.search(rf"Password +{re.escape(stars)} ", text), text
        assert text.isascii(), [line for line in text.splitlines() if not line.isascii()]
