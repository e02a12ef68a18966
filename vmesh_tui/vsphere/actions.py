"""A core Step becomes the API call(s) it needs, with full specs (read-modify-write), on one host.

Every vSphere fault becomes StepFailed naming the step; calls the host does not implement
(MethodNotFound, ManagedObjectNotFound) become NotSupported.
"""

from __future__ import annotations

import copy
import ipaddress
from collections.abc import Callable
from typing import Any, TypeVar

from pyVmomi import vim, vmodl

from vmesh_tui.core.model import DEFAULT_NETSTACK, Pnic, Portgroup, Vmk, VSwitch
from vmesh_tui.core.steps import Step
from vmesh_tui.vsphere.errors import (
    BadReply,
    CallTimeout,
    HostUnavailable,
    NotSupported,
    StepFailed,
    Unreachable,
)
from vmesh_tui.vsphere.handle import HostHandle
from vmesh_tui.vsphere.session import fault_name, fault_text

T = TypeVar("T")
NicOrder = vim.host.NetworkPolicy.NicOrderPolicy
Teaming = vim.host.NetworkPolicy.NicTeamingPolicy
DEFAULT_REMEDY = "check the host's events and hostd.log, then discover again and re-plan"
REMEDIES = {
    "AlreadyExists": "an object of that name already exists on the host: discover again and re-plan",
    "DuplicateName": "an object of that name already exists on the host: discover again and re-plan",
    "NotFound": "the host changed since the plan was made: discover again and re-plan",
    "ResourceInUse": "the NIC or object is in use elsewhere on the host (e.g. another vSwitch's uplink): "
    "choose another NIC or free it first",
    "InvalidArgument": "the host rejected a value of the change: check the plan's addresses, MTU and NICs",
    "HostConfigFault": DEFAULT_REMEDY,
    "NoPermission": "log in with a user that may change the host's network configuration",
}
TEAMING_FIELDS = ("policy", "reversePolicy", "notifySwitches", "rollingOrder", "failureCriteria", "nicOrder")


def vswitch_spec(switch: VSwitch, base: Any = None) -> Any:
    """The complete vSwitch spec for ``switch``, keeping unmodelled parts of ``base`` (security...)."""
    spec = copy.deepcopy(base) if base is not None else vim.host.VirtualSwitch.Specification()
    spec.numPorts = switch.num_ports
    spec.mtu = switch.mtu
    if switch.uplinks:
        bridge = spec.bridge if isinstance(spec.bridge, vim.host.VirtualSwitch.BondBridge) else None
        bridge = bridge or vim.host.VirtualSwitch.BondBridge()
        bridge.nicDevice = list(switch.uplinks)
        bridge.linkDiscoveryProtocolConfig = vim.host.LinkDiscoveryProtocolConfig(
            protocol="cdp", operation=switch.cdp.value
        )
        spec.bridge = bridge
    else:
        spec.bridge = None  # intended: no uplinks
    policy = spec.policy or vim.host.NetworkPolicy()
    if switch.active or switch.standby:
        teaming = policy.nicTeaming or Teaming()
        teaming.nicOrder = NicOrder(activeNic=list(switch.active), standbyNic=list(switch.standby) or None)
        policy.nicTeaming = teaming
    elif policy.nicTeaming is not None:
        policy.nicTeaming.nicOrder = None
    spec.policy = policy
    return spec


def portgroup_spec(group: Portgroup, base: Any = None) -> Any:
    """The complete portgroup spec; ``active`` None means no failover override (inherit)."""
    policy = (
        copy.deepcopy(base.policy)
        if base is not None and base.policy is not None
        else vim.host.NetworkPolicy()
    )
    teaming = policy.nicTeaming or Teaming()
    teaming.policy = group.teaming
    if group.active is not None:
        teaming.nicOrder = NicOrder(
            activeNic=list(group.active), standbyNic=list(group.standby or ()) or None
        )
    else:
        teaming.nicOrder = None
    has_teaming = any(getattr(teaming, name, None) is not None for name in TEAMING_FIELDS)
    policy.nicTeaming = teaming if has_teaming else None
    return vim.host.PortGroup.Specification(
        name=group.name, vlanId=group.vlan, vswitchName=group.vswitch, policy=policy
    )


def vmk_spec(vmk: Vmk, *, with_netstack: bool) -> Any:
    """IP, mask and MTU of a vmk (and its netstack, which can be chosen only at creation)."""
    spec = vim.host.VirtualNic.Specification(mtu=vmk.mtu)
    if vmk.ip and vmk.prefix is not None:
        mask = str(ipaddress.IPv4Network(f"0.0.0.0/{vmk.prefix}").netmask)
        spec.ip = vim.host.IpConfig(dhcp=False, ipAddress=vmk.ip, subnetMask=mask)
    else:
        spec.ip = vim.host.IpConfig(dhcp=True)
    if with_netstack and vmk.netstack != DEFAULT_NETSTACK:
        spec.netStackInstanceKey = vmk.netstack
    return spec


def link_speed(pnic: Pnic) -> Any:
    if pnic.configured_speed_mb is None:
        return None  # auto-negotiate
    return vim.host.PhysicalNic.LinkSpeedDuplex(
        speedMb=pnic.configured_speed_mb, duplex=pnic.configured_full_duplex
    )


class StepRunner:
    """Runs steps on one host; the caller holds the host's lock."""

    def __init__(self, handle: HostHandle) -> None:
        self.handle = handle
        self._changes = 0  # change calls sent for the current step

    def call(self, step: Step, fn: Callable[[], T], *, change: bool = True) -> T:
        """One API call of ``step``. An unanswered change call's error says whether it was the step's
        first change call (``first_call``): then no later call of the step was sent."""
        self.handle.session.prune_dead_connections()
        first = change and self._changes == 0
        self._changes += change
        try:
            return self.handle.session.call(fn, f"running {step.kind} {step.target!r} on {step.host}")
        except (Unreachable, CallTimeout, HostUnavailable, BadReply) as exc:
            exc.first_call = first
            raise
        except (vmodl.fault.MethodNotFound, vmodl.fault.ManagedObjectNotFound) as fault:
            raise NotSupported(step, fault_name(fault), fault_text(fault)) from None
        except vmodl.MethodFault as fault:
            kind = fault_name(fault)
            raise StepFailed(step, kind, fault_text(fault), REMEDIES.get(kind, DEFAULT_REMEDY)) from None

    def run(self, step: Step) -> str | None:
        """Apply ``step``; returns the vmk device an add_vmk created, else None."""
        self._changes = 0
        handler = getattr(self, f"_{step.kind}", None)
        if handler is None:
            raise StepFailed(
                step, "InvalidArgument", f"the tool cannot {step.action} a {type(step.obj).__name__}"
            )
        result: str | None = handler(step)
        return result

    def _current(self, step: Step, what: str, name: str, lookup: Callable[[str], Any]) -> Any:
        """The host's current spec of an object an update changes (read-modify-write, never blank)."""
        spec = lookup(name)
        if spec is None:
            raise StepFailed(
                step,
                "NotFound",
                f"the host has no {what} {name!r} (read again just now), so there is nothing to update",
                REMEDIES["NotFound"],
            )
        return spec

    # -- vSwitch ------------------------------------------------------------------------------------
    def _add_vswitch(self, step: Step) -> None:
        switch = step.after
        assert isinstance(switch, VSwitch)
        spec = vswitch_spec(switch)
        ns = self.handle.network_system
        self.call(step, lambda: ns.AddVirtualSwitch(vswitchName=switch.name, spec=spec))
        self.handle.vswitch_specs[switch.name] = spec

    def _update_vswitch(self, step: Step) -> None:
        switch = step.after
        assert isinstance(switch, VSwitch)
        base = self._current(step, "vSwitch", switch.name, self.handle.current_vswitch_spec)
        spec = vswitch_spec(switch, base)
        ns = self.handle.network_system
        self.call(step, lambda: ns.UpdateVirtualSwitch(vswitchName=switch.name, spec=spec))
        self.handle.vswitch_specs[switch.name] = spec

    def _remove_vswitch(self, step: Step) -> None:
        name = step.target
        ns = self.handle.network_system
        self.call(step, lambda: ns.RemoveVirtualSwitch(vswitchName=name))
        self.handle.vswitch_specs.pop(name, None)

    # -- portgroup ----------------------------------------------------------------------------------
    def _add_portgroup(self, step: Step) -> None:
        group = step.after
        assert isinstance(group, Portgroup)
        spec = portgroup_spec(group)
        ns = self.handle.network_system
        self.call(step, lambda: ns.AddPortGroup(portgrp=spec))
        self.handle.portgroup_specs[group.name] = spec

    def _update_portgroup(self, step: Step) -> None:
        before, group = step.before, step.after
        assert isinstance(before, Portgroup) and isinstance(group, Portgroup)
        base = self._current(step, "portgroup", before.name, self.handle.current_portgroup_spec)
        spec = portgroup_spec(group, base)
        ns = self.handle.network_system
        self.call(step, lambda: ns.UpdatePortGroup(pgName=before.name, portgrp=spec))
        self.handle.portgroup_specs.pop(before.name, None)
        self.handle.portgroup_specs[group.name] = spec

    def _remove_portgroup(self, step: Step) -> None:
        name = step.target
        ns = self.handle.network_system
        self.call(step, lambda: ns.RemovePortGroup(pgName=name))
        self.handle.portgroup_specs.pop(name, None)

    # -- vmk ----------------------------------------------------------------------------------------
    def _device(self, step: Step, vmk: Vmk) -> str:
        device = vmk.device or self.call(step, lambda: self.handle.vmk_device(vmk.portgroup), change=False)
        if not device:
            raise StepFailed(step, "NotFound", f"no vmk is on portgroup {vmk.portgroup!r}")
        return device

    def _select(self, step: Step, device: str, services: frozenset[str], select: bool) -> None:
        manager = self.handle.vnic_manager
        for service in sorted(services):
            if select:
                self.call(step, lambda s=service: manager.SelectVnicForNicType(nicType=s, device=device))  # type: ignore[misc]
            else:
                self.call(step, lambda s=service: manager.DeselectVnicForNicType(nicType=s, device=device))  # type: ignore[misc]

    def _add_vmk(self, step: Step) -> str:
        vmk = step.after
        assert isinstance(vmk, Vmk)
        spec = vmk_spec(vmk, with_netstack=True)
        ns = self.handle.network_system
        device = str(self.call(step, lambda: ns.AddVirtualNic(portgroup=vmk.portgroup, nic=spec)))
        self.handle.vmk_devices[vmk.portgroup] = device
        try:
            self._select(step, device, vmk.services, select=True)
        except StepFailed:
            self._undo_add(step, device)
            raise
        return device

    def _undo_add(self, step: Step, device: str) -> None:
        """Best effort: take back a vmk whose tagging failed, so the step is all or nothing."""
        ns = self.handle.network_system
        try:
            self.call(step, lambda: ns.RemoveVirtualNic(device=device))
            self.handle.vmk_devices.pop(step.target, None)
        except StepFailed:
            pass

    def _update_vmk(self, step: Step) -> None:
        before, after = step.before, step.after
        assert isinstance(before, Vmk) and isinstance(after, Vmk)
        if before.netstack != after.netstack:
            raise StepFailed(
                step,
                "InvalidArgument",
                "a vmk's netstack can only be chosen when it is created",
                "remove and add it",
            )
        device = self._device(step, before)
        if (before.ip, before.prefix, before.mtu) != (after.ip, after.prefix, after.mtu):
            spec = vmk_spec(after, with_netstack=False)
            ns = self.handle.network_system
            self.call(step, lambda: ns.UpdateVirtualNic(device=device, nic=spec))
        self._select(step, device, after.services - before.services, select=True)
        self._select(step, device, before.services - after.services, select=False)

    def _remove_vmk(self, step: Step) -> None:
        vmk = step.before
        assert isinstance(vmk, Vmk)
        device = self._device(step, vmk)
        ns = self.handle.network_system
        self.call(step, lambda: ns.RemoveVirtualNic(device=device))
        self.handle.vmk_devices.pop(vmk.portgroup, None)

    # -- pnic ---------------------------------------------------------------------------------------
    def _update_pnic(self, step: Step) -> None:
        pnic = step.after
        assert isinstance(pnic, Pnic)
        speed = link_speed(pnic)
        ns = self.handle.network_system
        self.call(step, lambda: ns.UpdatePhysicalNicLinkSpeed(device=pnic.device, linkSpeed=speed))
