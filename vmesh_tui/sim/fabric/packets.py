"""A model of the vmkernel's ping (esxcli network diag ping / vmkping) across the fabric.

Egress: with an interface, the frame leaves through that vmk's portgroup's first active uplink with link
(then standby); without one, through the lowest-numbered vmk on the netstack whose subnet holds the
target. It crosses the cable or switch and is taken by the far host's vmk whose vSwitch has the receiving
NIC as an uplink (active or standby for that vmk's portgroup), whose IP is the target, on the same
netstack, and whose portgroup VLAN matches the sender's (frames keep their tag; 4095 takes any).
The far host routes its reply the same way (lowest vmk whose subnet holds the source; the receiving
vmk when none does). With df, a frame (payload + 28) above the smallest MTU on the way fails: on the
sender's own vmk or vSwitch with "Message too long", anywhere else silently (a timeout).

The receive rule goes beyond LAB_FORMAT.md's literal text, which only asks for "the vmk on the far host
whose vSwitch has the receiving NIC as an uplink and whose IP is the destination". The twin also demands:
- the receiving NIC is active or standby in the receiving vmk's portgroup (an unused NIC delivers nothing
  to it). Without this the reboot quirk could not be reproduced: in the shared layout (one vSwitch, every
  link NIC an uplink) a frame that leaves a rebooted host through the vSwitch's first uplink instead of its
  portgroup's own NIC reaches the far vSwitch anyway, and the literal rule would deliver it to the right
  vmk, so the "vMotion fails after a reboot until the portgroup is toggled" case would pass. With it, the
  frame lands on a NIC that is unused in the target vmk's portgroup and is lost, as on real hosts.
- the VLANs of the two portgroups match (4095, virtual guest tagging, passes every tag): a tagged
  portgroup never receives untagged or differently tagged frames, so a VLAN mismatch across a direct
  cable fails as it does on real hosts.
- the same netstack on both ends: each netstack is its own IP stack with its own addresses.
docs/twin-model.md lists every rule the twin applies, with its reason.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from vmesh_tui.sim.fabric.links import Links
from vmesh_tui.sim.host.simhost import SimHost
from vmesh_tui.sim.host.state import DEFAULT_NETSTACK, NETSTACKS, VnicState, parse_ipv4
from vmesh_tui.sim.host.wiring import PingOutcome, PingReply, PingRequest

IP_ICMP_HEADERS = 28
MAX_PAYLOAD = 65507
STACK_LATENCY_MS = 0.035  # per host traversal of the vmkernel stack
SWITCH_LATENCY_MS = 0.006
ALL_VLANS = 4095  # a portgroup in VLAN 4095 passes every tag (virtual guest tagging)


@dataclass(frozen=True)
class Arrival:
    host: str
    vnic: VnicState
    speed_mb: int
    via_switch: bool


def failed(error: str) -> PingOutcome:
    return PingOutcome(sent=0, received=0, error=error)


def route(host: SimHost, address: ipaddress.IPv4Address, netstack: str) -> VnicState | None:
    """The vmk the host's routing table picks: the lowest-numbered one whose subnet holds ``address``."""
    for vnic in host.state.vnics_sorted():
        iface = vnic.interface
        if vnic.netstack == netstack and iface is not None and address in iface.network:
            return vnic
    return None


def egress_nic(host: SimHost, vnic: VnicState) -> str | None:
    """The NIC a vmk's frames leave by; None for a vmk on a distributed switch (not modeled: lost)."""
    state = host.state
    if vnic.dvswitch:
        return None
    active, standby = state.effective_order(state.portgroups[vnic.portgroup], for_egress=True)
    return next((nic for nic in active + standby if host.link_of(nic) is not None), None)


def deliver(
    fabric: Links, source: str, vnic: VnicState, target: ipaddress.IPv4Address, frame: int, df: bool
) -> Arrival | None:
    """Where one frame from ``vnic`` to ``target`` ends up, or None when it is lost."""
    host = fabric.hosts[source]
    nic = egress_nic(host, vnic)
    if nic is None:
        return None
    sender_pg = host.state.portgroups[vnic.portgroup]
    vswitch = host.state.vswitches[sender_pg.vswitch]
    limit = min(vnic.mtu, vswitch.mtu, host.state.pnics[nic].max_mtu)
    switch = fabric.switch_of(source, nic)
    if switch is not None:
        limit = min(limit, switch.mtu)
    for far_name, far_nic in fabric.far_ends(source, nic):
        link = fabric.negotiated(far_name, far_nic)
        far = fabric.hosts.get(far_name)
        if far is None or link is None:
            continue
        owner = far.state.uplink_owner(far_nic)
        receiver = far.owns_address(target, vnic.netstack)
        if owner is None or receiver is None or receiver.dvswitch:
            continue
        pg = far.state.portgroups[receiver.portgroup]
        active, standby = far.state.effective_order(pg, for_egress=False)
        if pg.vswitch != owner.name or far_nic not in active + standby:
            continue
        if pg.vlan != sender_pg.vlan and ALL_VLANS not in (pg.vlan, sender_pg.vlan):
            continue
        if df and frame > min(limit, far.state.pnics[far_nic].max_mtu, owner.mtu, receiver.mtu):
            return None
        speed = min(link[0], fabric.negotiated(source, nic)[0])  # type: ignore[index]
        return Arrival(far_name, receiver, speed, switch is not None)
    return None


def run_ping(fabric: Links, request: PingRequest) -> PingOutcome:
    """One ping run; the caller holds every host's lock. ``request.wait`` is accepted and not slept."""
    source, target, interface = request.source, request.target, request.interface
    size, df, count = request.size, request.df, request.count
    host = fabric.hosts[source]
    stack = request.netstack or DEFAULT_NETSTACK
    if stack not in NETSTACKS:
        return failed(f"Invalid netstack instance '{stack}'")
    address = parse_ipv4(target)
    if address is None:
        return failed(f"Unknown host '{target}'")
    if count < 1 or size < 0:
        return failed("Invalid argument: count must be at least 1 and size not negative")
    if size > MAX_PAYLOAD:
        return failed("Message too long")
    if interface is not None:
        vnic = host.state.vnics.get(interface)
        if vnic is None or vnic.netstack != stack:
            return failed(f"Unknown interface '{interface}'")
    else:
        vnic = route(host, address, stack)
    if vnic is None or vnic.ip is None:
        return failed("Network is unreachable")
    frame = size + IP_ICMP_HEADERS
    if vnic.dvswitch:
        vswitch_mtu = host.state.proxies[vnic.dvswitch].mtu
    else:
        vswitch_mtu = host.state.vswitches[host.state.portgroups[vnic.portgroup].vswitch].mtu
    if df and frame > min(vnic.mtu, vswitch_mtu):
        return failed("Message too long")
    if host.owns_address(address, stack) is not None:
        return _answered(target, size, count, [])
    forward = deliver(fabric, source, vnic, address, frame, df)
    if forward is None:
        return _lost(count)
    far = fabric.hosts[forward.host]
    reply_vnic = route(far, ipaddress.IPv4Address(vnic.ip), stack) or forward.vnic
    back = deliver(fabric, forward.host, reply_vnic, ipaddress.IPv4Address(vnic.ip), frame, df)
    if back is None or back.host != source:
        return _lost(count)
    return _answered(target, size, count, [forward, back])


def _lost(count: int) -> PingOutcome:
    return PingOutcome(sent=count, received=0)


def _answered(target: str, size: int, count: int, trips: list[Arrival]) -> PingOutcome:
    """Replies with round-trip times from the serialisation delay of each trip and a small per-seq drift."""
    frame_bits = (size + IP_ICMP_HEADERS + 18) * 8
    base = STACK_LATENCY_MS * 2
    for trip in trips:
        base += STACK_LATENCY_MS + frame_bits / (trip.speed_mb * 1000.0)
        base += SWITCH_LATENCY_MS if trip.via_switch else 0.0
    replies = [
        PingReply(target, 64, seq, size + 8, round(base * (1 + 0.04 * (seq % 3)), 3)) for seq in range(count)
    ]
    rtts = [r.rtt for r in replies]
    return PingOutcome(
        sent=count,
        received=count,
        packet_lost_pct=0,
        rtt_min=min(rtts),
        rtt_avg=round(sum(rtts) / len(rtts), 3),
        rtt_max=max(rtts),
        replies=replies,
    )
