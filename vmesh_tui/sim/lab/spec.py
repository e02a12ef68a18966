"""A parsed lab file: frozen specs of its hosts, NICs, vSwitches, vmks, cables, switches and faults."""

from __future__ import annotations

from dataclasses import dataclass, field

SERVICES = (
    "management",
    "vmotion",
    "faultToleranceLogging",
    "vSphereReplication",
    "vSphereReplicationNFC",
    "vSphereProvisioning",
    "vSphereBackupNFC",
    "vsan",
    "vsanWitness",
    "ptp",
    "nvmeTcp",
    "nvmeRdma",
)


@dataclass(frozen=True)
class NicSpec:
    device: str
    mac: str
    driver: str = ""
    speed_mb: int = 1000
    max_mtu: int = 9000


@dataclass(frozen=True)
class PortgroupSpec:
    name: str
    vlan: int = 0
    active: tuple[str, ...] | None = None  # None: inherit the vSwitch's failover order
    standby: tuple[str, ...] | None = None


@dataclass(frozen=True)
class VSwitchSpec:
    name: str
    mtu: int = 1500
    uplinks: tuple[str, ...] = ()
    standby: tuple[str, ...] = ()
    cdp: str = "listen"
    portgroups: tuple[PortgroupSpec, ...] = ()


@dataclass(frozen=True)
class DvSwitchSpec:
    """The host's side (proxy switch) of a distributed switch that vCenter manages: its uplinks."""

    name: str
    uplinks: tuple[str, ...] = ()
    mtu: int = 1500


@dataclass(frozen=True)
class VmkSpec:
    device: str
    portgroup: str  # a standard portgroup; with ``dvswitch``, the distributed portgroup's key
    ip: str  # CIDR, e.g. "192.168.10.11/24"
    mtu: int = 1500
    services: tuple[str, ...] = ()
    netstack: str = "defaultTcpipStack"
    dvswitch: str = ""  # the distributed switch the vmk is on ("" = a standard portgroup)


@dataclass(frozen=True)
class HostSpec:
    name: str
    user: str = "root"
    password: str = field(default="vmware", repr=False)
    version: str = "8.0.3"
    port: int = 0
    nics: tuple[NicSpec, ...] = ()
    vswitches: tuple[VSwitchSpec, ...] = ()
    vmks: tuple[VmkSpec, ...] = ()
    cdp_interval_s: float = 60.0  # seconds between CDP advertisements (ESXi's and Cisco's default)
    cdp_holdtime_s: float = 180.0  # how long a heard advertisement is kept
    dvswitches: tuple[DvSwitchSpec, ...] = ()


@dataclass(frozen=True)
class CableSpec:
    a: str  # "HOST/vmnicN"
    b: str


@dataclass(frozen=True)
class SwitchSpec:
    name: str
    mtu: int = 1500
    ports: tuple[str, ...] = ()


@dataclass(frozen=True)
class FaultSpec:
    host: str
    method: str
    nth: int = 1
    kind: str = "fault"
    fault_type: str = "HostConfigFault"
    delay_s: float = 0.0


@dataclass(frozen=True)
class LabSpec:
    hosts: tuple[HostSpec, ...]
    cables: tuple[CableSpec, ...] = ()
    switches: tuple[SwitchSpec, ...] = ()
    faults: tuple[FaultSpec, ...] = ()
    source: str = "<lab>"

    def host(self, name: str) -> HostSpec:
        return next(h for h in self.hosts if h.name == name)
