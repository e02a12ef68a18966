"""With the vMotion netstack chosen, the preview (TUI and headless plan) says that the direct links then
serve only migrations between these hosts, and names a default-stack vMotion vmk the stack takes over."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from tests.engine.twinlab import SUPERNET, demo_spec
from tests.tui.twinapp import make_app, screen_text, wait_screen
from vmesh_tui.tui.widgets.choice import Choice

pytestmark = pytest.mark.usefixtures("twin")


async def test_preview_with_the_vmotion_netstack_says_the_links_serve_only_these_hosts(twin: Any) -> None:
    app = make_app(twin)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_screen(pilot, "CablingScreen")
        await pilot.press("n")
        await wait_screen(pilot, "AddressingScreen")
        netstack = app.screen.query_one("#netstack", Choice)
        netstack.focus()
        await pilot.press("space")
        assert netstack.value == "vmotion"
        await pilot.press("ctrl+n")
        await wait_screen(pilot, "PreviewScreen")
        text = " ".join(screen_text(app).split())
        assert "only migrations between these hosts" in text, text


def test_plan_names_a_default_stack_vmotion_vmk_the_stack_takes_over(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.engine.twinlab import Twin
    from vmesh_tui.cli import main
    from vmesh_tui.sim.lab.spec import VmkSpec

    spec = demo_spec()
    a = spec.hosts[0]
    extra = VmkSpec(
        device="vmk1", portgroup="Management Network", ip="192.168.10.21/24", services=("vmotion",)
    )
    hosts = (dataclasses.replace(a, vmks=(*a.vmks, extra)), *spec.hosts[1:])
    made = Twin(dataclasses.replace(spec, hosts=hosts), tmp_path)
    try:
        monkeypatch.setenv("VMESH_HOME", str(tmp_path))
        monkeypatch.setenv("VMESH_PASSWORD", made.password)
        code = main(["plan", "--supernet", SUPERNET, "--netstack", "vmotion", "--json", *made.host_args()])
        planned = json.loads(capsys.readouterr().out)
    finally:
        made.close()
    assert code == 0, planned
    by_code = {f["code"]: f for f in planned["findings"]}
    assert "only migrations between these hosts" in by_code["vmotion-netstack"]["message"]
    takeover = by_code["vmotion-stack-takeover"]
    assert takeover["subject"] == f"{a.name}/vmk1" and "default TCP/IP stack" in takeover["message"]
