"""The lab file (LAB_FORMAT.md): TOML in, a validated, frozen :class:`LabSpec` out.

Every problem is a :class:`LabError` whose message names the file, the table (``host[1].nic[3]``,
``cable[2]``; tables are counted from 1 in file order) and what is wrong, so an admin can fix it.
"""

from __future__ import annotations

import hashlib
import ipaddress
import sys
from importlib import resources
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the backport on Python 3.9 and 3.10
    import tomli as tomllib

from vmesh_tui.sim.lab.check import check_references
from vmesh_tui.sim.lab.spec import (
    CableSpec,
    DvSwitchSpec,
    FaultSpec,
    HostSpec,
    LabSpec,
    NicSpec,
    PortgroupSpec,
    SwitchSpec,
    VmkSpec,
    VSwitchSpec,
)
from vmesh_tui.sim.lab.tables import Table

CDP_MODES = ("none", "listen", "advertise", "both")
FAULT_KINDS = ("fault", "lost", "delay", "ignored")
NETSTACKS = ("defaultTcpipStack", "vmotion", "vSphereProvisioning")
HOST_KEYS: tuple[str, ...] = ("name", "user", "password", "version", "port", "nic", "vswitch", "vmk")
HOST_KEYS += ("cdp_interval_s", "cdp_holdtime_s", "dvswitch")


class LabError(Exception):
    """A lab file that cannot be used; the message says where and what, in one sentence."""


def derived_mac(host: str, device: str) -> str:
    """A stable, locally unique VMware-OUI MAC for a NIC that the lab gives none."""
    digest = hashlib.sha256(f"{host}/{device}".encode()).digest()
    return "00:50:56:" + ":".join(f"{b:02x}" for b in (digest[0] & 0x3F, digest[1], digest[2]))


def load_lab(path: str | Path) -> LabSpec:
    """Read and validate a lab file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise LabError(f"{path}: cannot read the lab file ({exc.strerror}); check the path") from None
    return parse_lab(text, str(path))


def demo_lab() -> LabSpec:
    """The built-in two-host lab shipped as package data (demo.toml)."""
    text = resources.files("vmesh_tui.sim.lab").joinpath("demo.toml").read_text(encoding="utf-8")
    return parse_lab(text, "demo.toml")


def parse_lab(text: str, source: str) -> LabSpec:
    """Parse lab TOML text; ``source`` names the file in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LabError(f"{source}: not valid TOML: {exc}") from None
    try:
        spec = _parse_document(Table(data, "", source))
        check_references(spec)
    except ValueError as exc:
        raise LabError(f"{source}: {exc}") from None
    return spec


def _parse_document(doc: Table) -> LabSpec:
    doc.allow("host", "cable", "switch", "fault")
    hosts = tuple(_parse_host(t) for t in doc.tables("host", required=True))
    cables = tuple(CableSpec(t.allow("a", "b").ref("a"), t.ref("b")) for t in doc.tables("cable"))
    switches = tuple(
        SwitchSpec(
            t.allow("name", "mtu", "ports").text("name"), t.integer("mtu", 1500, 1280, 9216), t.refs("ports")
        )
        for t in doc.tables("switch")
    )
    faults = tuple(_parse_fault(t) for t in doc.tables("fault"))
    return LabSpec(hosts, cables, switches, faults, doc.source)


def _parse_host(t: Table) -> HostSpec:
    t.allow(*HOST_KEYS)
    name = t.host_name("name")
    interval, holdtime = t.number("cdp_interval_s", 60.0), t.number("cdp_holdtime_s", 180.0)
    if not 0 <= interval <= 3600:
        raise t.error(f"cdp_interval_s = {interval:g} is out of range; use 0 (heard at once) to 3600 seconds")
    if holdtime < interval or holdtime > 65535:
        raise t.error(
            f"cdp_holdtime_s = {holdtime:g} must be at least cdp_interval_s ({interval:g}) and at most 65535"
        )
    nics = tuple(_parse_nic(n, name) for n in t.tables("nic"))
    vswitches = tuple(_parse_vswitch(v) for v in t.tables("vswitch"))
    dvswitches = tuple(
        DvSwitchSpec(
            d.allow("name", "uplinks", "mtu").name("name", 80),
            d.texts("uplinks"),
            d.integer("mtu", 1500, 1280, 9000),
        )
        for d in t.tables("dvswitch")
    )
    vmks = tuple(_parse_vmk(v) for v in t.tables("vmk"))
    return HostSpec(
        name=name,
        user=t.text("user", "root"),
        password=t.text("password", "vmware", secret=True),
        version=t.text("version", "8.0.3"),
        port=t.integer("port", 0, 0, 65535),
        nics=nics,
        vswitches=vswitches,
        vmks=vmks,
        cdp_interval_s=interval,
        cdp_holdtime_s=holdtime,
        dvswitches=dvswitches,
    )


def _parse_nic(t: Table, host: str) -> NicSpec:
    t.allow("device", "driver", "speed_mb", "max_mtu", "mac")
    device = t.device("device", "vmnic")
    return NicSpec(
        device=device,
        mac=t.mac("mac") or derived_mac(host, device),
        driver=t.text("driver", ""),
        speed_mb=t.integer("speed_mb", 1000, 10, 400_000),
        max_mtu=t.integer("max_mtu", 9000, 1280, 9216),
    )


def _parse_vswitch(t: Table) -> VSwitchSpec:
    t.allow("name", "mtu", "uplinks", "standby", "cdp", "portgroup")
    return VSwitchSpec(
        name=t.name("name", 32),
        mtu=t.integer("mtu", 1500, 1280, 9000),
        uplinks=t.texts("uplinks"),
        standby=t.texts("standby"),
        cdp=t.choice("cdp", CDP_MODES, "listen"),
        portgroups=tuple(_parse_portgroup(p) for p in t.tables("portgroup")),
    )


def _parse_portgroup(t: Table) -> PortgroupSpec:
    t.allow("name", "vlan", "active", "standby")
    active = t.texts("active") if t.has("active") else None
    standby = t.texts("standby") if t.has("standby") else None
    if standby is not None and active is None:
        active = ()
    return PortgroupSpec(t.name("name", 59), t.integer("vlan", 0, 0, 4095), active, standby)


def _parse_vmk(t: Table) -> VmkSpec:
    t.allow("device", "portgroup", "ip", "mtu", "services", "netstack", "dvswitch")
    cidr = t.text("ip")
    try:
        iface = ipaddress.IPv4Interface(cidr)
    except ValueError:
        iface = None
    if iface is None or "/" not in cidr:
        raise t.error(f"ip {cidr!r} is not an IPv4 address with a prefix, e.g. 192.168.10.11/24")
    net = iface.network
    if net.prefixlen < 31 and iface.ip in (net.network_address, net.broadcast_address):
        raise t.error(f"ip {cidr!r} is the network or broadcast address of {net}; use a host address")
    return VmkSpec(
        device=t.device("device", "vmk"),
        portgroup=t.text("portgroup"),
        ip=str(iface),
        mtu=t.integer("mtu", 1500, 1280, 9000),
        services=t.texts("services"),
        netstack=t.choice("netstack", NETSTACKS, "defaultTcpipStack"),
        dvswitch=t.text("dvswitch", ""),
    )


def _parse_fault(t: Table) -> FaultSpec:
    t.allow("host", "method", "nth", "kind", "fault_type", "delay_s")
    delay = t.number("delay_s", 0.0)
    if delay < 0:
        raise t.error("delay_s must not be negative")
    kind = t.choice("kind", FAULT_KINDS, "fault")
    if kind == "delay" and delay <= 0:
        raise t.error('kind = "delay" needs delay_s > 0 (the seconds to wait before answering)')
    return FaultSpec(
        host=t.text("host"),
        method=t.name("method", 80),
        nth=t.integer("nth", 1, 1, 1_000_000),
        kind=kind,
        fault_type=t.name("fault_type", 80, "HostConfigFault"),
        delay_s=delay,
    )
