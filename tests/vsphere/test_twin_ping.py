"""esxcli network diag ping through the adapter, on the twin's packet model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.vsphere.twinhelp import connect_twin
from vmesh_tui.core.model import CdpMode, Portgroup, Vmk, VSwitch
from vmesh_tui.core.steps import Action, Step
from vmesh_tui.vsphere.client import HostsClient

A, B = "esx-a.lab.local", "esx-b.lab.local"


def _link(
    client: HostsClient,
    host: str,
    ip: str,
    mtu: int,
    nic: str = "vmnic1",
    prefix: int = 30,
    netstack: str = "",
) -> str:
    """One link end as the tool builds it: a vSwitch on ``nic``, its portgroup, a vMotion vmk."""
    name = f"vmesh-{nic[-1]}"
    switch = VSwitch(name, mtu, (nic,), (nic,), (), CdpMode.LISTEN)
    client.run_step(Step(host, Action.ADD, None, switch))
    client.run_step(Step(host, Action.ADD, None, Portgroup(name, name, 0, (nic,), (), "failover_explicit")))
    vmk = Vmk("", name, ip, prefix, mtu, frozenset({"vmotion"}))
    if netstack:  # a vmk on the vmotion netstack carries vMotion without being tagged
        vmk = Vmk("", name, ip, prefix, mtu, frozenset(), netstack)
    device = client.run_step(Step(host, Action.ADD, None, vmk))
    assert device is not None
    return device


def test_ping_over_a_configured_cable(twin: Any, tmp_path: Path) -> None:
    client = connect_twin(twin, tmp_path)
    try:
        vmk_a = _link(client, A, "10.77.1.1", 9000)
        _link(client, B, "10.77.1.2", 9000)
        client.ping(A, "10.77.1.2", interface=vmk_a, size=8972, count=1)  # warm-up (cold ARP)
        jumbo = client.ping(A, "10.77.1.2", interface=vmk_a, size=8972, df=True, count=3)
        too_big = client.ping(A, "10.77.1.2", interface=vmk_a, size=8973, df=True, count=2)
        nobody = client.ping(A, "10.77.1.3", interface=vmk_a, size=56, count=2)
        routed = client.ping(A, "10.77.1.2", size=56, count=2)  # no interface: the vmkernel's route
    finally:
        client.close()
    assert (jumbo.sent, jumbo.received, jumbo.loss_pct, jumbo.error) == (3, 3, 0.0, None) and jumbo.ok
    # the round trips are the twin's own (its packet model asked directly, not through the adapter)
    model = twin.endpoint(A).sim.ping("10.77.1.2", interface=vmk_a, size=8972, df=True, count=3)
    assert model.rtt_min < model.rtt_avg < model.rtt_max  # three distinct values: a swap shows
    assert (jumbo.rtt_min_ms, jumbo.rtt_avg_ms, jumbo.rtt_max_ms) == pytest.approx(
        (model.rtt_min, model.rtt_avg, model.rtt_max), abs=0.001
    )
    assert too_big.error == "Message too long" and not too_big.ok and too_big.received == 0
    assert nobody.received == 0 and nobody.loss_pct == 100.0 and not nobody.ok
    assert routed.ok and routed.received == 2


def test_ping_with_a_small_mtu_on_the_far_side_is_lost(twin: Any, tmp_path: Path) -> None:
    client = connect_twin(twin, tmp_path)
    try:
        vmk_a = _link(client, A, "10.77.2.1", 9000)
        _link(client, B, "10.77.2.2", 1500)
        small = client.ping(A, "10.77.2.2", interface=vmk_a, size=1472, df=True, count=2)
        jumbo = client.ping(A, "10.77.2.2", interface=vmk_a, size=8972, df=True, count=2)
    finally:
        client.close()
    assert small.ok and small.received == 2
    assert jumbo.received == 0 and not jumbo.ok and jumbo.error != "Message too long"


def test_two_cables_in_one_subnet_lose_traffic_as_real_hosts_do(twin: Any, tmp_path: Path) -> None:
    client = connect_twin(twin, tmp_path)
    try:
        first_a = _link(client, A, "10.78.0.1", 9000, "vmnic1", 24)
        second_a = _link(client, A, "10.78.0.2", 9000, "vmnic2", 24)
        _link(client, B, "10.78.0.11", 9000, "vmnic1", 24)
        _link(client, B, "10.78.0.12", 9000, "vmnic2", 24)
        first_pair = client.ping(A, "10.78.0.11", interface=first_a, size=56, count=2)
        second_pair = client.ping(A, "10.78.0.12", interface=second_a, size=56, count=2)
        routed = client.ping(A, "10.78.0.12", size=56, count=2)  # leaves by the vmk of the first cable
    finally:
        client.close()
    # both ends' first vmks share cable 1, so that pair works; the far host answers the second pair
    # through its own first vmk, i.e. over the wrong cable, and the reply is lost (DOMAIN.md)
    assert first_pair.ok and first_pair.received == 2
    assert second_pair.received == 0 and not second_pair.ok
    assert routed.received == 0 and not routed.ok


def test_vmks_on_the_vmotion_netstack_ping_only_when_it_is_named(twin: Any, tmp_path: Path) -> None:
    client = connect_twin(twin, tmp_path)
    try:
        vmk_a = _link(client, A, "10.79.0.1", 9000, "vmnic5", netstack="vmotion")
        _link(client, B, "10.79.0.2", 9000, "vmnic5", netstack="vmotion")
        created = client.read_all()[A].vmk(vmk_a)
        on_stack = client.ping(A, "10.79.0.2", interface=vmk_a, size=8972, netstack="vmotion", count=2)
        default_stack = client.ping(A, "10.79.0.2", size=56, count=2)
    finally:
        client.close()
    assert created is not None and (created.netstack, created.services) == ("vmotion", frozenset())
    assert on_stack.ok and on_stack.received == 2
    assert not default_stack.ok
