"""Plans: the ordered steps that turn the observed state into the desired one, and a pure step applier.

Only tool-owned objects change, plus forced NIC speeds: vSwitches named ``<prefix>-...``, portgroups so
named on such a vSwitch, and the vmks on those portgroups. A vmk tagged for management is never removed
or updated, wherever it sits; a plan that would have to (or would reuse the name of a portgroup the tool
does not own) is refused with a CoreError. Per host the order is: remove stale vmks, portgroups,
vSwitches; then add or update vSwitches, portgroups, vmks; then NIC speeds. What cannot be updated in
place is removed and added again: a vSwitch whose uplink set changes (so NICs are released before
anything claims them), a portgroup that moves to another vSwitch, a vmk whose netstack changes (the
netstack is fixed at creation).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from vmesh_tui.core.errors import CoreError
from vmesh_tui.core.model import HostState, Vmk
from vmesh_tui.core.ordering import (
    canonical_state,
    is_owned_name,
    is_owned_portgroup,
    is_protected_vmk,
    natural_key,
)
from vmesh_tui.core.plan_apply import apply_step, next_vmk_device
from vmesh_tui.core.steps import Action, Step

__all__ = ["Plan", "apply_plan", "apply_step", "make_plan", "next_vmk_device"]


@dataclass(frozen=True)
class Plan:
    steps: tuple[Step, ...] = ()

    @property
    def hosts(self) -> tuple[str, ...]:
        """Hosts with at least one step, in plan order."""
        return tuple(dict.fromkeys(step.host for step in self.steps))

    @property
    def is_empty(self) -> bool:
        return not self.steps

    def for_host(self, name: str) -> tuple[Step, ...]:
        return tuple(step for step in self.steps if step.host == name)

    def inverse(self) -> Plan:
        """The steps that undo this plan: every inverse, in reverse order."""
        return Plan(tuple(step.inverse() for step in reversed(self.steps)))


def _sorted(names: Iterable[str]) -> list[str]:
    return sorted(names, key=natural_key)


def _host_steps(obs: HostState, des: HostState, prefix: str) -> list[Step]:
    host = obs.name
    obs_vs = {v.name: v for v in obs.vswitches if is_owned_name(v.name, prefix)}
    des_vs = {v.name: v for v in des.vswitches if is_owned_name(v.name, prefix)}
    obs_pg = {p.name: p for p in obs.portgroups if is_owned_portgroup(p, prefix)}
    des_pg = {p.name: p for p in des.portgroups if is_owned_portgroup(p, prefix)}
    obs_vmk = {v.portgroup: v for v in obs.vmks if v.portgroup in obs_pg and not is_protected_vmk(v)}
    des_vmk = {v.portgroup: v for v in des.vmks if v.portgroup in des_pg and not is_protected_vmk(v)}
    _refuse_foreign_names(obs, des_pg, prefix)

    gone_vs = {n for n in obs_vs if n not in des_vs or set(obs_vs[n].uplinks) != set(des_vs[n].uplinks)}
    gone_pg = {
        n
        for n, pg in obs_pg.items()
        if n not in des_pg or pg.vswitch != des_pg[n].vswitch or pg.vswitch in gone_vs
    }
    gone_vmk = {
        pg
        for pg, vmk in obs_vmk.items()
        if pg not in des_vmk or vmk.netstack != des_vmk[pg].netstack or pg in gone_pg
    }
    for group in obs.portgroups:
        if group.vswitch in gone_vs and not is_owned_name(group.name, prefix):
            raise CoreError(
                "foreign-on-owned",
                f"portgroup {group.name} on {host} sits on {group.vswitch}, which must be removed or rebuilt",
                f"move or remove {group.name} first; this tool only changes what it created",
            )

    for vmk in obs.vmks:
        if (
            vmk.portgroup in obs_pg
            and is_protected_vmk(vmk)
            and (vmk.portgroup in gone_pg or vmk.portgroup in des_vmk)
        ):
            raise CoreError(
                "management-vmk-owned",
                f"{vmk.device} on {host} carries management traffic on {vmk.portgroup}, "
                "which this plan must change",
                f"move {vmk.device} to a portgroup of your own first; management vmks are never changed",
            )

    steps = [Step(host, Action.REMOVE, obs_vmk[pg], None) for pg in _sorted(gone_vmk)]
    steps += [Step(host, Action.REMOVE, obs_pg[n], None) for n in _sorted(gone_pg)]
    steps += [Step(host, Action.REMOVE, obs_vs[n], None) for n in _sorted(gone_vs)]
    for name in _sorted(des_vs):
        if name not in obs_vs or name in gone_vs:
            steps.append(Step(host, Action.ADD, None, des_vs[name]))
        elif obs_vs[name] != des_vs[name]:
            steps.append(Step(host, Action.UPDATE, obs_vs[name], des_vs[name]))
    for name in _sorted(des_pg):
        if name not in obs_pg or name in gone_pg:
            steps.append(Step(host, Action.ADD, None, des_pg[name]))
        elif obs_pg[name] != des_pg[name]:
            steps.append(Step(host, Action.UPDATE, obs_pg[name], des_pg[name]))
    for pg in _sorted(des_vmk):
        steps += _vmk_steps(host, obs_vmk.get(pg) if pg not in gone_vmk else None, des_vmk[pg])
    for pnic in des.pnics:
        current = obs.pnic(pnic.device)
        wanted = (pnic.configured_speed_mb, pnic.configured_full_duplex)
        if current is not None and (current.configured_speed_mb, current.configured_full_duplex) != wanted:
            after = replace(current, configured_speed_mb=wanted[0], configured_full_duplex=wanted[1])
            steps.append(Step(host, Action.UPDATE, current, after))
    return steps


def _refuse_foreign_names(obs: HostState, des_pg: Mapping[str, object], prefix: str) -> None:
    """CoreError when a designed portgroup would take the name of one the tool does not own."""
    for name in _sorted(des_pg):
        group = obs.portgroup(name)
        if group is not None and not is_owned_portgroup(group, prefix):
            raise CoreError(
                "owned-name-foreign",
                f"portgroup {name} on {obs.name} is on {group.vswitch}, which this tool did not create, "
                "but has a name this tool uses",
                f"rename {name}, or plan with another --name-prefix",
            )


def _vmk_steps(host: str, current: Vmk | None, wanted: Vmk) -> list[Step]:
    if current is None:
        return [Step(host, Action.ADD, None, replace(wanted, device="", mac=""))]
    target = replace(wanted, device=current.device, mac=current.mac)
    return [] if target == current else [Step(host, Action.UPDATE, current, target)]


def make_plan(
    observed: Mapping[str, HostState], desired: Mapping[str, HostState], name_prefix: str = "vmesh"
) -> Plan:
    """The steps from ``observed`` to ``desired`` for every host in ``desired`` (hosts in name order)."""
    steps: list[Step] = []
    for key in sorted(desired, key=natural_key):
        if key not in observed:
            raise CoreError(
                "unknown-host", f"no observed state for {key}", "re-read the hosts, then plan again"
            )
        steps += _host_steps(observed[key], desired[key], name_prefix)
    return Plan(tuple(steps))


def apply_plan(states: Mapping[str, HostState], plan: Plan) -> dict[str, HostState]:
    """Every host's state after the plan's steps (hosts without steps are returned unchanged)."""
    result = {name: canonical_state(state) for name, state in states.items()}
    by_name = {state.name: key for key, state in states.items()}
    for step in plan.steps:
        key = by_name.get(step.host)
        if key is None:
            raise CoreError("unknown-host", f"the plan names unknown host {step.host}", "plan again")
        result[key] = apply_step(result[key], step)
    return result
