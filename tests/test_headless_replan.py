"""Re-running the headless commands after a successful apply, without --link: the hosts' own objects say
which cables the tool configured, so plan and apply have nothing to do, discover and the probe show those
cables as "applied" (in use by vmesh-tui, never "free"), and validate, recover and revert still work.
Hosts are judged by the independent reader (tests/hostview: stock pyVmomi)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pyVmomi import vim

from tests.engine.probehelp import CROSSED, CROSSED_CABLES, MESH3, MESH_CABLES, lab_spec, read_networks
from tests.engine.twinlab import SUPERNET, Twin, demo_spec
from tests.headless_cli import cli_json, headless_twins
from tests.hostview.reader import connected, lab_endpoints

TIMEOUT = ["--probe-timeout", "4"]
DEMO_CABLES = [
    (f"esx-a.lab.local/{n}", f"esx-b.lab.local/{n}") for n in ("vmnic1", "vmnic2", "vmnic5", "vmnic6")
]


@pytest.fixture
def make(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """make(lab spec) -> Twin serving that lab."""
    with headless_twins(tmp_path, monkeypatch) as make_twin:
        yield make_twin


def _pairs(items: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return sorted((item["a"], item["b"]) for item in items)


def test_an_applied_mesh_replans_to_nothing_to_do_and_the_probe_calls_its_cables_in_use(
    capsys: pytest.CaptureFixture[str], make: Any, tmp_path: Path
) -> None:
    twin = make(lab_spec(MESH3))
    before = read_networks(twin.lab)
    code, applied, err = cli_json(
        capsys, twin, "apply", "--supernet", SUPERNET, "--probe", *TIMEOUT, "--yes", "--json"
    )
    assert code == 0 and _pairs(applied["links"]) == MESH_CABLES, err
    configured = read_networks(twin.lab)

    code, plan, err = cli_json(capsys, twin, "plan", "--supernet", SUPERNET, "--json")
    assert code == 0, (err, plan)
    assert plan["steps"] == [] and _pairs(plan["links"]) == MESH_CABLES
    assert [(x["a"], x["a_ip"], x["b_ip"]) for x in plan["links"]] == [
        (x["a"], x["a_ip"], x["b_ip"]) for x in applied["links"]
    ]
    assert {x["source"] for x in plan["links"]} == {"applied"}
    code, text, _ = cli_json(capsys, twin, "plan", "--supernet", SUPERNET)
    assert code == 0 and "nothing to do: the hosts already match" in text, text

    code, found, err = cli_json(capsys, twin, "discover", "--probe", *TIMEOUT, "--json")
    assert code == 0, err
    assert _pairs(found["cables"]) == MESH_CABLES
    assert {(c["source"], c["verified"]) for c in found["cables"]} == {("applied", False)}
    assert "nothing to probe" in found["probe"]["message"] and "6 cable(s) in use by vmesh-tui" in err + str(
        found
    )
    assert not any("free" in e["reason"] for e in found["excluded"]), found["excluded"]

    code, again, err = cli_json(capsys, twin, "apply", "--supernet", SUPERNET, "--yes", "--json")
    assert code == 0 and again["steps"] == [] and "nothing to do" in again["message"], (err, again)
    assert read_networks(twin.lab) == configured  # nothing was touched
    code, check, _ = cli_json(capsys, twin, "validate", "--json")
    assert code == 0 and check["ok"] and len(check["links"]) == 6
    code, recovered, _ = cli_json(capsys, twin, "recover", "--yes", "--json")
    assert code == 0 and recovered["ok"], recovered

    with pytest.MonkeyPatch.context() as elsewhere:  # another jump host: no journal, the same hosts
        elsewhere.setenv("VMESH_HOME", str(tmp_path / "jump2"))
        code, refused, _ = cli_json(capsys, twin, "validate", "--json")
        assert code == 2 and "apply with the same options changes nothing" in refused["error"]
        code, again, err = cli_json(capsys, twin, "apply", "--supernet", SUPERNET, "--yes", "--json")
        assert code == 0 and again["steps"] == [] and _pairs(again["links"]) == MESH_CABLES, (err, again)
        code, check, _ = cli_json(capsys, twin, "validate", "--json")
        assert code == 0 and check["ok"] and len(check["links"]) == 6
    assert read_networks(twin.lab) == configured
    assert cli_json(capsys, twin, "revert", "--yes", "--json")[0] == 0
    assert read_networks(twin.lab) == before
    code, refused, _ = cli_json(capsys, twin, "validate", "--json")  # a journal here, but reverted: none open
    assert code == 2 and "no run applied from this machine is in effect on these hosts" in refused["error"]


@pytest.mark.parametrize("layout", ["per-link", "shared"])
def test_the_demo_named_cables_replan_to_nothing_in_either_layout(
    capsys: pytest.CaptureFixture[str], make: Any, layout: str
) -> None:
    twin = make(demo_spec())
    before = read_networks(twin.lab)
    options = ["--supernet", SUPERNET, "--layout", layout]
    code, applied, err = cli_json(capsys, twin, "apply", *options, "--yes", "--json")
    assert code == 0 and _pairs(applied["links"]) == DEMO_CABLES, err
    assert {x["source"] for x in applied["links"]} == {"name"}
    configured = read_networks(twin.lab)
    code, found, _ = cli_json(capsys, twin, "discover", "--json")
    assert code == 0 and [(c["source"], c["verified"]) for c in found["cables"]] == [("applied", False)] * 4
    code, plan, err = cli_json(capsys, twin, "plan", *options, "--json")
    assert code == 0 and plan["steps"] == [] and _pairs(plan["links"]) == DEMO_CABLES, (err, plan)
    code, again, err = cli_json(capsys, twin, "apply", *options, "--yes", "--json")
    assert code == 0 and again["steps"] == [], (err, again)
    assert read_networks(twin.lab) == configured
    assert cli_json(capsys, twin, "revert", "--yes", "--json")[0] == 0
    assert read_networks(twin.lab) == before
    code, refused, _ = cli_json(capsys, twin, "validate", "--json")  # a journal here, but reverted: none open
    assert code == 2 and "no run applied from this machine is in effect on these hosts" in refused["error"]


def _by_hand(twin: Twin, host: str) -> Iterator[Any]:
    """What an admin does in the host client, with stock pyVmomi: ``host``'s HostNetworkSystem."""
    index = [h.name for h in twin.lab.hosts].index(host)
    with connected(lab_endpoints(twin.lab)[index]) as si:
        system = si.content.rootFolder.childEntity[0].hostFolder.childEntity[0].host[0]
        yield system.configManager.networkSystem


def _remove_vmk_by_hand(twin: Twin, host: str, portgroup: str) -> None:
    for network in _by_hand(twin, host):
        device = next(v.device for v in network.networkInfo.vnic if v.portgroup == portgroup)
        network.RemoveVirtualNic(device)


def _link_objects(view: dict[str, Any], number: int) -> Any:
    """Link ``number``'s vSwitch, portgroup and vmk (device, address, MAC) on one host, as read."""
    group = f"vmesh-vmotion-{number}"
    vmks = {device: vmk for device, vmk in view["vmks"].items() if vmk["portgroup"] == group}
    return view["vswitches"].get(f"vmesh-{number}"), view["portgroups"].get(group), vmks


def test_a_broken_link_of_an_applied_mesh_leaves_the_healthy_ones_alone_and_is_said(
    capsys: pytest.CaptureFixture[str], make: Any
) -> None:
    twin = make(lab_spec(CROSSED))
    apply = ["apply", "--supernet", SUPERNET, "--probe", *TIMEOUT, "--yes", "--json"]
    code, applied, err = cli_json(capsys, twin, *apply)
    assert code == 0 and _pairs(applied["links"]) == CROSSED_CABLES, err
    configured = read_networks(twin.lab)
    _remove_vmk_by_hand(twin, "esx-b.lab.local", "vmesh-vmotion-2")  # link 2: esx-a/vmnic2 - esx-b/vmnic4

    code, plan, err = cli_json(capsys, twin, "plan", "--supernet", SUPERNET, "--probe", *TIMEOUT, "--json")
    assert code == 0, (err, plan)
    assert [(x["index"], x["a"], x["b"]) for x in plan["links"]] == [
        (n, a, b) for n, (a, b) in enumerate(CROSSED_CABLES, start=1) if n != 2
    ]
    dropped = {f["subject"] for f in plan["findings"] if f["code"] == "dropped-link"}
    assert dropped == {"esx-a.lab.local/vmnic2", "esx-b.lab.local/vmnic4"}, plan["findings"]
    code, _, err = cli_json(capsys, twin, *apply)
    assert code == 0, err
    now = read_networks(twin.lab)
    for host in now:
        for number in (1, 3):  # untouched: the same objects, the same vmk devices, addresses and MACs
            assert _link_objects(now[host], number) == _link_objects(configured[host], number)
        assert _link_objects(now[host], 2) == (None, None, {})  # the broken link's leftovers are gone

    code, healed, err = cli_json(capsys, twin, *apply)  # its NICs are free now: the probe finds the cable
    assert code == 0 and _pairs(healed["links"]) == CROSSED_CABLES, err
    assert [x["index"] for x in healed["links"] if x["a"] == "esx-a.lab.local/vmnic2"] == [2]
    code, check, _ = cli_json(capsys, twin, "validate", "--json")
    assert code == 0 and check["ok"] and len(check["links"]) == 3
    for host, view in read_networks(twin.lab).items():
        assert _link_objects(view, 1) == _link_objects(configured[host], 1)
        assert _link_objects(view, 3) == _link_objects(configured[host], 3)


def test_an_admins_vswitch_named_with_the_tools_prefix_is_never_the_tools(
    capsys: pytest.CaptureFixture[str], make: Any
) -> None:
    twin = make(lab_spec(CROSSED))
    for network in _by_hand(twin, "esx-b.lab.local"):  # vmesh-lab: the prefix and its dash, not a tool name
        bridge = vim.host.VirtualSwitch.BondBridge(nicDevice=["vmnic6"])
        network.AddVirtualSwitch(
            "vmesh-lab", vim.host.VirtualSwitch.Specification(numPorts=128, bridge=bridge)
        )
        policy = vim.host.NetworkPolicy()
        spec = vim.host.PortGroup.Specification(
            name="vmesh-lab-pg", vswitchName="vmesh-lab", vlanId=0, policy=policy
        )
        network.AddPortGroup(spec)
    before = read_networks(twin.lab)
    code, applied, err = cli_json(
        capsys, twin, "apply", "--supernet", SUPERNET, "--probe", *TIMEOUT, "--yes", "--json"
    )
    assert code == 0 and _pairs(applied["links"]) == CROSSED_CABLES, err
    view = read_networks(twin.lab)["esx-b.lab.local"]
    assert view["vswitches"]["vmesh-lab"] == before["esx-b.lab.local"]["vswitches"]["vmesh-lab"]
    assert view["portgroups"]["vmesh-lab-pg"] == before["esx-b.lab.local"]["portgroups"]["vmesh-lab-pg"]
    code, found, _ = cli_json(capsys, twin, "discover", "--json")
    reasons = {e["ref"]: e["reason"] for e in found["excluded"]}
    assert reasons["esx-b.lab.local/vmnic6"] == "uplink of vmesh-lab, which this tool did not create"
    assert cli_json(capsys, twin, "revert", "--yes", "--json")[0] == 0
    assert read_networks(twin.lab) == before
