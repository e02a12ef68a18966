"""The reboot quirk over HTTPS: after esx-b reboots, the shared layout's link whose NIC is not the vSwitch's
first uplink fails; an unchanged UpdatePortGroup does not bring it back, recover's toggle (active ->
standby -> active) does. Judged from outside the tool: esxcli pings on each host's own SOAP session and
stock pyVmomi reads of HostNetworkSystem.networkInfo (tests/sim/test_server_scenarios.Host)."""

from __future__ import annotations

from typing import Any

from tests.engine.twinlab import SUPERNET, TWO_LINKS, collect
from tests.sim.test_server_scenarios import Host
from vmesh_tui.core.design import DesignOptions
from vmesh_tui.engine import results
from vmesh_tui.engine.planning import PlanRequest

A, B = "esx-a.lab.local", "esx-b.lab.local"
PORTGROUPS = ("vmesh-vmotion-1", "vmesh-vmotion-2")  # on vmesh-shared, uplinks vmnic1 and vmnic2


def _vmks(host: Host) -> dict[str, tuple[str, str]]:
    """Portgroup -> (vmk device, IP) of the tool's vmks, from networkInfo."""
    return {
        v.portgroup: (v.device, v.spec.ip.ipAddress)
        for v in host.ns.networkInfo.vnic
        if v.portgroup in PORTGROUPS
    }


def _orders(host: Host) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """Portgroup -> (active, standby) NICs of the tool's portgroups, from networkInfo."""
    found = {}
    for group in host.ns.networkInfo.portgroup:
        if group.spec.name in PORTGROUPS:
            order = group.spec.policy.nicTeaming.nicOrder
            found[group.spec.name] = (tuple(order.activeNic or ()), tuple(order.standbyNic or ()))
    return found


def _judged(twin: Any) -> tuple[list[bool], dict[str, Any]]:
    """Per link, did jumbo DF pings answer both ways from the link's own vmks; and esx-b's failover orders."""
    hosts = {name: Host(twin.lab.host(name)) for name in (A, B)}
    try:
        vmks = {name: _vmks(host) for name, host in hosts.items()}
        links = []
        for group in PORTGROUPS:
            (a_vmk, a_ip), (b_vmk, b_ip) = vmks[A][group], vmks[B][group]
            links.append(hosts[A].ping(b_ip, a_vmk) == 2 and hosts[B].ping(a_ip, b_vmk) == 2)
        return links, _orders(hosts[B])
    finally:
        for host in hosts.values():
            host.close()


def _send_unchanged_updates(twin: Any) -> None:
    """What a script might try first: UpdatePortGroup with each portgroup's spec exactly as read."""
    host = Host(twin.lab.host(B))
    try:
        for group in host.ns.networkInfo.portgroup:
            if group.spec.name in PORTGROUPS:
                host.ns.UpdatePortGroup(group.spec.name, group.spec)
    finally:
        host.close()


async def test_after_a_reboot_only_the_toggle_restores_the_shared_layout(make_twin: Any) -> None:
    twin = make_twin()
    request = PlanRequest(SUPERNET, options=DesignOptions(layout="shared"), manual_links=TWO_LINKS)
    _, planned = await collect(twin.engine.plan(request))
    _, applied = await collect(twin.engine.apply(planned))
    assert applied.outcome == results.APPLIED, applied
    links, applied_orders = _judged(twin)
    assert links == [True, True]
    assert applied_orders == {"vmesh-vmotion-1": (("vmnic1",), ()), "vmesh-vmotion-2": (("vmnic2",), ())}

    twin.lab.reboot(B)  # egress now leaves through vmnic1, the shared vSwitch's first uplink
    assert _judged(twin) == ([True, False], applied_orders)
    _send_unchanged_updates(twin)
    assert _judged(twin) == ([True, False], applied_orders)  # an unchanged update is not the fix

    _, recovered = await collect(twin.engine.recover())
    assert recovered.ok, recovered
    assert recovered.rebooted == (B,)
    assert recovered.toggled == tuple(f"{B}/{group}" for group in PORTGROUPS)
    assert _judged(twin) == ([True, True], applied_orders)  # links pass, each order as applied
