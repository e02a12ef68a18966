"""CDP as QueryNetworkHint reports it: what a listening uplink heard from the other end of its wire.

Only uplinks of a vSwitch whose CDP operation is listen or both hear anything. Across a direct cable
they hear the far host if the far NIC is an uplink of a vSwitch that advertises (advertise or both);
on a switch port they hear the switch, which always advertises. In time (host/cdpclock.py): the first
advertisement comes an interval after advertising starts, and what was heard is kept for the hold time
after the last advertisement, even when the far end has stopped.
"""

from __future__ import annotations

from pyVmomi import vim

from vmesh_tui.sim.fabric.links import Links
from vmesh_tui.sim.host.cdpclock import LISTENS
from vmesh_tui.sim.host.simhost import SimHost


def network_hint(fabric: Links, host: SimHost, device: str) -> vim.host.PhysicalNic.NetworkHint:
    """The hint for one NIC; the caller holds the locks of every host."""
    hint = vim.host.PhysicalNic.NetworkHint(device=device)
    own = host.state.uplink_owner(device)
    link = fabric.negotiated(host.name, device)
    since = host.cdp.listening.get(device)
    if own is None or own.cdp not in LISTENS or link is None or since is None:
        return hint
    now = host.cdp.clock()
    switch = fabric.switch_of(host.name, device)
    if switch is not None:
        if not host.cdp.switch_heard(since, now):
            return hint
        kind = "TenGigabitEthernet" if link[0] >= 10000 else "GigabitEthernet"
        hint.connectedSwitchPort = _cdp_info(
            dev_id=switch.name,
            port_id=f"{kind}1/0/{fabric.switch_port_number(host.name, device)}",
            address=None,
            mtu=switch.mtu,
            platform="vmesh twin switch",
            software="vmesh twin switch 1.0",
            full_duplex=link[1],
            ttl=int(host.cdp.holdtime_s),
        )
        return hint
    peer = fabric.cable_peer(host.name, device)
    far = fabric.hosts.get(peer[0]) if peer else None
    if peer is None or far is None:
        return hint
    heard = far.cdp.last_heard(peer[1], since, now)
    if heard is None:
        return hint
    hint.connectedSwitchPort = _cdp_info(
        dev_id=far.name,
        port_id=peer[1],
        address=far.management_ip(),
        mtu=heard.mtu,
        platform="VMware ESX",
        software=f"Releasename: VMware ESXi {far.version}",
        full_duplex=link[1],
        ttl=int(far.cdp.holdtime_s),
    )
    return hint


def _cdp_info(
    *,
    dev_id: str,
    port_id: str,
    address: str | None,
    mtu: int,
    platform: str,
    software: str,
    full_duplex: bool,
    ttl: int,
) -> vim.host.PhysicalNic.CdpInfo:
    capability = vim.host.PhysicalNic.CdpDeviceCapability(
        router=False,
        transparentBridge=False,
        sourceRouteBridge=False,
        networkSwitch=True,
        host=False,
        igmpEnabled=False,
        repeater=False,
    )
    return vim.host.PhysicalNic.CdpInfo(
        cdpVersion=2,
        timeout=0,
        ttl=ttl,
        samples=60,
        devId=dev_id,
        address=address,
        portId=port_id,
        deviceCapability=capability,
        softwareVersion=software,
        hardwarePlatform=platform,
        ipPrefix="0.0.0.0",
        ipPrefixLen=0,
        vlan=0,
        fullDuplex=full_duplex,
        mtu=mtu,
        systemName=dev_id,
        systemOID="",
        mgmtAddr=address,
        location="",
    )
