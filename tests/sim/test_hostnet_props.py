"""Random call sequences: the twin answers only with vSphere faults and its state stays consistent."""

from __future__ import annotations

import contextlib
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyVmomi import SoapAdapter, vim, vmodl

from vmesh_tui.sim.fabric.fabric import build_fabric
from vmesh_tui.sim.host.simhost import SimHost
from vmesh_tui.sim.lab.load import demo_lab

NICS = st.lists(st.sampled_from([f"vmnic{n}" for n in range(9)]), max_size=3)
VSWITCHES = st.sampled_from(["vSwitch0", "vSwitch1", "vmesh-1", "vmesh-2"])
PORTGROUPS = st.sampled_from(["Management Network", "VM Network", "vmesh-1", "vmesh-2"])
VMKS = st.sampled_from(["vmk0", "vmk1", "vmk2", "vmk3"])


def order(active: list[str], standby: list[str]) -> vim.host.NetworkPolicy:
    nic_order = vim.host.NetworkPolicy.NicOrderPolicy(activeNic=active, standbyNic=standby)
    return vim.host.NetworkPolicy(nicTeaming=vim.host.NetworkPolicy.NicTeamingPolicy(nicOrder=nic_order))


def vswitch_spec(nics: list[str], mtu: int) -> vim.host.VirtualSwitch.Specification:
    bridge = vim.host.VirtualSwitch.BondBridge(nicDevice=nics) if nics else None
    return vim.host.VirtualSwitch.Specification(numPorts=128, mtu=mtu, bridge=bridge)


def pg_spec(
    name: str, vswitch: str, active: list[str], standby: list[str]
) -> vim.host.PortGroup.Specification:
    policy = order(active, standby) if active or standby else vim.host.NetworkPolicy()
    return vim.host.PortGroup.Specification(name=name, vlanId=0, vswitchName=vswitch, policy=policy)


def vnic_spec(last_octet: int, mtu: int) -> vim.host.VirtualNic.Specification:
    ip = vim.host.IpConfig(dhcp=False, ipAddress=f"10.1.0.{last_octet}", subnetMask="255.255.255.0")
    return vim.host.VirtualNic.Specification(ip=ip, mtu=mtu)


MTUS = st.sampled_from([1500, 9000, 100, 9001])
CALLS = st.one_of(
    st.tuples(st.just("AddVirtualSwitch"), st.tuples(VSWITCHES, st.builds(vswitch_spec, NICS, MTUS))),
    st.tuples(st.just("UpdateVirtualSwitch"), st.tuples(VSWITCHES, st.builds(vswitch_spec, NICS, MTUS))),
    st.tuples(st.just("RemoveVirtualSwitch"), st.tuples(VSWITCHES)),
    st.tuples(st.just("AddPortGroup"), st.tuples(st.builds(pg_spec, PORTGROUPS, VSWITCHES, NICS, NICS))),
    st.tuples(st.just("RemovePortGroup"), st.tuples(PORTGROUPS)),
    st.tuples(
        st.just("AddVirtualNic"), st.tuples(PORTGROUPS, st.builds(vnic_spec, st.integers(0, 255), MTUS))
    ),
    st.tuples(st.just("RemoveVirtualNic"), st.tuples(VMKS)),
    st.tuples(st.just("SelectVnicForNicType"), st.tuples(st.just("vmotion"), VMKS)),
    st.tuples(st.just("reboot"), st.just(())),
)


def check_consistent(host: SimHost) -> None:
    info = host.network_info()
    owners: dict[str, str] = {}
    for vs in info.vswitch:
        for nic in vs.spec.bridge.nicDevice if vs.spec.bridge else []:
            assert nic not in owners, f"{nic} is an uplink of {owners[nic]} and {vs.name}"
            owners[nic] = vs.name
    vswitches = {vs.name: vs for vs in info.vswitch}
    for pg in info.portgroup:
        uplinks = vswitches[pg.spec.vswitchName].spec.bridge
        nics = set(uplinks.nicDevice) if uplinks else set()
        order = pg.spec.policy.nicTeaming.nicOrder if pg.spec.policy.nicTeaming else None
        if order is not None:
            assert set(order.activeNic) | set(order.standbyNic) <= nics
    portgroups = {pg.spec.name for pg in info.portgroup}
    on_pg = [v.portgroup for v in info.vnic]
    assert set(on_pg) <= portgroups and len(on_pg) == len(set(on_pg)), "one vmk per existing portgroup"
    SoapAdapter.Serialize(info, version="vim.version.v8_0_3_0")
    for outcome in (host.ping("10.1.0.9"), host.ping("192.168.10.12", interface="vmk1", size=8972, df=True)):
        assert outcome.received in (0, outcome.sent)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(CALLS, max_size=12))
def test_any_call_sequence_keeps_the_host_consistent(calls: list[tuple[str, tuple[Any, ...]]]) -> None:
    host = build_fabric(demo_lab()).hosts["esx-a.lab.local"]
    for method, args in calls:
        with contextlib.suppress(vmodl.MethodFault):
            getattr(host, method)(*args)
        check_consistent(host)
