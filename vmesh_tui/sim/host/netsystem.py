"""HostNetworkSystem's edit methods under their WSDL names, with ESXi's validation and faults.

A mixin for :class:`vmesh_tui.sim.host.simhost.SimHost`: it works on ``self.state`` under ``self.lock``.
Semantics follow real hosts: UpdateVirtualSwitch with an unset bridge removes every uplink, and
UpdatePortGroup replaces the whole spec (read-modify-write is the caller's job).
"""

from __future__ import annotations

import copy
import functools
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from pyVmomi import vim
from typing_extensions import Concatenate, ParamSpec

from vmesh_tui.sim.host import netfaults
from vmesh_tui.sim.host.cdpclock import CdpClock
from vmesh_tui.sim.host.state import (
    NetState,
    PortgroupState,
    VSwitchState,
    default_vswitch_policy,
    failover_order,
    nic_order_of,
    overlay,
)

P = ParamSpec("P")
R = TypeVar("R")
TEAMING_POLICIES = ("loadbalance_ip", "loadbalance_srcmac", "loadbalance_srcid", "failover_explicit")
CDP_OPERATIONS = ("none", "listen", "advertise", "both")


class _Locked:
    lock: threading.RLock
    state: NetState
    cdp: CdpClock

    def cdp_changed(self) -> None:
        """Note the time of a change to uplinks or CDP operations (CDP is heard in time, cdpclock.py)."""
        self.cdp.observe(self.state)


def locked(method: Callable[Concatenate[Any, P], R]) -> Callable[Concatenate[Any, P], R]:
    """Run the method under the host's lock (an RLock, so methods may call each other)."""

    @functools.wraps(method)
    def wrapper(self: Any, *args: P.args, **kwargs: P.kwargs) -> R:
        with self.lock:
            return method(self, *args, **kwargs)

    return wrapper


class NetworkSystemMethods(_Locked):
    """AddVirtualSwitch ... RemovePortGroup: the vSwitch and portgroup half of HostNetworkSystem."""

    @locked
    def AddVirtualSwitch(
        self, vswitchName: str, spec: vim.host.VirtualSwitch.Specification | None = None
    ) -> None:
        _check_name(vswitchName, 32, "vswitchName")
        if vswitchName in self.state.vswitches:
            raise netfaults.already_exists(vswitchName)
        spec = spec or vim.host.VirtualSwitch.Specification(numPorts=128)
        self.state.vswitches[vswitchName] = self._vswitch_from_spec(vswitchName, spec, None)
        self.cdp_changed()

    @locked
    def UpdateVirtualSwitch(self, vswitchName: str, spec: vim.host.VirtualSwitch.Specification) -> None:
        current = self._vswitch(vswitchName)
        updated = self._vswitch_from_spec(vswitchName, spec, current)
        self.state.vswitches[vswitchName] = updated
        for pg in self.state.portgroups.values():
            order = pg.nic_order
            if pg.vswitch == vswitchName and order is not None:
                order.activeNic = [n for n in order.activeNic or [] if n in updated.nics]
                order.standbyNic = [n for n in order.standbyNic or [] if n in updated.nics]
        self.cdp_changed()

    @locked
    def RemoveVirtualSwitch(self, vswitchName: str) -> None:
        self._vswitch(vswitchName)
        pgs = [pg.name for pg in self.state.portgroups.values() if pg.vswitch == vswitchName]
        vmks = [v.device for v in self.state.vnics.values() if v.portgroup in pgs]
        if vmks:
            raise netfaults.in_use(vswitchName, f"VMkernel NIC {', '.join(sorted(vmks))}")
        for name in pgs:
            del self.state.portgroups[name]
        del self.state.vswitches[vswitchName]
        self.cdp_changed()

    @locked
    def AddPortGroup(self, portgrp: vim.host.PortGroup.Specification) -> None:
        _check_name(portgrp.name, 59, "portgrp.name")
        if portgrp.name in self.state.portgroups:
            raise netfaults.already_exists(portgrp.name)
        self.state.portgroups[portgrp.name] = self._portgroup_from_spec(portgrp)

    @locked
    def UpdatePortGroup(self, pgName: str, portgrp: vim.host.PortGroup.Specification) -> None:
        current = self._portgroup(pgName)
        _check_name(portgrp.name, 59, "portgrp.name")
        if portgrp.name != pgName and portgrp.name in self.state.portgroups:
            raise netfaults.already_exists(portgrp.name)
        if portgrp.vswitchName != current.vswitch:
            raise netfaults.invalid_argument(
                "portgrp.vswitchName", f"give the portgroup's own vSwitch {current.vswitch}; it cannot move"
            )
        updated = self._portgroup_from_spec(portgrp)
        # the reboot quirk ends only when an update changes the failover order (active -> standby and
        # back, as recover does); the same order sent again leaves it (docs/twin-model.md)
        reordered = failover_order(updated.nic_order) != failover_order(current.nic_order)
        updated.override_ignored = current.override_ignored and not reordered
        del self.state.portgroups[pgName]
        self.state.portgroups[updated.name] = updated
        for vnic in self.state.vnics.values():
            if vnic.portgroup == pgName:
                vnic.portgroup = updated.name

    @locked
    def RemovePortGroup(self, pgName: str) -> None:
        self._portgroup(pgName)
        vnic = self.state.vnic_on(pgName)
        if vnic is not None:
            raise netfaults.in_use(pgName, f"VMkernel NIC {vnic.device}")
        del self.state.portgroups[pgName]

    @locked
    def RefreshNetworkSystem(self) -> None:
        """Real hosts re-read their configuration; the twin's state is always current."""

    # ---- helpers ---------------------------------------------------------------------------------

    def _vswitch(self, name: str) -> VSwitchState:
        vswitch = self.state.vswitches.get(name)
        if vswitch is None:
            raise netfaults.not_found("vSwitch", name)
        return vswitch

    def _portgroup(self, name: str) -> PortgroupState:
        pg = self.state.portgroups.get(name)
        if pg is None:
            raise netfaults.not_found("portgroup", name)
        return pg

    def _vswitch_from_spec(
        self, name: str, spec: vim.host.VirtualSwitch.Specification, current: VSwitchState | None
    ) -> VSwitchState:
        num_ports = spec.numPorts if spec.numPorts is not None else (current.num_ports if current else 128)
        if not 0 < num_ports <= 4096:
            raise netfaults.invalid_argument("spec.numPorts", f"{num_ports} is not between 1 and 4096")
        mtu = spec.mtu if spec.mtu is not None else (current.mtu if current else 1500)
        if not 1280 <= mtu <= 9000:
            raise netfaults.invalid_argument("spec.mtu", f"MTU {mtu} is not between 1280 and 9000")
        nics, cdp = self._bridge_nics(name, spec.bridge, current)
        if current is None:
            policy = overlay(default_vswitch_policy(nics), spec.policy, copy_base=False)
        else:
            policy = overlay(current.policy, spec.policy)
        given = nic_order_of(spec.policy)
        order = nic_order_of(policy)
        if given is not None:
            _check_order(given, nics, "spec.policy.nicTeaming.nicOrder", f"uplinks of {name}")
        elif order is not None:
            order.activeNic = [n for n in order.activeNic or [] if n in nics]
            order.standbyNic = [n for n in order.standbyNic or [] if n in nics]
            order.activeNic += [n for n in nics if n not in order.activeNic + order.standbyNic]
        _check_teaming(policy, "spec.policy.nicTeaming.policy")
        return VSwitchState(name, mtu, num_ports, nics, policy, cdp)

    def _bridge_nics(
        self, name: str, bridge: vim.host.VirtualSwitch.Bridge | None, current: VSwitchState | None
    ) -> tuple[list[str], str]:
        cdp = current.cdp if current else "listen"
        if bridge is None:
            return [], cdp
        if not isinstance(bridge, vim.host.VirtualSwitch.BondBridge):
            raise netfaults.invalid_argument(
                "spec.bridge", "a standard vSwitch takes a HostVirtualSwitchBondBridge"
            )
        nics = list(bridge.nicDevice or [])
        if len(set(nics)) != len(nics):
            raise netfaults.invalid_argument("spec.bridge.nicDevice", "a NIC is listed twice")
        for nic in nics:
            if nic not in self.state.pnics:
                raise netfaults.not_found("physical NIC", nic)
            user = self.state.nic_user(nic)
            if user is not None and user != f"vSwitch {name}":
                raise netfaults.in_use(nic, user)
        discovery = bridge.linkDiscoveryProtocolConfig
        if discovery is not None:
            if discovery.protocol != "cdp":
                raise netfaults.invalid_argument(
                    "spec.bridge.linkDiscoveryProtocolConfig.protocol", "a standard vSwitch speaks only cdp"
                )
            if discovery.operation not in CDP_OPERATIONS:
                raise netfaults.invalid_argument(
                    "spec.bridge.linkDiscoveryProtocolConfig.operation",
                    f"use one of {', '.join(CDP_OPERATIONS)}",
                )
            cdp = discovery.operation
        return nics, cdp

    def _portgroup_from_spec(self, spec: vim.host.PortGroup.Specification) -> PortgroupState:
        vswitch = self.state.vswitches.get(spec.vswitchName or "")
        if vswitch is None:
            raise netfaults.not_found("vSwitch", spec.vswitchName or "")
        vlan = spec.vlanId if spec.vlanId is not None else 0
        if not 0 <= vlan <= 4095:
            raise netfaults.invalid_argument("portgrp.vlanId", f"VLAN {vlan} is not between 0 and 4095")
        policy = copy.deepcopy(spec.policy) if spec.policy is not None else vim.host.NetworkPolicy()
        teaming = policy.nicTeaming
        if teaming is not None and teaming.nicOrder is not None:
            _check_order(
                teaming.nicOrder,
                vswitch.nics,
                "portgrp.policy.nicTeaming.nicOrder",
                f"uplinks of {vswitch.name}",
            )
        _check_teaming(policy, "portgrp.policy.nicTeaming.policy")
        return PortgroupState(spec.name, vswitch.name, vlan, policy)


def _check_name(name: str | None, max_len: int, prop: str) -> None:
    if not name or len(name) > max_len:
        raise netfaults.invalid_argument(prop, f"a name of 1 to {max_len} characters is required")


def _check_order(order: vim.host.NetworkPolicy.NicOrderPolicy, nics: list[str], prop: str, what: str) -> None:
    active, standby = list(order.activeNic or []), list(order.standbyNic or [])
    for nic in active + standby:
        if nic not in nics:
            raise netfaults.invalid_argument(prop, f"{nic} is not one of the {what}")
    if len(set(active + standby)) != len(active + standby):
        raise netfaults.invalid_argument(prop, "a NIC is listed twice")


def _check_teaming(policy: vim.host.NetworkPolicy, prop: str) -> None:
    teaming = policy.nicTeaming
    if teaming is not None and teaming.policy is not None and teaming.policy not in TEAMING_POLICIES:
        raise netfaults.invalid_argument(prop, f"use one of {', '.join(TEAMING_POLICIES)}")
