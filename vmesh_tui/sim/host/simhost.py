"""SimHost: one simulated ESXi host's network configuration and its vSphere methods.

State lives here, not in sessions, so it persists across calls, logins and reboots. Every public
method takes ``lock`` (an RLock); a ping through the fabric takes the locks of all hosts in name order.
The WSDL-named methods come from the mixins in netsystem, vnicsystem and netconfig.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import threading

from pyVmomi import vim

from vmesh_tui.sim.host import netfaults, netroutes
from vmesh_tui.sim.host.cdpclock import CdpClock
from vmesh_tui.sim.host.netconfig import NetworkConfigMethods
from vmesh_tui.sim.host.netinfo import build_capabilities, build_net_config, build_network_info
from vmesh_tui.sim.host.netsystem import locked
from vmesh_tui.sim.host.state import (
    NIC_TYPES,
    NetState,
    PnicState,
    PortgroupState,
    ProxyState,
    VnicState,
    VSwitchState,
    default_vswitch_policy,
    derived_mac,
)
from vmesh_tui.sim.host.vnicsystem import valid_link_specs
from vmesh_tui.sim.host.wiring import PingOutcome, PingRequest, Wiring
from vmesh_tui.sim.lab.spec import HostSpec


class SimHost(NetworkConfigMethods):
    """One host of a lab. ``fabric`` (set by build_fabric) answers link, CDP and packet questions."""

    def __init__(self, spec: HostSpec, fabric: Wiring | None = None) -> None:
        self.name = spec.name
        self.user = spec.user
        self.password = spec.password
        self.version = spec.version
        self.boot_time = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
        self.in_maintenance = False  # runtime.inMaintenanceMode; kept across reboots, as on ESXi
        self.lock = threading.RLock()
        self.state = state_from_spec(spec)
        self.fabric = fabric
        self.cdp = CdpClock(spec.cdp_interval_s, spec.cdp_holdtime_s)
        self.cdp.start(self.state)

    def __repr__(self) -> str:
        return f"SimHost({self.name!r})"

    # ---- reads -----------------------------------------------------------------------------------

    @locked
    def network_info(self) -> vim.host.NetworkInfo:
        return build_network_info(self.state, self.link_of, lambda p: valid_link_specs(p.speed_mb), self.name)

    @locked
    def net_config(self) -> list[vim.host.VirtualNicManager.NetConfig]:
        return [build_net_config(self.state, t, self.selected_for(t)) for t in NIC_TYPES]

    @locked
    def vm_portgroups(self) -> list[str]:
        """Portgroups no vmk is on (VM portgroups: each is a Network object of the host)."""
        used = {v.portgroup for v in self.state.vnics.values()}
        return [name for name in self.state.portgroups if name not in used]

    @locked
    def netstack_runtime(self) -> vim.host.RuntimeInfo.NetworkRuntimeInfo:
        return netroutes.netstack_runtime(self.state)

    @locked
    def capabilities(self) -> vim.host.NetCapabilities:
        return build_capabilities()

    @locked
    def QueryNetConfig(self, nicType: str) -> vim.host.VirtualNicManager.NetConfig:
        self._check_nic_type(nicType)
        return build_net_config(self.state, nicType, self.selected_for(nicType))

    def QueryNetworkHint(self, device: list[str] | None = None) -> list[vim.host.PhysicalNic.NetworkHint]:
        """Per NIC, what CDP heard; takes every host's lock in name order (it reads the far ends)."""
        with self.lock:
            devices = list(device) if device else list(self.state.pnics)
            for name in devices:
                if name not in self.state.pnics:
                    raise netfaults.not_found("physical NIC", name)
        if self.fabric is None:
            return [vim.host.PhysicalNic.NetworkHint(device=name) for name in devices]
        with self.fabric.all_locked():
            return [self.fabric.network_hint(self.name, name) for name in devices]

    def link_of(self, device: str) -> tuple[int, bool] | None:
        """(speedMb, full duplex) of the NIC's link, or None when it is down or unplugged."""
        return self.fabric.negotiated(self.name, device) if self.fabric is not None else None

    def management_ip(self) -> str | None:
        """The address this host advertises (CDP): its first management vmk's, else its first vmk's."""
        with self.lock:
            tagged = self.selected_for("management")
            vnics = [self.state.vnics[d] for d in tagged] or self.state.vnics_sorted()
            return next((v.ip for v in vnics if v.ip), None)

    # ---- lifecycle and packets -------------------------------------------------------------------

    @locked
    def reboot(self) -> None:
        """A new boot time, the configuration kept; failover overrides are ignored for egress until an
        update changes their portgroup's failover order (only matters on vSwitches with several uplinks)."""
        now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
        self.boot_time = max(now, self.boot_time + dt.timedelta(seconds=1))
        for pg in self.state.portgroups.values():
            pg.override_ignored = pg.nic_order is not None

    def ping(
        self,
        host: str,
        interface: str | None = None,
        size: int = 56,
        df: bool = False,
        count: int = 3,
        netstack: str | None = None,
        wait: float | None = None,
    ) -> PingOutcome:
        """esxcli network diag ping from this host (see fabric/packets.py for the model)."""
        if self.fabric is None:  # build_fabric wires every host, a lone one included
            raise RuntimeError(f"{self.name} is on no fabric: build its hosts with build_fabric()")
        return self.fabric.ping(PingRequest(self.name, host, interface, size, df, count, netstack, wait))

    def owns_address(self, address: ipaddress.IPv4Address, netstack: str) -> VnicState | None:
        return next(
            (v for v in self.state.vnics_sorted() if v.netstack == netstack and v.ip == str(address)), None
        )


def state_from_spec(spec: HostSpec) -> NetState:
    """The host's configuration as the lab file describes it before the tool runs."""
    state = NetState()
    for nic in spec.nics:
        state.pnics[nic.device] = PnicState(nic.device, nic.mac, nic.driver, nic.speed_mb, nic.max_mtu)
    for vs in spec.vswitches:
        nics = list(vs.uplinks + vs.standby)
        policy = default_vswitch_policy(list(vs.uplinks), list(vs.standby))
        state.vswitches[vs.name] = VSwitchState(vs.name, vs.mtu, 128, nics, policy, vs.cdp)
        for pg in vs.portgroups:
            pg_policy = vim.host.NetworkPolicy()
            if pg.active is not None:
                order = vim.host.NetworkPolicy.NicOrderPolicy(
                    activeNic=list(pg.active), standbyNic=list(pg.standby or ())
                )
                pg_policy.nicTeaming = vim.host.NetworkPolicy.NicTeamingPolicy(nicOrder=order)
            state.portgroups[pg.name] = PortgroupState(pg.name, vs.name, pg.vlan, pg_policy)
    for dvs in spec.dvswitches:
        state.proxies[dvs.name] = ProxyState(dvs.name, list(dvs.uplinks), dvs.mtu)
    for vmk in spec.vmks:
        iface = ipaddress.IPv4Interface(vmk.ip)
        mac = derived_mac(f"{spec.name}/{vmk.device}")
        standard = "" if vmk.dvswitch else vmk.portgroup
        state.vnics[vmk.device] = VnicState(
            vmk.device, standard, str(iface.ip), str(iface.netmask), vmk.mtu, mac, vmk.netstack
        )
        if vmk.dvswitch:
            state.vnics[vmk.device].dvswitch, state.vnics[vmk.device].dvportgroup = (
                vmk.dvswitch,
                vmk.portgroup,
            )
        for service in vmk.services:
            state.selected.setdefault(service, []).append(vmk.device)
    return state
