"""The reboot quirk over HTTPS: after esx-b reboots, the shared layout's link whose NIC is not the vSwitch's
first uplink fails; an unchanged UpdatePortGroup does not bring it back, recover's toggle (active ->
standby -> active) does. Judged from outside the tool: esxcli pings on each host's own SOAP session
(tests/sim/test_server_scenarios.Host) and the independent reader (tests/hostview)."""

from __future__ import annotations

from typing import Any

from tests.engine.twinlab import SUPERNET, TWO_LINKS, collect
from tests.hostview.reader import read_lab
from tests.sim.test_server_scenarios import Host
from vmesh_tui.core.design import DesignOptions
from vmesh_tui.engine import results
from vmesh_tui.engine.planning import PlanRequest

A, B = "esx-a.lab.local", "esx-b.lab.local"
PORTGROUPS = ("vmesh-vmotion-1", "vmesh-vmotion-2")  # on vmesh-shared, uplinks vmnic1 and vmnic2


def _judged(twin: Any) -> tuple[list[bool], dict[str, Any]]:
    """Per link, did jumbo DF pings answer both ways from the link's own vmks; and esx-b's failover orders
    of the tool's portgroups, as the independent reader sees them."""
    views = read_lab(twin.lab)
    vmks = {
        name: {v["portgroup"]: (device, v["ip"]) for device, v in view["vmks"].items()}
        for name, view in views.items()
    }
    hosts = {name: Host(twin.lab.host(name)) for name in (A, B)}
    try:
        links = []
        for group in PORTGROUPS:
            (a_vmk, a_ip), (b_vmk, b_ip) = vmks[A][group], vmks[B][group]
            links.append(hosts[A].ping(b_ip, a_vmk) == 2 and hosts[B].ping(a_ip, b_vmk) == 2)
    finally:
        for host in hosts.values():
            host.close()
    groups = views[B]["portgroups"]
    return links, {name: (groups[name]["active"], groups[name]["standby"]) for name in PORTGROUPS}


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
