"""Properties over random hosts, NICs, existing networks, supernets and cables (hypothesis)."""

from __future__ import annotations

from dataclasses import replace

import netaddr
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from vmesh_tui.core.addressing import carve
from vmesh_tui.core.design import DesignOptions, design
from vmesh_tui.core.errors import CoreError
from vmesh_tui.core.esxcli import render_esxcli
from vmesh_tui.core.model import HostState, Neighbor, Pnic, Portgroup, Vmk, VSwitch
from vmesh_tui.core.ordering import canonical_state
from vmesh_tui.core.pairing import Cable, link, propose_cables, unlink
from vmesh_tui.core.plan import Plan, apply_plan, make_plan

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def host_states(draw: st.DrawFn, name: str) -> HostState:
    count = draw(st.integers(3, 8))
    up = draw(st.lists(st.booleans(), min_size=count, max_size=count))
    pnics = tuple(
        Pnic(f"vmnic{i}", f"00:00:00:00:00:{i:02x}", speed_mb=1000 if up[i] else None) for i in range(count)
    )
    foreign = ("vmnic0", *(f"vmnic{i}" for i in range(1, count) if draw(st.integers(0, 4)) == 0))
    octet = draw(st.integers(0, 255))
    length = draw(st.sampled_from((8, 16, 24, 28)))
    mgmt = netaddr.IPNetwork(f"10.{octet}.7.9/{length}")
    return canonical_state(
        HostState(
            name=name,
            pnics=pnics,
            vswitches=(VSwitch("vSwitch0", 1500, foreign, foreign),),
            portgroups=(Portgroup("Management Network", "vSwitch0"),),
            vmks=(
                Vmk("vmk0", "Management Network", str(mgmt.ip), length, services=frozenset({"management"})),
            ),
        )
    )


@st.composite
def labs(draw: st.DrawFn) -> tuple[dict[str, HostState], list[Cable]]:
    names = [f"esx-{c}" for c in "abcd"[: draw(st.integers(2, 4))]]
    hosts = {n: draw(host_states(n)) for n in names}
    pairing = propose_cables(list(hosts.values()))
    free = [e.ref for e in pairing.excluded if "link it by hand" in e.reason]
    for _ in range(draw(st.integers(0, 3))):
        if len(free) < 2:
            break
        a, b = draw(st.permutations(free))[:2]
        if a.split("/")[0] != b.split("/")[0]:
            pairing = link(pairing, list(hosts.values()), a, b)
            free = [r for r in free if r not in (a, b)]
    if pairing.cables and draw(st.booleans()):
        pairing = unlink(pairing, draw(st.sampled_from(pairing.cables)).a)
    return hosts, list(pairing.cables)


supernets = st.builds(
    lambda a, b, length: f"{netaddr.IPNetwork(f'{a}.{b}.0.0/{length}').cidr}",
    st.sampled_from((10, 172, 192)),
    st.integers(0, 255),
    st.integers(16, 26),
)
options = st.builds(
    DesignOptions,
    layout=st.sampled_from(("per-link", "shared")),
    netstack=st.sampled_from(("default", "vmotion")),
    mtu=st.sampled_from((1500, 9000)),
)


def _without_new_names(states: dict[str, HostState]) -> dict[str, HostState]:
    """States with tool-owned vmk device names and MACs blanked: the host picks those."""
    blank = {}
    for name, state in states.items():
        vmks = tuple(
            replace(v, device="", mac="") if v.portgroup.startswith("vmesh-") else v for v in state.vmks
        )
        blank[name] = canonical_state(replace(state, vmks=vmks))
    return blank


@SETTINGS
@given(labs(), supernets, st.sampled_from((30, 31)))
def test_subnets_are_disjoint_inside_the_supernet_and_clear_of_existing(lab, supernet, prefix):
    hosts, cables = lab
    try:
        links = carve(cables, supernet, prefix, list(hosts.values())).links
    except CoreError as error:
        assert error.code in ("overlap", "supernet-too-small")
        return
    nets = [netaddr.IPNetwork(link.subnet) for link in links]
    existing = [netaddr.IPNetwork(v.cidr) for h in hosts.values() for v in h.vmks]
    assert len(links) == len(cables)
    assert all(net in netaddr.IPNetwork(supernet) and net.prefixlen == prefix for net in nets)
    assert len(netaddr.cidr_merge(nets)) <= len(nets) and netaddr.IPSet(nets).size == sum(
        n.size for n in nets
    )
    assert not any(net in old or old in net for net in nets for old in existing)
    for item, net in zip(links, nets):
        a_ip, b_ip = netaddr.IPAddress(item.a_ip), netaddr.IPAddress(item.b_ip)
        assert a_ip in net and b_ip in net and a_ip < b_ip
        assert prefix == 31 or (net.network not in (a_ip, b_ip) and net.broadcast not in (a_ip, b_ip))


@SETTINGS
@given(labs(), supernets, options, st.integers(0, 40))
def test_design_plan_apply_and_revert(lab, supernet, opts, cut):
    hosts, cables = lab
    try:
        links = carve(cables, supernet, 30, list(hosts.values())).links
    except CoreError:
        assume(False)
    # Start from a half-applied earlier run with a different layout, so plans meet owned leftovers.
    earlier = make_plan(hosts, design(hosts, links[::2], DesignOptions(layout="per-link")))
    observed = apply_plan(hosts, Plan(earlier.steps[:cut]))
    desired = design(observed, links, opts)
    for name, state in desired.items():
        ours = [v for v in state.vmks if v.portgroup.startswith("vmesh-")]
        mine = [link for link in links if name in link.cable.hosts]
        assert len(ours) == len(mine)
        assert {str(netaddr.IPNetwork(v.cidr).cidr) for v in ours} == {link.subnet for link in mine}
    assert make_plan(desired, desired).is_empty
    plan = make_plan(observed, desired)
    applied = apply_plan(observed, plan)
    assert _without_new_names(applied) == _without_new_names(desired)
    assert make_plan(applied, design(applied, links, opts)).is_empty
    assert apply_plan(applied, plan.inverse()) == observed
    rendered = render_esxcli(plan, observed)
    for step in (s for s in plan.steps if s.kind == "add_vmk"):
        device = applied[step.host].vmk_on(step.target).device
        assert any(
            line.startswith(f"esxcli network ip interface add -i {device} -p {step.target} ")
            for line in rendered[step.host]
        )


@SETTINGS
@given(st.text(max_size=30), st.one_of(st.integers(-5, 40), st.text(max_size=4), st.none()))
def test_bad_supernets_and_prefixes_only_raise_core_errors(supernet, prefix):
    try:
        carve([Cable.between("a/vmnic1", "b/vmnic1", "name", False)], supernet, prefix)
    except CoreError as error:
        assert error.message and error.remedy


@SETTINGS
@given(st.text(max_size=20), st.text(max_size=20))
def test_bad_refs_only_raise_core_errors(a, b):
    hosts = [
        HostState("a", pnics=(Pnic("vmnic1", "m", speed_mb=1000),)),
        HostState("b", pnics=(Pnic("vmnic1", "m", speed_mb=1000),)),
    ]
    pairing = propose_cables(hosts)
    for action in (lambda: link(pairing, hosts, a, b), lambda: unlink(pairing, a)):
        try:
            action()
        except CoreError as error:
            assert error.message


@st.composite
def heard_labs(draw: st.DrawFn) -> list[HostState]:
    """Hosts whose NICs hear random neighbours: peers, other ports, switches, or nothing."""
    names = [f"esx-{c}" for c in "abc"[: draw(st.integers(2, 3))]]
    hosts = []
    for name in names:
        state = draw(host_states(name))
        pnics = []
        for pnic in state.pnics:
            heard = draw(
                st.one_of(
                    st.none(),
                    st.builds(
                        Neighbor,
                        st.just("cdp"),
                        st.sampled_from([*names, "core-sw1"]),
                        st.sampled_from([p.device for p in state.pnics]),
                    ),
                )
            )
            pnics.append(replace(pnic, neighbor=heard))
        hosts.append(replace(state, pnics=tuple(pnics)))
    return hosts


@SETTINGS
@given(heard_labs())
def test_proposed_cables_use_each_usable_nic_at_most_once(hosts):
    pairing = propose_cables(hosts)
    by_name = {h.name: h for h in hosts}
    ends = [end for cable in pairing.cables for end in cable.ends]
    assert len(ends) == len(set(ends))
    assert not set(ends) & {e.ref for e in pairing.excluded}
    for cable in pairing.cables:
        assert (
            cable.hosts[0] != cable.hosts[1]
            and cable.sort_key() <= Cable.between(cable.b, cable.a, "name", False).sort_key()
        )
        assert cable.verified == (cable.source == "cdp")
        for ref in cable.ends:
            host, device = ref.split("/")
            assert by_name[host].pnic(device).link_up and by_name[host].uplink_owner(device) is None
    every = {f"{h.name}/{p.device}" for h in hosts for p in h.pnics}
    assert set(ends) | {e.ref for e in pairing.excluded} == every
    assert all(e.reason for e in pairing.excluded)


@SETTINGS
@given(
    st.one_of(st.text(max_size=12), st.integers()),
    st.one_of(st.integers(-10, 20000), st.text(max_size=5), st.none()),
    st.text(max_size=10),
    st.text(max_size=10),
)
def test_bad_design_options_only_raise_core_errors(prefix, mtu, layout, netstack):
    try:
        DesignOptions(name_prefix=prefix, mtu=mtu, layout=layout, netstack=netstack)  # type: ignore[arg-type]
    except CoreError as error:
        assert error.remedy


@SETTINGS
@given(labs(), supernets, options, st.integers(0, 40), st.sampled_from(("management", "vmotion", "")))
def test_lookalike_portgroups_and_their_vmks_are_never_touched(lab, supernet, opts, cut, service):
    """A ``vmesh-*`` portgroup on vSwitch0 and its vmk survive every plan, half-applied run and revert."""
    hosts, cables = lab
    tags = frozenset({service}) if service else frozenset()
    hosts = {
        name: canonical_state(
            replace(
                state,
                portgroups=(*state.portgroups, Portgroup("vmesh-vmotion-9", "vSwitch0")),
                vmks=(*state.vmks, Vmk("vmk1", "vmesh-vmotion-9", "192.168.77.9", 24, services=tags)),
            )
        )
        for name, state in hosts.items()
    }
    try:
        links = carve(cables, supernet, 30, list(hosts.values())).links
    except CoreError:
        assume(False)
    earlier = make_plan(hosts, design(hosts, links[::2]))
    observed = apply_plan(hosts, Plan(earlier.steps[:cut]))
    for target in (links, ()):
        plan = make_plan(observed, design(observed, target, opts))
        assert not [s for s in plan.steps if s.target == "vmesh-vmotion-9"]
        assert not [
            s for s in plan.steps if isinstance(s.obj, Vmk) and s.obj.device == "vmk1" and s.kind != "add_vmk"
        ]
        for name, state in apply_plan(observed, plan).items():
            assert state.vmk("vmk1") == hosts[name].vmk("vmk1")
            assert state.portgroup("vmesh-vmotion-9") == Portgroup("vmesh-vmotion-9", "vSwitch0")


@SETTINGS
@given(labs(), supernets, st.sampled_from((30, 31)))
def test_the_supernet_an_overlap_error_suggests_carves_cleanly(lab, supernet, prefix):
    hosts, cables = lab
    try:
        carve(cables, supernet, prefix, list(hosts.values()))
    except CoreError as error:
        assume(error.code == "overlap")
        suggested = error.remedy.rpartition("e.g. ")[2]
        assert netaddr.IPNetwork(suggested).prefixlen == 24
        links = carve(cables, suggested, prefix, list(hosts.values())).links
        assert len(links) == len(cables)
