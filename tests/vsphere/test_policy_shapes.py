"""An absent policy sub-object and an empty one both mean "inherited" (real hosts send empty ones: govmomi's
simulator/esx/host_config_info.go is a capture of a real host). Both shapes, written as literal pyVmomi
objects, must map to the same state, plan the same, re-plan to nothing after an apply, and raise the same
preflight findings (the look-alike checks among them)."""

from __future__ import annotations

from typing import Any

import pytest
from pyVmomi import vim

from vmesh_tui.core.addressing import carve
from vmesh_tui.core.checks import preflight
from vmesh_tui.core.design import design
from vmesh_tui.core.pairing import Cable, Pairing
from vmesh_tui.core.plan import make_plan
from vmesh_tui.vsphere.hostread import RawHost
from vmesh_tui.vsphere.inventory import host_state

Policy = vim.host.NetworkPolicy
Teaming = vim.host.NetworkPolicy.NicTeamingPolicy
Order = vim.host.NetworkPolicy.NicOrderPolicy
SUPERNET = "172.31.250.0/24"
CABLE = Cable.between("esx-a/vmnic1", "esx-b/vmnic1", "manual", False)


def _policy(shape: str, teaming: Any = None) -> Any:
    """A portgroup policy: "absent" leaves every sub-object out, "empty" sends them as a real host does."""
    if shape == "absent":
        return Policy(nicTeaming=teaming)
    teaming = teaming or Teaming()
    teaming.failureCriteria = vim.host.NetworkPolicy.NicFailureCriteria()
    return Policy(
        security=vim.host.NetworkPolicy.SecurityPolicy(),
        nicTeaming=teaming,
        offloadPolicy=vim.host.NetOffloadCapabilities(),
        shapingPolicy=vim.host.NetworkPolicy.TrafficShapingPolicy(),
    )


def _host(name: str, ip: str, shape: str, applied: bool) -> RawHost:
    """esx-a/esx-b of one link on vmnic1; ``applied``: with the tool's vSwitch, portgroup and vmk on it."""
    pnics = [
        vim.host.PhysicalNic(
            device=f"vmnic{n}",
            key=f"key-vim.host.PhysicalNic-vmnic{n}",
            mac=f"00:50:56:{ip[-1]}0:00:0{n}",
            linkSpeed=vim.host.PhysicalNic.LinkSpeedDuplex(speedMb=1000, duplex=True),
            spec=vim.host.PhysicalNic.Specification(),
        )
        for n in (0, 1)
    ]
    cdp = vim.host.LinkDiscoveryProtocolConfig(protocol="cdp", operation="listen")
    switch0 = vim.host.VirtualSwitch.Specification(
        numPorts=128,
        bridge=vim.host.VirtualSwitch.BondBridge(nicDevice=["vmnic0"], linkDiscoveryProtocolConfig=cdp),
        policy=Policy(nicTeaming=Teaming(policy="loadbalance_srcid", nicOrder=Order(activeNic=["vmnic0"]))),
    )
    vswitches = [vim.host.VirtualSwitch(name="vSwitch0", mtu=1500, numPorts=128, spec=switch0)]
    groups = [
        vim.host.PortGroup.Specification(
            name="Management Network", vswitchName="vSwitch0", vlanId=0, policy=_policy(shape)
        ),
        vim.host.PortGroup.Specification(
            name="VM Network", vswitchName="vSwitch0", vlanId=0, policy=_policy(shape)
        ),
    ]
    vnics = [
        vim.host.VirtualNic(
            device="vmk0",
            portgroup="Management Network",
            spec=vim.host.VirtualNic.Specification(
                mtu=1500, ip=vim.host.IpConfig(dhcp=False, ipAddress=ip, subnetMask="255.255.255.0")
            ),
        )
    ]
    selected = ["management.key-vim.host.VirtualNic-vmk0"]
    if applied:
        address = "172.31.250.1" if name == "esx-a" else "172.31.250.2"
        link = vim.host.VirtualSwitch.Specification(
            numPorts=128,
            mtu=9000,
            bridge=vim.host.VirtualSwitch.BondBridge(nicDevice=["vmnic1"], linkDiscoveryProtocolConfig=cdp),
            policy=Policy(nicTeaming=Teaming(nicOrder=Order(activeNic=["vmnic1"]))),
        )
        vswitches.append(vim.host.VirtualSwitch(name="vmesh-1", mtu=9000, numPorts=128, spec=link))
        teaming = Teaming(policy="failover_explicit", nicOrder=Order(activeNic=["vmnic1"]))
        groups.append(
            vim.host.PortGroup.Specification(
                name="vmesh-vmotion-1", vswitchName="vmesh-1", vlanId=0, policy=_policy(shape, teaming)
            )
        )
        vnics.append(
            vim.host.VirtualNic(
                device="vmk1",
                portgroup="vmesh-vmotion-1",
                spec=vim.host.VirtualNic.Specification(
                    mtu=9000,
                    ip=vim.host.IpConfig(dhcp=False, ipAddress=address, subnetMask="255.255.255.252"),
                ),
            )
        )
        selected.append("vmotion.key-vim.host.VirtualNic-vmk1")
    candidates = [
        vim.host.VirtualNic(device=v.device, key=f"key-vim.host.VirtualNic-{v.device}") for v in vnics
    ]
    net_config = [
        vim.host.VirtualNicManager.NetConfig(
            nicType=kind,
            multiSelectAllowed=True,
            candidateVnic=candidates,
            selectedVnic=[s for s in selected if s.startswith(kind)],
        )
        for kind in ("management", "vmotion")
    ]
    network = vim.host.NetworkInfo(
        pnic=pnics, vswitch=vswitches, portgroup=[vim.host.PortGroup(spec=g) for g in groups], vnic=vnics
    )
    return RawHost(None, {"name": name, "config.product.version": "8.0.3"}, network, net_config)


def _states(shape: str, applied: bool) -> dict[str, Any]:
    return {
        n: host_state(_host(n, ip, shape, applied))
        for n, ip in (("esx-a", "192.168.10.11"), ("esx-b", "192.168.10.12"))
    }


@pytest.mark.parametrize("applied", [False, True], ids=["fresh", "applied"])
def test_absent_and_empty_policy_sub_objects_read_plan_and_check_the_same(applied: bool) -> None:
    absent, empty = _states("absent", applied), _states("empty", applied)
    assert absent == empty
    assert absent["esx-a"].portgroup("VM Network").active is None  # inherited, in both shapes
    addressing = carve([CABLE], SUPERNET, hosts=list(absent.values()))
    plans = [make_plan(states, design(states, addressing.links)) for states in (absent, empty)]
    assert plans[0] == plans[1]
    assert plans[0].is_empty is applied  # after the apply, both shapes re-plan to nothing (idempotent)
    findings = [preflight(states, Pairing((CABLE,)), addressing) for states in (absent, empty)]
    assert findings[0] == findings[1]
    assert all(f.severity.value == "warning" for f in findings[0]), findings[0]
