"""The desired state per host: the observed state with the tool-owned objects replaced by the design.

Per-link layout (default): one vSwitch per link with exactly that link's NIC, one portgroup on it with
that NIC active and nothing standby, one vmk in the link's subnet. Shared layout: one vSwitch with all
link NICs and one portgroup per link whose override keeps one NIC active and the others unused.
A vSwitch is owned when its name starts with ``<prefix>-``; a portgroup when its name does *and* it sits
on an owned vSwitch; a vmk when it is on an owned portgroup and not tagged for management. Everything
else is kept exactly as observed. A ``<prefix>-`` portgroup on a foreign vSwitch is the admin's: preflight
blocks on it (``owned-name-foreign``) and the plan refuses to build over a name it would collide with.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from vmesh_tui.core.addressing import Link
from vmesh_tui.core.errors import CoreError
from vmesh_tui.core.model import (
    DEFAULT_NETSTACK,
    VMOTION_NETSTACK,
    CdpMode,
    HostState,
    Pnic,
    Portgroup,
    Vmk,
    VSwitch,
    split_ref,
)
from vmesh_tui.core.ordering import (
    canonical_state,
    is_owned_name,
    is_owned_portgroup,
    is_owned_vmk,
)

MAX_NAME = 32
MIN_MTU, MAX_MTU = 1280, 9000
TEAMING = "failover_explicit"
_PREFIX = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.]*")

Layout = Literal["per-link", "shared"]
Netstack = Literal["default", "vmotion"]


@dataclass(frozen=True)
class NicSpeed:
    """Force ``ref`` (HOST/vmnicN) to a speed and duplex; speed None = back to auto-negotiate."""

    ref: str
    speed_mb: int | None
    full_duplex: bool = True


@dataclass(frozen=True)
class DesignOptions:
    """What the admin chose; CoreError at construction when a value cannot work."""

    name_prefix: str = "vmesh"
    mtu: int = 9000
    layout: Layout = "per-link"
    netstack: Netstack = "default"
    cdp: CdpMode = CdpMode.LISTEN
    nic_speeds: tuple[NicSpeed, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.name_prefix, str) or not _PREFIX.fullmatch(self.name_prefix):
            raise CoreError(
                "bad-prefix-name",
                f"name prefix {self.name_prefix!r} is not usable",
                "use letters, digits, '_' or '.', starting with a letter or digit, e.g. vmesh",
            )
        if isinstance(self.mtu, bool) or not isinstance(self.mtu, int) or not MIN_MTU <= self.mtu <= MAX_MTU:
            raise CoreError(
                "bad-mtu", f"MTU {self.mtu!r} is out of range", f"use {MIN_MTU}..{MAX_MTU}, e.g. 9000"
            )
        if self.layout not in ("per-link", "shared"):
            raise CoreError("bad-layout", f"layout {self.layout!r} is unknown", "use per-link or shared")
        if self.netstack not in ("default", "vmotion"):
            raise CoreError(
                "bad-netstack", f"netstack {self.netstack!r} is unknown", "use default or vmotion"
            )
        if self.cdp not in tuple(CdpMode):
            raise CoreError(
                "bad-cdp", f"CDP mode {self.cdp!r} is unknown", "use none, listen, advertise or both"
            )
        object.__setattr__(self, "cdp", CdpMode(self.cdp))
        if not isinstance(self.nic_speeds, tuple) or not all(
            isinstance(s, NicSpeed) for s in self.nic_speeds
        ):
            raise CoreError(
                "bad-speed", "forced speeds must be NicSpeed entries", "use NicSpeed(ref, speed_mb)"
            )
        for speed in self.nic_speeds:
            split_ref(speed.ref)
            value = speed.speed_mb
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value <= 0):
                raise CoreError(
                    "bad-speed", f"speed {value!r} for {speed.ref} is not usable", "use e.g. 1000"
                )


def vswitch_name(prefix: str, number: int) -> str:
    return f"{prefix}-{number}"


def shared_vswitch_name(prefix: str) -> str:
    return f"{prefix}-shared"


def portgroup_name(prefix: str, number: int) -> str:
    return f"{prefix}-vmotion-{number}"


def _check_names(options: DesignOptions, links: Sequence[Link]) -> None:
    last = max((link.number for link in links), default=1)
    longest = max(
        (vswitch_name(options.name_prefix, last), portgroup_name(options.name_prefix, last)),
        key=len,
    )
    if options.layout == "shared":
        longest = max(longest, shared_vswitch_name(options.name_prefix), key=len)
    if len(longest) > MAX_NAME:
        raise CoreError(
            "name-too-long",
            f"{longest} is longer than {MAX_NAME} characters",
            f"use a name prefix of at most {len(options.name_prefix) - (len(longest) - MAX_NAME)} characters",
        )


def _ends_on(host: str, links: Sequence[Link]) -> list[tuple[Link, str]]:
    """(link, this host's NIC device) for every link with an end on ``host``, by link index."""
    found = []
    for link in sorted(links, key=lambda item: item.index):
        for ref in link.cable.ends:
            ref_host, device = split_ref(ref)
            if ref_host == host:
                found.append((link, device))
    return found


def _designed_vmk(observed: HostState, link: Link, device: str, host: str, options: DesignOptions) -> Vmk:
    prefix = options.name_prefix
    pg = portgroup_name(prefix, link.number)
    vmotion_stack = options.netstack == "vmotion"
    netstack = VMOTION_NETSTACK if vmotion_stack else DEFAULT_NETSTACK
    ours = (v for v in observed.vmks if v.portgroup == pg and is_owned_vmk(observed, v, prefix))
    existing = next(ours, None)
    keep = existing is not None and existing.netstack == netstack
    return Vmk(
        device=existing.device if keep and existing else "",
        portgroup=pg,
        ip=link.ip_of(f"{host}/{device}"),
        prefix=link.prefix,
        mtu=options.mtu,
        services=frozenset() if vmotion_stack else frozenset({"vmotion"}),
        netstack=netstack,
        mac=existing.mac if keep and existing else "",
    )


def design_host(observed: HostState, links: Sequence[Link], options: DesignOptions) -> HostState:
    """The desired state of one host (canonical order)."""
    prefix = options.name_prefix
    ends = _ends_on(observed.name, links)
    devices = [device for _, device in ends]
    if len(set(devices)) != len(devices):
        raise CoreError(
            "duplicate-nic", f"a NIC of {observed.name} is in two links", "unlink one of the two cables"
        )
    for _, device in ends:
        if observed.pnic(device) is None:
            raise CoreError(
                "unknown-nic", f"{observed.name} has no NIC {device}", "re-read hosts and re-link"
            )
    vswitches: list[VSwitch] = []
    portgroups: list[Portgroup] = []
    if options.layout == "shared" and ends:
        shared = shared_vswitch_name(prefix)
        vswitches.append(VSwitch(shared, options.mtu, tuple(devices), tuple(devices), (), options.cdp))
    for link, device in ends:
        switch = (
            shared_vswitch_name(prefix) if options.layout == "shared" else vswitch_name(prefix, link.number)
        )
        if options.layout != "shared":
            vswitches.append(VSwitch(switch, options.mtu, (device,), (device,), (), options.cdp))
        portgroups.append(Portgroup(portgroup_name(prefix, link.number), switch, 0, (device,), (), TEAMING))
    vmks = [_designed_vmk(observed, link, device, observed.name, options) for link, device in ends]
    return canonical_state(
        replace(
            observed,
            pnics=_with_speeds(observed, options),
            vswitches=(*(v for v in observed.vswitches if not is_owned_name(v.name, prefix)), *vswitches),
            portgroups=(*(p for p in observed.portgroups if not is_owned_portgroup(p, prefix)), *portgroups),
            vmks=(*(v for v in observed.vmks if not is_owned_vmk(observed, v, prefix)), *vmks),
        )
    )


def _with_speeds(observed: HostState, options: DesignOptions) -> tuple[Pnic, ...]:
    pnics = list(observed.pnics)
    for speed in options.nic_speeds:
        host, device = split_ref(speed.ref)
        if host != observed.name:
            continue
        index = next((i for i, p in enumerate(pnics) if p.device == device), None)
        if index is None:
            raise CoreError("unknown-nic", f"{host} has no NIC {device}", "fix the forced speed setting")
        pnics[index] = replace(
            pnics[index],
            configured_speed_mb=speed.speed_mb,
            configured_full_duplex=True if speed.speed_mb is None else speed.full_duplex,
        )
    return tuple(pnics)


def design(
    hosts: Mapping[str, HostState], links: Sequence[Link], options: DesignOptions | None = None
) -> dict[str, HostState]:
    """The desired state of every host; CoreError when the links or options cannot be built."""
    options = options or DesignOptions()
    _check_names(options, links)
    names = {state.name for state in hosts.values()}
    for link in links:
        for ref in link.cable.ends:
            host = split_ref(ref)[0]
            if host not in names:
                raise CoreError("unknown-host", f"link {link.number} names unknown host {host}", "re-link it")
        if link.cable.hosts[0] == link.cable.hosts[1]:
            raise CoreError("same-host", f"link {link.number} joins one host to itself", "unlink it")
    link_refs = {ref for link in links for ref in link.cable.ends}
    for speed in options.nic_speeds:
        if speed.ref not in link_refs:
            raise CoreError(
                "speed-not-on-link", f"{speed.ref} is not in a link", "force speeds only on link NICs"
            )
    return {name: design_host(state, links, options) for name, state in hosts.items()}
