"""The pure parts: pyVmomi data objects -> HostState, Step -> full specs, esxcli ping responses.

These build real pyVmomi data objects (as a host would return them); nothing is mocked.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape

from pyVmomi import vim

from vmesh_tui.core.model import CdpMode, Pnic, Portgroup, Vmk, VSwitch
from vmesh_tui.vsphere.actions import link_speed, portgroup_spec, vmk_spec, vswitch_spec
from vmesh_tui.vsphere.hostread import RawHost
from vmesh_tui.vsphere.inventory import host_state, map_neighbor, map_portgroup, map_vmk, vmk_services
from vmesh_tui.vsphere.ping import parse_ping, ping_arguments

Order = vim.host.NetworkPolicy.NicOrderPolicy


Policy = vim.host.NetworkPolicy
Teaming = vim.host.NetworkPolicy.NicTeamingPolicy


def _network() -> vim.host.NetworkInfo:
    """A host's networkInfo written out as a host sends it (literal objects, not the tool's builders)."""
    switch_spec = vim.host.VirtualSwitch.Specification(
        numPorts=64,
        mtu=9000,
        bridge=vim.host.VirtualSwitch.BondBridge(
            nicDevice=["vmnic1"],
            linkDiscoveryProtocolConfig=vim.host.LinkDiscoveryProtocolConfig(
                protocol="cdp", operation="advertise"
            ),
        ),
        policy=Policy(nicTeaming=Teaming(nicOrder=Order(activeNic=["vmnic1"]))),
    )
    pg_override = vim.host.PortGroup.Specification(
        name="vmesh-1",
        vswitchName="vmesh-1",
        vlanId=0,
        policy=Policy(nicTeaming=Teaming(policy="failover_explicit", nicOrder=Order(activeNic=["vmnic1"]))),
    )
    pg_inherit = vim.host.PortGroup.Specification(
        name="plain", vswitchName="vmesh-1", vlanId=5, policy=Policy()
    )
    vnic_spec = vim.host.VirtualNic.Specification(
        mtu=9000,
        mac="00:50:56:00:00:01",
        ip=vim.host.IpConfig(dhcp=False, ipAddress="10.0.0.1", subnetMask="255.255.255.252"),
    )
    return vim.host.NetworkInfo(
        pnic=[
            vim.host.PhysicalNic(
                device="vmnic1",
                mac="00:50:56:aa:00:01",
                driver="igb",
                linkSpeed=vim.host.PhysicalNic.LinkSpeedDuplex(speedMb=1000, duplex=True),
                spec=vim.host.PhysicalNic.Specification(
                    linkSpeed=vim.host.PhysicalNic.LinkSpeedDuplex(speedMb=1000, duplex=False)
                ),
            ),
            vim.host.PhysicalNic(
                device="vmnic2", mac="00:50:56:aa:00:02", spec=vim.host.PhysicalNic.Specification()
            ),
        ],
        vswitch=[vim.host.VirtualSwitch(name="vmesh-1", mtu=9000, numPorts=64, spec=switch_spec)],
        portgroup=[vim.host.PortGroup(spec=pg_override), vim.host.PortGroup(spec=pg_inherit)],
        vnic=[vim.host.VirtualNic(device="vmk1", portgroup="vmesh-1", spec=vnic_spec)],
    )


def test_host_state_maps_specs_exactly() -> None:
    net_config = [
        vim.host.VirtualNicManager.NetConfig(
            nicType="vmotion",
            multiSelectAllowed=True,
            candidateVnic=[vim.host.VirtualNic(device="vmk1", key="key-vim.host.VirtualNic-vmk1")],
            selectedVnic=["vmotion.key-vim.host.VirtualNic-vmk1"],
        )
    ]
    hint = vim.host.PhysicalNic.NetworkHint(
        device="vmnic1",
        connectedSwitchPort=vim.host.PhysicalNic.CdpInfo(devId="esx-b", portId="vmnic1", mtu=9000),
    )
    raw = RawHost(
        moref=None,
        props={"name": "esx-a", "config.product.version": "8.0.3", "runtime.connectionState": "connected"},
        network=_network(),
        net_config=net_config,
        hints=[hint],
    )
    state = host_state(raw)
    assert (state.name, state.version) == ("esx-a", "8.0.3")
    assert state.pnics == (
        Pnic("vmnic1", "00:50:56:aa:00:01", "igb", 1000, True, 1000, False, map_neighbor(hint)),
        Pnic("vmnic2", "00:50:56:aa:00:02", "", None, True, None, True, None),
    )
    assert state.pnics[0].neighbor is not None and state.pnics[0].neighbor.device_id == "esx-b"
    assert state.vswitches == (VSwitch("vmesh-1", 9000, ("vmnic1",), ("vmnic1",), (), CdpMode.ADVERTISE, 64),)
    assert state.portgroups == (
        Portgroup("vmesh-1", "vmesh-1", 0, ("vmnic1",), (), "failover_explicit"),
        Portgroup("plain", "vmesh-1", 5, None, None, None),
    )
    assert state.vmks == (
        Vmk("vmk1", "vmesh-1", "10.0.0.1", 30, 9000, frozenset({"vmotion"}), mac="00:50:56:00:00:01"),
    )


def test_active_and_standby_come_from_their_own_lists() -> None:
    group = vim.host.PortGroup(
        spec=vim.host.PortGroup.Specification(
            name="pg",
            vswitchName="vs",
            vlanId=0,
            policy=Policy(
                nicTeaming=Teaming(
                    policy="failover_explicit", nicOrder=Order(activeNic=["vmnic1"], standbyNic=["vmnic2"])
                )
            ),
        )
    )
    assert map_portgroup(group) == Portgroup("pg", "vs", 0, ("vmnic1",), ("vmnic2",), "failover_explicit")


def test_vmotion_netstack_implies_vmotion() -> None:
    spec = vim.host.VirtualNic.Specification(
        mtu=9000,
        netStackInstanceKey="vmotion",
        ip=vim.host.IpConfig(dhcp=False, ipAddress="10.2.0.1", subnetMask="255.255.255.252"),
    )
    raw = vim.host.VirtualNic(device="vmk2", portgroup="pg", spec=spec)
    assert map_vmk(raw, frozenset({"vmotion"})) == Vmk(
        "vmk2", "pg", "10.2.0.1", 30, 9000, frozenset(), "vmotion"
    )
    assert map_vmk(raw, frozenset({"vmotion", "provisioning"})).services == frozenset({"provisioning"})


def test_selected_vnics_resolve_through_candidates() -> None:
    configs = [
        vim.host.VirtualNicManager.NetConfig(
            nicType=kind,
            multiSelectAllowed=True,
            candidateVnic=[
                vim.host.VirtualNic(device="vmk0", key="k0"),
                vim.host.VirtualNic(device="vmk3", key="k3"),
            ],
            selectedVnic=selected,
        )
        for kind, selected in (("management", ["k0"]), ("vmotion", ["k3"]), ("faultToleranceLogging", []))
    ]
    assert vmk_services(configs) == {"vmk0": frozenset({"management"}), "vmk3": frozenset({"vmotion"})}


def test_update_keeps_what_the_tool_does_not_model() -> None:
    base = vim.host.VirtualSwitch.Specification(  # as a host sends it (literal, not the tool's builder)
        numPorts=128,
        mtu=1500,
        bridge=vim.host.VirtualSwitch.BondBridge(
            nicDevice=["vmnic1"],
            beacon=vim.host.VirtualSwitch.BeaconConfig(interval=1),
            linkDiscoveryProtocolConfig=vim.host.LinkDiscoveryProtocolConfig(
                protocol="cdp", operation="listen"
            ),
        ),
        policy=Policy(
            security=vim.host.NetworkPolicy.SecurityPolicy(allowPromiscuous=False, forgedTransmits=True),
            nicTeaming=Teaming(policy="failover_explicit", nicOrder=Order(activeNic=["vmnic1"])),
        ),
    )
    wider = vswitch_spec(VSwitch("vmesh-1", 9000, ("vmnic1", "vmnic2"), ("vmnic1",), ("vmnic2",)), base)
    assert wider.mtu == 9000 and list(wider.bridge.nicDevice) == ["vmnic1", "vmnic2"]
    assert wider.bridge.beacon.interval == 1 and wider.policy.security.forgedTransmits is True
    assert list(wider.policy.nicTeaming.nicOrder.standbyNic) == ["vmnic2"]
    assert base.mtu == 1500  # the cached spec itself is not changed
    no_uplinks = vswitch_spec(VSwitch("vmesh-1", 9000), base)
    assert no_uplinks.bridge is None  # removing uplinks is explicit, never an accident of a partial spec


def test_portgroup_override_and_inherit_specs() -> None:
    override = portgroup_spec(Portgroup("pg", "vs", 7, ("vmnic1",), (), "failover_explicit"))
    order = override.policy.nicTeaming.nicOrder
    assert (override.name, override.vswitchName, override.vlanId) == ("pg", "vs", 7)
    assert list(order.activeNic) == ["vmnic1"] and not order.standbyNic  # others unused, not standby
    both = portgroup_spec(Portgroup("pg", "vs", 7, ("vmnic1",), ("vmnic2",), "failover_explicit"))
    assert list(both.policy.nicTeaming.nicOrder.activeNic) == ["vmnic1"]
    assert list(both.policy.nicTeaming.nicOrder.standbyNic) == ["vmnic2"]
    assert override.policy.nicTeaming.policy == "failover_explicit"
    sent = vim.host.PortGroup.Specification(  # a host's override, literal
        name="pg",
        vswitchName="vs",
        vlanId=7,
        policy=Policy(nicTeaming=Teaming(policy="failover_explicit", nicOrder=Order(activeNic=["vmnic1"]))),
    )
    inherit = portgroup_spec(Portgroup("pg", "vs", 7), base=sent)
    assert inherit.policy.nicTeaming is None


def test_vmk_and_pnic_specs() -> None:
    spec = vmk_spec(Vmk("", "pg", "10.1.0.5", 30, 9000, netstack="vmotion"), with_netstack=True)
    assert (spec.ip.ipAddress, spec.ip.subnetMask, spec.ip.dhcp, spec.mtu) == (
        "10.1.0.5",
        "255.255.255.252",
        False,
        9000,
    )
    assert spec.netStackInstanceKey == "vmotion"
    assert vmk_spec(Vmk("", "pg", "10.1.0.5", 31, 1500), with_netstack=False).netStackInstanceKey is None
    assert link_speed(Pnic("vmnic1", "")) is None
    forced = link_speed(Pnic("vmnic1", "", configured_speed_mb=1000, configured_full_duplex=True))
    assert (forced.speedMb, forced.duplex) == (1000, True)


def _returnval(inner: str) -> ET.Element:
    return ET.fromstring(f"<returnval>{inner}</returnval>")


def test_parse_ping_summary_of_a_real_host() -> None:
    document = (
        '<obj xmlns="urn:vim25" versionId="5.0"><Summary><Duplicated>0</Duplicated>'
        "<HostAddr>10.0.0.2</HostAddr>"
        "<PacketLost>33</PacketLost><Recieved>2</Recieved><RoundtripAvg>250</RoundtripAvg>"
        "<RoundtripAvgMS>0</RoundtripAvgMS><RoundtripMax>312</RoundtripMax><RoundtripMaxMS>0</RoundtripMaxMS>"
        "<RoundtripMin>188</RoundtripMin><RoundtripMinMS>0</RoundtripMinMS><Transmitted>3</Transmitted></Summary>"
        "<Trace><ICMPSeq>0</ICMPSeq><RoundtripTime>250</RoundtripTime></Trace></obj>"
    )
    result = parse_ping(_returnval(f"<response>{escape(document)}</response>"), 3)
    assert (result.sent, result.received, result.loss_pct, result.rtt_avg_ms, result.error) == (
        3,
        2,
        33.0,
        0.25,
        None,
    )
    assert (result.rtt_min_ms, result.rtt_max_ms) == (0.188, 0.312)  # microseconds, not the MS fields
    assert result.ok


def test_parse_ping_round_trips_fall_back_to_the_ms_fields() -> None:
    document = (
        "<obj><Summary><PacketLost>0</PacketLost><Recieved>3</Recieved><RoundtripAvgMS>2</RoundtripAvgMS>"
        "<RoundtripMaxMS>4</RoundtripMaxMS><RoundtripMinMS>1</RoundtripMinMS><Transmitted>3</Transmitted>"
        "</Summary></obj>"
    )
    result = parse_ping(_returnval(f"<response>{escape(document)}</response>"), 3)
    assert (result.rtt_min_ms, result.rtt_avg_ms, result.rtt_max_ms) == (1.0, 2.0, 4.0)


def test_parse_ping_cli_fault_message_too_long() -> None:
    detail = escape("<obj><fault><errMsg>sendto() failed (Message too long)</errMsg></fault></obj>")
    message = "<faultMsg>sendto() failed (Message too long)</faultMsg>"
    fault = f"<fault>{message}<faultDetail>{detail}</faultDetail></fault>"
    result = parse_ping(_returnval(fault), 3)
    assert (result.sent, result.received, result.loss_pct, result.error) == (3, 0, 100.0, "Message too long")
    assert not result.ok


def test_parse_ping_total_loss_and_garbage() -> None:
    lost = "<obj><Summary><PacketLost>100</PacketLost><Recieved>0</Recieved><Transmitted>2</Transmitted>"
    lost += "</Summary></obj>"
    result = parse_ping(_returnval(f"<response>{escape(lost)}</response>"), 2)
    assert (result.received, result.loss_pct, result.rtt_avg_ms, result.ok) == (0, 100.0, None, False)
    assert (result.rtt_min_ms, result.rtt_max_ms) == (None, None)
    assert parse_ping(_returnval("<response>not xml</response>"), 2).error is not None


def test_ping_arguments_leave_out_unset_values() -> None:
    args = ping_arguments("10.0.0.2", interface="vmk1", size=8972, df=True, count=3, netstack=None, wait=1)
    assert args == [
        ("host", "10.0.0.2"),
        ("interface", "vmk1"),
        ("size", "8972"),
        ("df", "true"),
        ("count", "3"),
        ("wait", "1"),
    ]


def _summary(fields: str) -> ET.Element:
    return _returnval(f"<response>{escape(f'<obj><Summary>{fields}</Summary></obj>')}</response>")


def test_ping_pass_and_fail_come_from_the_counts_never_from_round_trips() -> None:
    # every reply back, round-trip fields absent or not numbers: a pass
    whole = parse_ping(
        _summary("<Transmitted>3</Transmitted><Recieved>3</Recieved><RoundtripAvg>n/a</RoundtripAvg>"), 3
    )
    assert (whole.sent, whole.received, whole.loss_pct, whole.rtt_avg_ms, whole.ok) == (3, 3, 0.0, None, True)
    # nothing back, yet round-trip values present (as a build might send zeros or stale values): a failure
    silent = "<Transmitted>3</Transmitted><Recieved>0</Recieved><PacketLost>100</PacketLost>"
    silent += "<RoundtripAvg>250</RoundtripAvg><RoundtripMin>188</RoundtripMin>"
    assert not parse_ping(_summary(silent), 3).ok
    # the counts missing, the loss given: the loss decides
    assert (
        parse_ping(_summary("<PacketLost>100</PacketLost><RoundtripAvgMS>1</RoundtripAvgMS>"), 3).ok is False
    )
    lossy = parse_ping(_summary("<PacketLost>33</PacketLost>"), 3)
    assert (lossy.sent, lossy.received, lossy.ok) == (3, 2, True)
    # neither counts nor loss: not judged a pass, whatever the round trips say
    none = parse_ping(_summary("<RoundtripAvg>250</RoundtripAvg>"), 3)
    assert not none.ok and none.error == "the ping response has no summary"


def test_distributed_switch_uplinks_and_vmks_map_from_a_proxy_switch() -> None:
    uuid = "50 0b 7f 3e 8c 9a 4b 1d-9f 2e 6a 7c 5d 3b 1a 0e"
    proxy = vim.host.HostProxySwitch(
        dvsUuid=uuid,
        dvsName="dvs-prod",
        key=uuid,
        numPorts=512,
        pnic=["key-vim.host.PhysicalNic-vmnic3"],  # the uplinks as keys ...
        spec=vim.host.HostProxySwitch.Specification(
            backing=vim.dvs.HostMember.PnicBacking(  # ... and in the backing, by device
                pnicSpec=[vim.dvs.HostMember.PnicSpec(pnicDevice="vmnic2", uplinkPortKey="16")]
            )
        ),
    )
    port = vim.dvs.PortConnection(switchUuid=uuid, portgroupKey="dvportgroup-21", portKey="7")
    vnic = vim.host.VirtualNic(
        device="vmk2",
        portgroup="",
        spec=vim.host.VirtualNic.Specification(
            mtu=9000,
            distributedVirtualPort=port,
            ip=vim.host.IpConfig(dhcp=False, ipAddress="10.40.0.11", subnetMask="255.255.255.0"),
        ),
    )
    network = vim.host.NetworkInfo(
        pnic=[
            vim.host.PhysicalNic(device=f"vmnic{n}", key=f"key-vim.host.PhysicalNic-vmnic{n}", mac="")
            for n in (2, 3)
        ],
        proxySwitch=[proxy],
        vnic=[vnic],
    )
    state = host_state(RawHost(None, {"name": "esx-a"}, network, []))
    assert [(p.name, p.uplinks) for p in state.proxy_switches] == [("dvs-prod", ("vmnic2", "vmnic3"))]
    assert state.nic_user("vmnic3") == "distributed switch dvs-prod" and state.uplink_owner("vmnic3") is None
    assert state.vmks == (Vmk("vmk2", "", "10.40.0.11", 24, 9000, distributed="dvs-prod/dvportgroup-21"),)
