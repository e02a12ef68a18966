"""The text widgets as pure functions: patch-panel rows and the preview tree, on hand-built host states."""

from __future__ import annotations

from vmesh_tui.core.model import HostState, Pnic, Portgroup, Vmk, VSwitch
from vmesh_tui.core.pairing import Cable, Exclusion, Pairing
from vmesh_tui.core.steps import Action, Step
from vmesh_tui.tui.glyphs import ASCII, UNICODE
from vmesh_tui.tui.widgets.patchpanel import build_rows, describe_nic, render_row
from vmesh_tui.tui.widgets.plantree import failover, host_tree


def host(name: str, *devices: str, mgmt: str = "vmnic0") -> HostState:
    pnics = tuple(Pnic(d, f"00:50:56:00:00:0{i}", "igb", 1000) for i, d in enumerate(devices))
    return HostState(name, pnics=pnics, vswitches=(VSwitch("vSwitch0", uplinks=(mgmt,)),))


HOSTS = {
    h.name: h for h in (host("a", "vmnic0", "vmnic1", "vmnic2"), host("b", "vmnic0", "vmnic1", "vmnic3"))
}
PAIRING = Pairing(
    cables=(Cable("a/vmnic1", "b/vmnic1", "cdp", True),),
    excluded=(
        Exclusion("a/vmnic0", "uplink of vSwitch0, which this tool did not create"),
        Exclusion("b/vmnic0", "uplink of vSwitch0, which this tool did not create"),
    ),
)


def test_rows_put_cables_first_then_free_then_excluded() -> None:
    rows = build_rows(HOSTS, PAIRING)
    assert (rows[0].left, rows[0].right) == ("a/vmnic1", "b/vmnic1")
    assert [r.lone for r in rows[1:3]] == ["a/vmnic2", "b/vmnic3"]
    assert rows[1].left == "a/vmnic2" and rows[2].right == "b/vmnic3"  # each host keeps its side
    assert [r.lone for r in rows[3:]] == ["a/vmnic0", "b/vmnic0"] and all(r.exclusion for r in rows[3:])


def test_verified_and_excluded_rows_read_without_colour() -> None:
    rows = build_rows(HOSTS, PAIRING)
    cable = render_row(rows[0], HOSTS, ASCII, marked=None).plain
    assert "vmnic1 1G igb" in cable and "cdp +" in cable and "=" in cable
    guessed = render_row(
        rows[0].__class__("a/vmnic1", "b/vmnic1", Cable("a/vmnic1", "b/vmnic1", "name", False)),
        HOSTS,
        UNICODE,
        marked=None,
    ).plain
    assert "name ?" in guessed and "─ ─" in guessed
    excluded = render_row(rows[3], HOSTS, ASCII, marked=None).plain
    assert "(uplink of vSwitch0)" in excluded
    assert render_row(rows[1], HOSTS, ASCII, marked="a/vmnic2").plain.startswith("*")


def test_nic_description_names_its_use_and_exclusion() -> None:
    text = describe_nic(HOSTS, "a/vmnic0", PAIRING)
    assert "uplink of vSwitch0" in text and "excluded:" in text and "00:50:56" in text
    assert "unused" in describe_nic(HOSTS, "a/vmnic2", PAIRING)


def test_more_than_two_hosts_show_host_names() -> None:
    hosts = dict(HOSTS, c=host("c", "vmnic0", "vmnic1"))
    row = build_rows(hosts, PAIRING)[0]
    assert "a/vmnic1" in render_row(row, hosts, ASCII, None).plain


def test_preview_tree_marks_new_objects_and_failover() -> None:
    vswitch = VSwitch("vmesh-1", mtu=9000, uplinks=("vmnic1",), active=("vmnic1",))
    group = Portgroup("vmesh-vmotion-1", "vmesh-1", active=("vmnic1",), standby=())
    vmk = Vmk("", "vmesh-vmotion-1", "172.16.90.1", 30, 9000, frozenset({"vmotion"}))
    desired = HostState("a", vswitches=(vswitch,), portgroups=(group,), vmks=(vmk,))
    steps = [
        Step("a", Action.ADD, None, vswitch),
        Step("a", Action.ADD, None, group),
        Step("a", Action.ADD, None, vmk),
    ]
    lines = host_tree(desired, steps, "vmesh", ASCII)
    assert lines[0] == "a  (3 change(s))"
    assert lines[1] == "`- vSwitch vmesh-1 MTU 9000 uplinks vmnic1 [new]"
    assert lines[2] == "   `- portgroup vmesh-vmotion-1: active vmnic1; unused none [new]"
    assert lines[3].endswith("`- vmk (new) 172.16.90.1/30 MTU 9000 vMotion [new]")


def test_failover_lists_unused_uplinks() -> None:
    shared = VSwitch("vmesh", uplinks=("vmnic1", "vmnic2"), active=("vmnic1", "vmnic2"))
    assert failover(Portgroup("p", "vmesh", active=("vmnic2",), standby=()), shared) == (
        "active vmnic2; unused vmnic1"
    )
