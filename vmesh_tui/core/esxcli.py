"""A plan as esxcli commands an admin could read, review or paste into an ESXi shell.

New vmks have no device name in a plan (the host picks one); they are rendered as the ``vmkN`` the host
would choose, numbered like :func:`vmesh_tui.core.plan.next_vmk_device`. Give the observed states for
exact numbers; without them the numbering assumes the host has only the vmks the plan names, plus vmk0.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import netaddr

from vmesh_tui.core.model import DEFAULT_NETSTACK, CdpMode, HostState, Pnic, Portgroup, Vmk, VSwitch
from vmesh_tui.core.plan import Plan
from vmesh_tui.core.steps import Action, Step

VSWITCH = "esxcli network vswitch standard"
PORTGROUP = f"{VSWITCH} portgroup"
INTERFACE = "esxcli network ip interface"
_TAGS = {
    "vmotion": "VMotion",
    "management": "Management",
    "vsan": "VSAN",
    "vsanwitness": "VSANWitness",
    "ftlogging": "faultToleranceLogging",
}
_LOAD_BALANCING = {"failover_explicit": "explicit", "loadbalance_srcid": "portid", "loadbalance_ip": "iphash"}
_VMK = re.compile(r"vmk(\d+)")
# esxcli's --cdp-status takes down|listen|advertise|both; the API's "none" is esxcli's "down".
_CDP_STATUS = {
    CdpMode.NONE: "down",
    CdpMode.LISTEN: "listen",
    CdpMode.ADVERTISE: "advertise",
    CdpMode.BOTH: "both",
}


def _tag(service: str) -> str:
    return _TAGS.get(service.lower(), service)


def _netmask(prefix: int | None) -> str:
    return str(netaddr.IPNetwork(f"0.0.0.0/{prefix or 0}").netmask)


class _HostTracker:
    """What the renderer must remember while walking one host's steps: vmk names and vSwitch uplinks."""

    def __init__(self, state: HostState | None, steps: tuple[Step, ...]) -> None:
        vmks = state.vmks if state else ()
        self.device_of = {v.portgroup: v.device for v in vmks}
        self.used = {int(m.group(1)) for v in vmks if (m := _VMK.fullmatch(v.device))}
        self.uplinks = {v.name: v.uplinks for v in (state.vswitches if state else ())}
        if state is None:
            self.used.add(0)
            for step in steps:
                for obj in (step.before, step.after):
                    if isinstance(obj, Vmk) and (m := _VMK.fullmatch(obj.device)):
                        self.used.add(int(m.group(1)))
                        self.device_of[obj.portgroup] = obj.device
                    if isinstance(obj, VSwitch):
                        self.uplinks.setdefault(obj.name, obj.uplinks)

    def vmk_name(self, vmk: Vmk) -> str:
        return vmk.device or self.device_of.get(vmk.portgroup, f"<vmk on {vmk.portgroup}>")

    def new_vmk(self, vmk: Vmk) -> str:
        device = vmk.device or f"vmk{next(n for n in range(len(self.used) + 1) if n not in self.used)}"
        if m := _VMK.fullmatch(device):
            self.used.add(int(m.group(1)))
        self.device_of[vmk.portgroup] = device
        return device

    def forget_vmk(self, vmk: Vmk) -> str:
        device = self.vmk_name(vmk)
        if m := _VMK.fullmatch(device):
            self.used.discard(int(m.group(1)))
        self.device_of.pop(vmk.portgroup, None)
        return device


def _vswitch_commands(before: VSwitch | None, after: VSwitch) -> list[str]:
    name = after.name
    lines = [] if before else [f"{VSWITCH} add -v {name} -P {after.num_ports}"]
    if before is None or (before.mtu, before.cdp) != (after.mtu, after.cdp):
        lines.append(f"{VSWITCH} set -v {name} -m {after.mtu} -c {_CDP_STATUS[CdpMode(after.cdp)]}")
    old = before.uplinks if before else ()
    lines += [f"{VSWITCH} uplink remove -u {nic} -v {name}" for nic in old if nic not in after.uplinks]
    lines += [f"{VSWITCH} uplink add -u {nic} -v {name}" for nic in after.uplinks if nic not in old]
    if before is None or (before.active, before.standby) != (after.active, after.standby):
        order = f" -a {','.join(after.active)}" if after.active else ""
        order += f" -s {','.join(after.standby)}" if after.standby else ""
        if order:
            lines.append(f"{VSWITCH} policy failover set -v {name}{order}")
    return lines


def _portgroup_commands(before: Portgroup | None, after: Portgroup, uplinks: tuple[str, ...]) -> list[str]:
    name = after.name
    lines = [] if before else [f"{PORTGROUP} add -p {name} -v {after.vswitch}"]
    if (before.vlan if before else 0) != after.vlan:
        lines.append(f"{PORTGROUP} set -p {name} --vlan-id {after.vlan}")
    order = (after.active, after.standby, after.teaming)
    if before is not None and (before.active, before.standby, before.teaming) == order:
        return lines
    if after.active is None:
        return [*lines, f"{PORTGROUP} policy failover set -p {name} --use-vswitch"] if before else lines
    options = f" --active-uplinks {','.join(after.active)}" if after.active else ""
    options += f" --standby-uplinks {','.join(after.standby)}" if after.standby else ""
    if after.teaming in _LOAD_BALANCING:
        options += f" --load-balancing {_LOAD_BALANCING[after.teaming]}"
    unused = [nic for nic in uplinks if nic not in after.active and nic not in (after.standby or ())]
    verb = "stays" if len(unused) == 1 else "stay"
    lines.append(
        f"# {', '.join(unused)} {verb} unused on {name}: listed neither active nor standby"
        if unused
        else f"# uplinks of {after.vswitch} not listed here are unused on {name} (neither active nor standby)"
    )
    lines.append(f"{PORTGROUP} policy failover set -p {name}{options}")
    return lines


def _vmk_commands(device: str, before: Vmk | None, after: Vmk) -> list[str]:
    lines = []
    if before is None:
        netstack = "" if after.netstack == DEFAULT_NETSTACK else f" --netstack={after.netstack}"
        lines.append(f"{INTERFACE} add -i {device} -p {after.portgroup} -m {after.mtu}{netstack}")
    elif before.mtu != after.mtu:
        lines.append(f"{INTERFACE} set -i {device} -m {after.mtu}")
    address_changed = before is None or (before.ip, before.prefix) != (after.ip, after.prefix)
    if address_changed:
        if after.ip:
            lines.append(
                f"{INTERFACE} ipv4 set -i {device} -t static -I {after.ip} -N {_netmask(after.prefix)}"
            )
        else:
            lines.append(f"{INTERFACE} ipv4 set -i {device} -t dhcp")
    old = before.services if before else frozenset()
    lines += [f"{INTERFACE} tag remove -i {device} -t {_tag(s)}" for s in sorted(old - after.services)]
    lines += [f"{INTERFACE} tag add -i {device} -t {_tag(s)}" for s in sorted(after.services - old)]
    return lines


def _pnic_commands(after: Pnic) -> list[str]:
    if after.configured_speed_mb is None:
        return [f"esxcli network nic set -n {after.device} -a"]
    duplex = "full" if after.configured_full_duplex else "half"
    return [f"esxcli network nic set -n {after.device} -S {after.configured_speed_mb} -D {duplex}"]


def _step_commands(step: Step, track: _HostTracker) -> list[str]:
    before, after = step.before, step.after
    if step.action is Action.REMOVE:
        if isinstance(before, VSwitch):
            track.uplinks.pop(before.name, None)
            return [f"{VSWITCH} remove -v {before.name}"]
        if isinstance(before, Portgroup):
            return [f"{PORTGROUP} remove -p {before.name} -v {before.vswitch}"]
        if isinstance(before, Vmk):
            return [f"{INTERFACE} remove -i {track.forget_vmk(before)}"]
        return []
    if isinstance(after, VSwitch):
        track.uplinks[after.name] = after.uplinks
        return _vswitch_commands(before if isinstance(before, VSwitch) else None, after)
    if isinstance(after, Portgroup):
        old = before if isinstance(before, Portgroup) else None
        return _portgroup_commands(old, after, track.uplinks.get(after.vswitch, ()))
    if isinstance(after, Vmk):
        if isinstance(before, Vmk):
            return _vmk_commands(track.vmk_name(before), before, after)
        return _vmk_commands(track.new_vmk(after), None, after)
    return _pnic_commands(after) if isinstance(after, Pnic) else []


def render_esxcli(plan: Plan, observed: Mapping[str, HostState] | None = None) -> dict[str, list[str]]:
    """Per host, the esxcli commands (and a few ``#`` comment lines) equivalent to the plan's steps."""
    states = {state.name: state for state in (observed or {}).values()}
    rendered: dict[str, list[str]] = {}
    for host in plan.hosts:
        steps = plan.for_host(host)
        track = _HostTracker(states.get(host), steps)
        lines = [f"# {host}: {len(steps)} step{'s' if len(steps) != 1 else ''}"]
        for step in steps:
            lines += _step_commands(step, track)
        rendered[host] = lines
    return rendered
