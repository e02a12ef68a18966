"""Apply, validate, re-apply and revert the demo lab through the adapter against the twin over HTTPS."""

from __future__ import annotations

from typing import Any

from tests.engine.twinlab import SUPERNET, TWO_LINKS, collect, demo_spec
from vmesh_tui.core.design import DesignOptions
from vmesh_tui.core.model import HostState, Vmk
from vmesh_tui.core.steps import Action, Step
from vmesh_tui.engine import results
from vmesh_tui.engine.journal import all_journals
from vmesh_tui.engine.lock import HostSetLock
from vmesh_tui.engine.planning import PlanRequest


async def _plan(engine: Any, request: PlanRequest) -> Any:
    _, planned = await collect(engine.plan(request))
    return planned


async def test_demo_lab_end_to_end(make_twin: Any) -> None:
    twin = make_twin()
    start = twin.client.read_all()
    start_twin = _twin_network(twin)
    planned = await _plan(twin.engine, PlanRequest(SUPERNET))
    assert len(planned.links) == 4 and not planned.errors
    events, applied = await collect(twin.engine.apply(planned))
    assert applied.outcome == results.APPLIED, applied
    assert sum(e.kind == "step_done" for e in events) == len(planned.plan.steps)
    assert {e.host for e in events if e.kind == "step_done"} == set(start)

    pings, check = await collect(twin.engine.validate())
    assert check.ok, check
    assert len(check.links) == 4 and all(link.ok for link in check.links)
    directions = {(e.data["link_index"], e.data["forward"]) for e in pings if e.kind == "ping"}
    assert directions == {(i, forward) for i in range(4) for forward in (True, False)}

    again = await _plan(twin.engine, PlanRequest(SUPERNET))
    assert again.plan.is_empty
    _, noop = await collect(twin.engine.apply(again))
    assert noop.outcome == results.NOTHING_TO_DO and "nothing to do" in noop.message

    _, reverted = await collect(twin.engine.revert())
    assert reverted.ok and reverted.differences == (), reverted
    assert twin.client.read_all() == start
    assert _twin_network(twin) == start_twin
    (journal,) = all_journals(twin.home / "state")
    assert journal.closed and journal.status == "reverted"


def _twin_network(twin: Any) -> dict[str, str]:
    """The twin's own network info and vMotion selection per host, serialized as on the wire."""
    from pyVmomi.SoapAdapter import Serialize

    found = {}
    for host in twin.lab.hosts:
        sim = twin.lab.endpoint(host.name).sim
        parts = [Serialize(sim.network_info()), *(Serialize(c) for c in sim.net_config())]
        found[host.name] = "".join(p.decode() if isinstance(p, bytes) else p for p in parts)
    return found


async def test_stale_plan_is_refused(make_twin: Any) -> None:
    twin = make_twin()
    planned = await _plan(twin.engine, PlanRequest(SUPERNET, manual_links=TWO_LINKS))
    host = "esx-a.lab.local"
    state: HostState = twin.client.read_all()[host]
    first_vmk = next(s for s in planned.plan.for_host(host) if isinstance(s.after, Vmk))
    assert first_vmk  # the plan wants vmks; someone else now takes a NIC the plan uses
    grabbed = planned.plan.for_host(host)[0].after
    twin.client.run_step(Step(host, Action.ADD, None, grabbed))
    _, refused = await collect(twin.engine.apply(planned))
    assert refused.outcome == results.REFUSED
    assert any("changed since the plan" in r for r in refused.reasons), refused.reasons
    assert twin.client.read_all()[host].vswitches == (*state.vswitches, grabbed)


async def test_second_apply_on_same_hosts_is_refused(make_twin: Any) -> None:
    twin = make_twin()
    planned = await _plan(twin.engine, PlanRequest(SUPERNET, manual_links=TWO_LINKS))
    with HostSetLock(twin.home / "state", ["esx-b.lab.local"]):
        _, refused = await collect(twin.engine.apply(planned))
    assert refused.outcome == results.REFUSED and "esx-b.lab.local" in refused.message


async def test_three_host_mesh(make_twin: Any) -> None:
    spec = demo_spec()
    from vmesh_tui.sim.lab.spec import CableSpec

    third = _renamed_host(spec.hosts[1], "esx-c.lab.local")
    cables = (
        CableSpec("esx-a.lab.local/vmnic1", "esx-b.lab.local/vmnic1"),
        CableSpec("esx-a.lab.local/vmnic2", "esx-c.lab.local/vmnic2"),
        CableSpec("esx-b.lab.local/vmnic5", "esx-c.lab.local/vmnic5"),
    )
    twin = make_twin(demo_spec(hosts=(*spec.hosts, third), cables=cables, switches=()))
    start = twin.client.read_all()
    planned = await _plan(twin.engine, PlanRequest(SUPERNET, options=DesignOptions()))
    assert len(planned.links) == 3
    _, applied = await collect(twin.engine.apply(planned))
    assert applied.outcome == results.APPLIED
    _, check = await collect(twin.engine.validate())
    assert check.ok and len(check.links) == 3, check
    _, reverted = await collect(twin.engine.revert())
    assert reverted.ok and twin.client.read_all() == start


def _renamed_host(host: Any, name: str) -> Any:
    import dataclasses

    vmks = tuple(dataclasses.replace(v, ip="192.168.10.13/24") for v in host.vmks)
    return dataclasses.replace(host, name=name, vmks=vmks)


async def test_no_secret_reaches_the_state_or_config_files(make_twin: Any) -> None:
    import dataclasses

    secret = "Pw-7f3c9-never-on-disk"
    spec = demo_spec()
    twin = make_twin(
        dataclasses.replace(spec, hosts=tuple(dataclasses.replace(h, password=secret) for h in spec.hosts))
    )
    planned = await _plan(twin.engine, PlanRequest(SUPERNET, manual_links=TWO_LINKS))
    _, applied = await collect(twin.engine.apply(planned))
    assert applied.outcome == results.APPLIED, applied
    assert _owned_vswitches(twin, secret) == {h.name: ["vmesh-1", "vmesh-2"] for h in twin.lab.hosts}
    _, reverted = await collect(twin.engine.revert())
    assert reverted.ok, reverted
    assert _owned_vswitches(twin, secret) == {h.name: [] for h in twin.lab.hosts}
    files = [p for p in twin.home.rglob("*") if p.is_file()]
    assert any(p.suffix == ".json" for p in files)
    assert all(secret not in p.read_text(errors="replace") for p in files)


def _owned_vswitches(twin: Any, password: str) -> dict[str, list[str]]:
    """The vmesh-* vSwitches of each host, read with stock pyVmomi (none of the tool's code) from
    HostNetworkSystem.networkInfo."""
    from pyVim.connect import Disconnect, SmartConnect

    found = {}
    for host in twin.lab.hosts:
        address, port = host.url.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)
        si = SmartConnect(
            host=address, port=int(port), user=host.user, pwd=password, disableSslCertValidation=True
        )
        try:
            system = si.content.rootFolder.childEntity[0].hostFolder.childEntity[0].host[0]
            info = system.configManager.networkSystem.networkInfo
            found[host.name] = sorted(v.name for v in info.vswitch if v.name.startswith("vmesh-"))
        finally:
            Disconnect(si)
    return found


async def test_forced_link_speed_is_applied_and_restored_by_revert(make_twin: Any) -> None:
    from vmesh_tui.core.design import NicSpeed

    twin = make_twin()
    start = twin.client.read_all()
    speeds = (NicSpeed("esx-a.lab.local/vmnic1", 1000), NicSpeed("esx-b.lab.local/vmnic1", 1000))
    request = PlanRequest(SUPERNET, options=DesignOptions(nic_speeds=speeds), manual_links=TWO_LINKS)
    planned = await _plan(twin.engine, request)
    assert sum(s.kind == "update_pnic" for s in planned.plan.steps) == 2
    _, applied = await collect(twin.engine.apply(planned))
    assert applied.outcome == results.APPLIED, applied
    forced = twin.client.read_all()["esx-a.lab.local"].pnic("vmnic1")
    assert forced is not None and forced.configured_speed_mb == 1000
    _, reverted = await collect(twin.engine.revert())
    assert reverted.ok and reverted.differences == ()
    back = twin.client.read_all()
    assert back["esx-a.lab.local"].pnic("vmnic1") == start["esx-a.lab.local"].pnic("vmnic1")
    assert back == start
