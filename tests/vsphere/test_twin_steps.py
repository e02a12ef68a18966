"""Every step kind against the twin; vmks named by portgroup. What each step did is judged by the
independent reader (tests/hostview) against literal values, and the tool's own read must agree."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from pyVmomi import vim

from tests.hostview.reader import View, read_lab
from tests.vsphere.twinhelp import connect_twin, requests_of
from vmesh_tui.core.model import CdpMode, HostState, Pnic, Portgroup, Vmk, VSwitch
from vmesh_tui.core.steps import Action, Step
from vmesh_tui.vsphere.client import HostsClient
from vmesh_tui.vsphere.errors import StepFailed

A = "esx-a.lab.local"


@pytest.fixture
def client(twin: Any, tmp_path: Path) -> Iterator[HostsClient]:
    connected = connect_twin(twin, tmp_path)
    yield connected
    connected.close()


def _read(client: HostsClient) -> HostState:
    return client.read_all()[A]


def _seen(twin: Any) -> View:
    """Host A as the independent reader sees it."""
    return read_lab(twin)[A]


def _fields(table: dict[str, Any], name: str, *keys: str) -> tuple[Any, ...] | None:
    held = table.get(name)
    return None if held is None else tuple(held[k] for k in keys)


def test_vswitch_portgroup_vmk_add_update_remove_read_back(client: HostsClient, twin: Any) -> None:
    switch = VSwitch("vmesh-1", 9000, ("vmnic1",), ("vmnic1",), (), CdpMode.BOTH)
    group = Portgroup("vmesh-1", "vmesh-1", 0, ("vmnic1",), (), "failover_explicit")
    vmk = Vmk("", "vmesh-1", "10.77.0.1", 30, 9000, frozenset({"vmotion"}))

    assert client.run_step(Step(A, Action.ADD, None, switch)) is None
    assert client.run_step(Step(A, Action.ADD, None, group)) is None
    device = client.run_step(Step(A, Action.ADD, None, vmk))
    assert device is not None and device.startswith("vmk") and device != "vmk0"
    seen = _seen(twin)
    assert _fields(seen["vswitches"], "vmesh-1", "mtu", "uplinks", "cdp", "active", "standby") == (
        9000, ("vmnic1",), ("cdp", "both"), ("vmnic1",), ()
    )  # fmt: skip
    assert _fields(seen["portgroups"], "vmesh-1", "vswitch", "vlan", "active", "standby", "teaming") == (
        "vmesh-1", 0, ("vmnic1",), (), "failover_explicit"
    )  # fmt: skip
    assert _fields(seen["vmks"], device, "portgroup", "ip", "mask", "mtu", "vmotion") == (
        "vmesh-1", "10.77.0.1", "255.255.255.252", 9000, True
    )  # fmt: skip
    state = _read(client)
    assert state.vswitch("vmesh-1") == switch
    assert state.portgroup("vmesh-1") == group
    created = state.vmk_on("vmesh-1")
    assert created is not None and created.device == device
    assert (created.ip, created.prefix, created.mtu, created.services) == (
        "10.77.0.1",
        30,
        9000,
        vmk.services,
    )

    wider = VSwitch("vmesh-1", 1500, ("vmnic1", "vmnic2"), ("vmnic1",), ("vmnic2",), CdpMode.LISTEN)
    client.run_step(Step(A, Action.UPDATE, switch, wider))
    standby = Portgroup("vmesh-1", "vmesh-1", 0, ("vmnic2",), ("vmnic1",), "failover_explicit")
    client.run_step(Step(A, Action.UPDATE, group, standby))
    moved = Vmk(device, "vmesh-1", "10.77.0.5", 30, 1500, frozenset())
    client.run_step(Step(A, Action.UPDATE, created, moved))
    seen = _seen(twin)
    assert _fields(seen["vswitches"], "vmesh-1", "mtu", "uplinks", "cdp", "active", "standby") == (
        1500, ("vmnic1", "vmnic2"), ("cdp", "listen"), ("vmnic1",), ("vmnic2",)
    )  # fmt: skip
    assert _fields(seen["portgroups"], "vmesh-1", "active", "standby") == (("vmnic2",), ("vmnic1",))
    assert _fields(seen["vmks"], device, "ip", "mask", "mtu", "vmotion") == (
        "10.77.0.5", "255.255.255.252", 1500, False
    )  # fmt: skip
    state = _read(client)
    assert state.vswitch("vmesh-1") == wider
    assert state.portgroup("vmesh-1") == standby
    after = state.vmk_on("vmesh-1")
    assert after is not None and (after.ip, after.mtu, after.services) == ("10.77.0.5", 1500, frozenset())

    # the inverse of an add names the vmk by portgroup only (device ""): the adapter finds it
    client.run_step(Step(A, Action.REMOVE, Vmk("", "vmesh-1", "10.77.0.5", 30, 1500), None))
    client.run_step(Step(A, Action.REMOVE, standby, None))
    client.run_step(Step(A, Action.REMOVE, wider, None))
    seen = _seen(twin)
    assert "vmesh-1" not in seen["vswitches"] and "vmesh-1" not in seen["portgroups"]
    assert list(seen["vmks"]) == ["vmk0"]
    state = _read(client)
    assert state.vswitch("vmesh-1") is None and state.portgroup("vmesh-1") is None
    assert state.vmk_on("vmesh-1") is None and [v.device for v in state.vmks] == ["vmk0"]


def test_inherited_portgroup_policy_round_trips(client: HostsClient, twin: Any) -> None:
    switch = VSwitch("vmesh-9", 9000, ("vmnic5",), ("vmnic5",), (), CdpMode.LISTEN)
    inherit = Portgroup("vmesh-9", "vmesh-9", 12)
    keys = ("vlan", "active", "standby", "teaming")
    client.run_step(Step(A, Action.ADD, None, switch))
    client.run_step(Step(A, Action.ADD, None, inherit))
    assert _fields(_seen(twin)["portgroups"], "vmesh-9", *keys) == (12, None, None, None)
    assert _read(client).portgroup("vmesh-9") == inherit
    override = Portgroup("vmesh-9", "vmesh-9", 12, ("vmnic5",), (), "failover_explicit")
    client.run_step(Step(A, Action.UPDATE, inherit, override))
    assert _fields(_seen(twin)["portgroups"], "vmesh-9", *keys) == (12, ("vmnic5",), (), "failover_explicit")
    assert _read(client).portgroup("vmesh-9") == override
    client.run_step(Step(A, Action.UPDATE, override, inherit))
    assert _fields(_seen(twin)["portgroups"], "vmesh-9", *keys) == (12, None, None, None)
    assert _read(client).portgroup("vmesh-9") == inherit


def test_forced_link_speed_and_back_to_auto(client: HostsClient, twin: Any) -> None:
    before = _read(client).pnic("vmnic6")
    assert before is not None and before.configured_speed_mb is None
    assert _seen(twin)["pnics"]["vmnic6"]["forced"] is None
    forced = Pnic(before.device, before.mac, before.driver, 1000, True, 1000, True)
    client.run_step(Step(A, Action.UPDATE, before, forced))
    assert _seen(twin)["pnics"]["vmnic6"]["forced"] == (1000, True)
    now = _read(client).pnic("vmnic6")
    assert now is not None and (now.configured_speed_mb, now.configured_full_duplex) == (1000, True)
    client.run_step(Step(A, Action.UPDATE, forced, before))
    assert _seen(twin)["pnics"]["vmnic6"]["forced"] is None
    back = _read(client).pnic("vmnic6")
    assert back is not None and back.configured_speed_mb is None


def test_host_faults_become_step_failed_naming_the_step(client: HostsClient, twin: Any) -> None:
    taken = VSwitch("vmesh-2", 9000, ("vmnic0",), ("vmnic0",), ())  # vmnic0 is vSwitch0's uplink
    with pytest.raises(StepFailed) as caught:
        client.run_step(Step(A, Action.ADD, None, taken))
    assert caught.value.fault_type == "ResourceInUse"
    assert str(caught.value).startswith("add_vswitch 'vmesh-2' on esx-a.lab.local failed: ResourceInUse")
    assert "another vSwitch's uplink" in caught.value.remedy
    missing = Portgroup("vmesh-404", "vmesh-404", 0)
    with pytest.raises(StepFailed) as gone:
        client.run_step(Step(A, Action.REMOVE, missing, None))
    assert gone.value.fault_type == "NotFound" and "discover again" in gone.value.remedy
    assert "vmesh-2" not in _seen(twin)["vswitches"]


def test_a_vmk_missing_from_the_cache_is_found_with_one_read(twin: Any, tmp_path: Path) -> None:
    early = connect_twin(twin, tmp_path / "early")  # its cache predates the vmk
    late = connect_twin(twin, tmp_path / "late")
    switch = VSwitch("vmesh-6", 9000, ("vmnic6",), ("vmnic6",), ())
    group = Portgroup("vmesh-6", "vmesh-6", 0, ("vmnic6",), (), "failover_explicit")
    try:
        late.run_step(Step(A, Action.ADD, None, switch))
        late.run_step(Step(A, Action.ADD, None, group))
        late.run_step(Step(A, Action.ADD, None, Vmk("", "vmesh-6", "10.66.0.1", 30, 9000)))
        reads = requests_of(twin)[A]["RetrievePropertiesEx"]
        early.run_step(Step(A, Action.REMOVE, Vmk("", "vmesh-6", "10.66.0.1", 30, 9000), None))
        assert requests_of(twin)[A]["RetrievePropertiesEx"] == reads + 1
        assert early.read_all()[A].vmk_on("vmesh-6") is None
    finally:
        early.close()
        late.close()


def _network(client: HostsClient) -> Any:
    """config.network of A, read through pyVmomi (one property read, not through the adapter)."""
    handle = client.handle(A)
    return handle.network_system.networkInfo


def test_updates_missing_from_the_cache_read_again_and_keep_the_security_policy(
    twin: Any, tmp_path: Path
) -> None:
    early = connect_twin(twin, tmp_path / "early")  # its cache predates the vSwitch and portgroup
    late = connect_twin(twin, tmp_path / "late")
    switch = VSwitch("vmesh-7", 9000, ("vmnic6",), ("vmnic6",), (), CdpMode.LISTEN)
    group = Portgroup("vmesh-7", "vmesh-7", 0, ("vmnic6",), (), "failover_explicit")
    try:
        late.run_step(Step(A, Action.ADD, None, switch))
        late.run_step(Step(A, Action.ADD, None, group))
        # an admin sets a security policy outside the tool, directly on the host
        ns = late.handle(A).network_system
        info = ns.networkInfo
        vs_spec = next(v for v in info.vswitch if v.name == "vmesh-7").spec
        vs_spec.policy.security = vim.host.NetworkPolicy.SecurityPolicy(
            allowPromiscuous=True, macChanges=True, forgedTransmits=True
        )
        ns.UpdateVirtualSwitch(vswitchName="vmesh-7", spec=vs_spec)
        pg_spec = next(p for p in info.portgroup if p.spec.name == "vmesh-7").spec
        pg_spec.policy.security = vim.host.NetworkPolicy.SecurityPolicy(
            allowPromiscuous=True, macChanges=False, forgedTransmits=True
        )
        ns.UpdatePortGroup(pgName="vmesh-7", portgrp=pg_spec)

        reads = requests_of(twin)[A]["RetrievePropertiesEx"]
        wider = VSwitch("vmesh-7", 1500, ("vmnic6",), ("vmnic6",), (), CdpMode.LISTEN)
        early.run_step(Step(A, Action.UPDATE, switch, wider))
        assert requests_of(twin)[A]["RetrievePropertiesEx"] == reads + 1  # the cache was read again
        tagged = Portgroup("vmesh-7", "vmesh-7", 7, ("vmnic6",), (), "failover_explicit")
        early.run_step(Step(A, Action.UPDATE, group, tagged))
        assert requests_of(twin)[A]["RetrievePropertiesEx"] == reads + 1  # that one read had both

        after = _network(late)
        vs_security = next(v for v in after.vswitch if v.name == "vmesh-7").spec.policy.security
        assert (vs_security.allowPromiscuous, vs_security.macChanges, vs_security.forgedTransmits) == (
            True,
            True,
            True,
        )
        pg = next(p for p in after.portgroup if p.spec.name == "vmesh-7").spec
        assert pg.vlanId == 7
        pg_security = pg.policy.security
        assert pg_security is not None
        assert (pg_security.allowPromiscuous, pg_security.macChanges, pg_security.forgedTransmits) == (
            True,
            False,
            True,
        )
        state = early.read_all()[A]
        assert state.vswitch("vmesh-7") == wider and state.portgroup("vmesh-7") == tagged
        early.run_step(Step(A, Action.REMOVE, tagged, None))
        early.run_step(Step(A, Action.REMOVE, wider, None))
    finally:
        early.close()
        late.close()


def test_updating_what_the_host_does_not_have_fails_without_sending_a_blank_spec(
    client: HostsClient, twin: Any
) -> None:
    ghost = VSwitch("vmesh-404", 9000, ("vmnic6",), ("vmnic6",), ())
    ghost_group = Portgroup("vmesh-404", "vmesh-404", 0)
    before = requests_of(twin)[A]
    for old, new in ((ghost, replace(ghost, mtu=1500)), (ghost_group, replace(ghost_group, vlan=4))):
        with pytest.raises(StepFailed) as caught:
            client.run_step(Step(A, Action.UPDATE, old, new))
        assert caught.value.fault_type == "NotFound"
        assert "'vmesh-404'" in caught.value.message and "discover again" in caught.value.remedy
    after = requests_of(twin)[A]
    assert after.get("UpdateVirtualSwitch", 0) == before.get("UpdateVirtualSwitch", 0)
    assert after.get("UpdatePortGroup", 0) == before.get("UpdatePortGroup", 0)
    assert after["RetrievePropertiesEx"] == before["RetrievePropertiesEx"] + 2  # one read each, no more
