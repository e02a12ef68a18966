"""The preview at 80x24: the whole demo plan at a glance, every view scrolls to its last line, the tree
draws its branches right, changed objects show their old values, and findings group by their code."""

from __future__ import annotations

from typing import Any

import pytest
from textual.containers import VerticalScroll

from tests.tui.twinapp import make_app, screen_text, walk_to_preview
from vmesh_tui.core.addressing import Link
from vmesh_tui.core.errors import Finding, Severity
from vmesh_tui.core.model import HostState, Pnic, Portgroup, Vmk, VSwitch
from vmesh_tui.core.pairing import Cable
from vmesh_tui.core.steps import Action, Step
from vmesh_tui.tui.glyphs import ASCII, UNICODE
from vmesh_tui.tui.screens.preview import finding_lines, shell_wrap
from vmesh_tui.tui.widgets.plansummary import summary_text
from vmesh_tui.tui.widgets.plantree import host_tree

DEMO_ROWS = [  # (host, link, active NIC, vmk address): the demo's plan as an admin must see it
    ("esx-a.lab.local", 1, "vmnic1", "172.16.90.1/30"),
    ("esx-a.lab.local", 2, "vmnic2", "172.16.90.5/30"),
    ("esx-a.lab.local", 3, "vmnic5", "172.16.90.9/30"),
    ("esx-a.lab.local", 4, "vmnic6", "172.16.90.13/30"),
    ("esx-b.lab.local", 1, "vmnic1", "172.16.90.2/30"),
    ("esx-b.lab.local", 2, "vmnic2", "172.16.90.6/30"),
    ("esx-b.lab.local", 3, "vmnic5", "172.16.90.10/30"),
    ("esx-b.lab.local", 4, "vmnic6", "172.16.90.14/30"),
]


@pytest.mark.usefixtures("twin")
async def test_the_whole_demo_plan_at_a_glance_then_every_view_to_its_last_line(twin: Any) -> None:
    app = make_app(twin)
    async with app.run_test(size=(80, 24)) as pilot:
        await walk_to_preview(pilot)
        text = screen_text(app)
        assert "Summary view" in text
        lines = text.splitlines()
        for host, number, nic, cidr in DEMO_ROWS:  # one line per link and host, all on the first screen
            block = text.split(host, 1)[1]
            row = next((line for line in block.splitlines() if f" {cidr} " in line), None)
            assert row is not None, text
            assert row.split()[:6] == [str(number), f"vmesh-{number}", nic, "-", "new", cidr], row
            assert row.split()[6:] == ["9000", "yes", "new"], row
        assert len(lines) == 24
        assert "CDP 'both'" not in text  # no advice the TUI offers no way to follow
        scroll = app.screen.query_one("#preview-scroll", VerticalScroll)
        assert scroll.max_scroll_y == 0, "the demo's summary must fit 80x24 without scrolling"

        await pilot.press("t")  # the tree: longer than the screen, and it scrolls to its last line
        assert "Tree view" in screen_text(app)
        assert scroll.max_scroll_y > 0
        assert "172.16.90.14/30 MTU 9000 vMotion [new]" not in screen_text(app)
        await pilot.press("end")
        await pilot.pause(0.5)
        assert "└─ vmk (new) 172.16.90.14/30 MTU 9000 vMotion [new]" in screen_text(app)
        await pilot.press("home", "pagedown")
        await pilot.pause(0.5)
        assert scroll.scroll_y > 0

        await pilot.press("e")  # the esxcli script, to its last command
        assert "esxcli view" in screen_text(app)
        assert "esxcli network ip interface tag add -i vmk4 -t VMotion" not in screen_text(app)
        await pilot.press("end")
        await pilot.pause(0.5)
        text = screen_text(app)
        assert "esxcli network ip interface tag add -i vmk4 -t VMotion" in text, text
        assert "-I 172.16.90.14" in text
        await pilot.press("e")
        assert "Summary view" in screen_text(app)
        assert all(cidr in screen_text(app) for *_, cidr in DEMO_ROWS)


def _nic_tree(glyphs: Any) -> list[str]:
    """A host whose plan adds two per-link vSwitches and forces both NICs to 1000 Mb/s (literal states)."""
    pnics = (
        Pnic("vmnic1", "00:50:56:00:00:01", "igb", 1000),
        Pnic("vmnic2", "00:50:56:00:00:02", "igb", 1000),
    )
    desired = HostState(
        "esx-a.lab.local",
        pnics=pnics,
        vswitches=(VSwitch("vmesh-1", 9000, ("vmnic1",), ("vmnic1",)), VSwitch("vmesh-2", 9000, ("vmnic2",))),
        portgroups=(
            Portgroup("vmesh-vmotion-1", "vmesh-1", 0, ("vmnic1",), ()),
            Portgroup("vmesh-vmotion-2", "vmesh-2", 0, ("vmnic2",), ()),
        ),
        vmks=(
            Vmk("", "vmesh-vmotion-1", "10.0.0.1", 30, 9000),
            Vmk("", "vmesh-vmotion-2", "10.0.0.5", 30, 9000),
        ),
    )
    forced = [
        Step("esx-a.lab.local", Action.UPDATE, pnic, Pnic(pnic.device, pnic.mac, "igb", 1000, True, 1000))
        for pnic in pnics
    ]
    return host_tree(desired, forced, "vmesh", glyphs)


@pytest.mark.parametrize("glyphs", [UNICODE, ASCII])
def test_tree_branches_stay_whole_when_nic_speed_rows_follow(glyphs: Any) -> None:
    lines = _nic_tree(glyphs)
    top = [line for line in lines[1:] if not line.startswith((glyphs.pipe, "   "))]
    assert [line[:3] for line in top] == [glyphs.tee, glyphs.tee, glyphs.tee, glyphs.elbow], lines
    assert top[-1] == f"{glyphs.elbow}NIC vmnic2: speed auto->1000 Mb/s [changed]"
    vswitch2 = lines.index(f"{glyphs.tee}vSwitch vmesh-2 MTU 9000 uplinks vmnic2")
    # the last vSwitch is not the last branch: its children keep the trunk line, then their own indent
    assert (
        lines[vswitch2 + 1]
        == f"{glyphs.pipe}{glyphs.elbow}portgroup vmesh-vmotion-2: active vmnic2; unused none"
    )
    assert lines[vswitch2 + 2] == f"{glyphs.pipe}   {glyphs.elbow}vmk (new) 10.0.0.5/30 MTU 9000 no services"


def test_tree_last_branch_children_are_indented_under_it() -> None:
    desired = HostState(
        "esx-b",
        vswitches=(VSwitch("vmesh-1", 9000, ("vmnic1",)),),
        portgroups=(Portgroup("vmesh-vmotion-1", "vmesh-1", 0, ("vmnic1",), ()),),
        vmks=(Vmk("vmk1", "vmesh-vmotion-1", "10.0.0.2", 30, 9000, frozenset({"vmotion"})),),
    )
    assert host_tree(desired, [], "vmesh", UNICODE) == [
        "esx-b  (0 change(s))",
        "└─ vSwitch vmesh-1 MTU 9000 uplinks vmnic1",
        "   └─ portgroup vmesh-vmotion-1: active vmnic1; unused none",
        "      └─ vmk1 10.0.0.2/30 MTU 9000 vMotion",
    ]


def test_changed_rows_show_the_old_values() -> None:
    """An earlier run left vmesh-1 at MTU 1500 with the vmk in another subnet: both changes show old > new."""
    name = "esx-a.lab.local"
    old_switch, new_switch = (
        VSwitch("vmesh-1", 1500, ("vmnic1",), ("vmnic1",)),
        VSwitch("vmesh-1", 9000, ("vmnic1",), ("vmnic1",)),
    )
    group = Portgroup("vmesh-vmotion-1", "vmesh-1", 0, ("vmnic1",), ())
    old_vmk = Vmk("vmk1", "vmesh-vmotion-1", "172.16.90.5", 30, 1500, frozenset({"vmotion"}))
    new_vmk = Vmk("vmk1", "vmesh-vmotion-1", "172.16.90.1", 30, 9000, frozenset({"vmotion"}))
    desired = HostState(name, vswitches=(new_switch,), portgroups=(group,), vmks=(new_vmk,))
    steps = [Step(name, Action.UPDATE, old_switch, new_switch), Step(name, Action.UPDATE, old_vmk, new_vmk)]
    cable = Cable(f"{name}/vmnic1", "esx-b.lab.local/vmnic1", "name", False)
    link = Link(0, cable, "172.16.90.0/30", "172.16.90.1", "172.16.90.2", 30)
    text = summary_text({name: desired}, {name: steps}, [link], "vmesh")
    row = next(line for line in text.splitlines() if "172.16.90.1/30" in line)
    assert row.split() == ["1", "vmesh-1", "vmnic1", "-", "vmk1", "172.16.90.1/30", "9000", "yes", "changed"]
    assert "vSwitch vmesh-1: MTU 1500->9000" in text
    assert "vmk vmesh-vmotion-1: IP 172.16.90.5/30->172.16.90.1/30, MTU 1500->9000" in text
    tree = " ".join(line.strip() for line in host_tree(desired, steps, "vmesh", UNICODE))  # wrapped lines
    assert "[changed: MTU 1500->9000]" in tree and "[changed: IP 172.16.90.5/30->172.16.90.1/30" in tree


def test_findings_group_by_code_and_list_their_subjects() -> None:
    """Grouping reads the code, the group sentence and the subjects, never the words of the messages."""
    found = [
        Finding(
            "unverified-cable",
            Severity.WARNING,
            f"words {n} differ entirely",
            "validate",
            f"esx-a.lab.local/vmnic{n}",
            "{n} cables are guessed",
        )
        for n in (1, 2)
    ]
    found.insert(1, Finding("mtu-switch", Severity.WARNING, "switch core has MTU 1500", "raise it", "core"))
    found.append(Finding("no-group", Severity.ERROR, "first of its kind", "", "x"))
    found.append(Finding("no-group", Severity.ERROR, "second of its kind", "", "y"))
    assert finding_lines(found) == [
        "warning: 2 cables are guessed: esx-a/vmnic1, esx-a/vmnic2 - validate",
        "warning: switch core has MTU 1500 - raise it",
        "ERROR: first of its kind (and 1 more like it): x, y",
    ]


def test_long_esxcli_commands_fold_with_shell_continuations() -> None:
    command = "esxcli network ip interface ipv4 set -i vmk1 -t static -I 172.16.90.2 -N 255.255.255.252"
    folded = shell_wrap(command, 60)
    assert all(len(line) <= 60 for line in folded.splitlines())
    assert folded.splitlines()[0].endswith(" \\") and folded.splitlines()[1].startswith("    ")
    assert " ".join(part.rstrip(" \\").strip() for part in folded.splitlines()) == command


def test_long_esxcli_comments_fold_into_comment_lines() -> None:
    comment = "# uplinks of vmesh-1 not listed here are unused on vmesh-vmotion-1 (neither active nor"
    comment += " standby)"
    folded = shell_wrap(comment, 76).splitlines()
    assert len(folded) == 2 and all(len(line) <= 76 for line in folded)
    assert all(line.startswith("# ") for line in folded)
    assert " ".join(line[2:] for line in folded) == comment[2:]
