"""The cable probe's plan: which NICs each host lends to a temporary CDP vSwitch, and which it keeps out.

A free NIC (an uplink of no switch) neither sends nor hears CDP, so a cable between two free NICs can only
be guessed from equal names. The probe gives every host one temporary vSwitch ``PREFIX-probe`` whose
uplinks are that host's free NICs with link, with CDP set to both, and no portgroups or vmks: nothing but
CDP ever crosses it. NICs that are uplinks of any switch (standard or distributed, the tool's own
included), NICs without link, and NICs whose neighbour is already known are never moved.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from vmesh_tui.core.errors import CoreError, Finding, Severity
from vmesh_tui.core.model import CdpMode, HostState, VSwitch, nic_ref
from vmesh_tui.core.ordering import natural_key
from vmesh_tui.core.pairing import find_host

PROBE_MTU = 1500  # a new vSwitch's own default: the probe never changes an MTU (that would bounce links)
PROBE_LEFTOVER = "probe-leftover"  # Finding code: a probe vSwitch is still on a host


def probe_switch_name(owned_prefix: str = "vmesh") -> str:
    """The temporary vSwitch's name, e.g. ``vmesh-probe`` (owned by the tool, like its other objects)."""
    return f"{owned_prefix}-probe"


def in_use_by(host: HostState, device: str) -> str | None:
    """The switch a NIC is an uplink of (any, the tool's own included), or None when it is free."""
    return host.nic_user(device)


@dataclass(frozen=True)
class ProbeTarget:
    """One host's part in the probe: the NICs its temporary vSwitch takes (in natural order)."""

    host: str
    nics: tuple[str, ...]
    switch_name: str = "vmesh-probe"

    @property
    def vswitch(self) -> VSwitch:
        """The temporary vSwitch: all NICs active (as a new vSwitch gets them), CDP both, default MTU."""
        return VSwitch(self.switch_name, PROBE_MTU, self.nics, self.nics, (), CdpMode.BOTH)

    @property
    def refs(self) -> tuple[str, ...]:
        return tuple(nic_ref(self.host, nic) for nic in self.nics)


@dataclass(frozen=True)
class ProbePlan:
    """What a probe run will change: one target per host that lends at least one NIC."""

    switch_name: str
    targets: tuple[ProbeTarget, ...]
    known: tuple[str, ...] = ()  # free NICs left out because their neighbour is already known

    @property
    def refs(self) -> tuple[str, ...]:
        """Every probed NIC as ``HOST/vmnicN``."""
        return tuple(ref for target in self.targets for ref in target.refs)

    @property
    def is_empty(self) -> bool:
        return not self.targets

    def target(self, host: str) -> ProbeTarget | None:
        return next((t for t in self.targets if t.host == host), None)


def _claimed(hosts: Mapping[str, HostState]) -> set[str]:
    """NICs that some NIC of another host already names as its neighbour (``HOST/vmnicN``)."""
    claimed = set()
    for host in hosts.values():
        for pnic in host.pnics:
            if pnic.neighbor is None:
                continue
            peer = find_host(dict(hosts), pnic.neighbor.device_id)
            if peer is not None and peer.name != host.name and peer.pnic(pnic.neighbor.port_id) is not None:
                claimed.add(nic_ref(peer.name, pnic.neighbor.port_id))
    return claimed


def plan_probe(hosts: Sequence[HostState], owned_prefix: str = "vmesh") -> ProbePlan:
    """Which NICs to probe on each host. CoreError when a probe vSwitch is already there (see
    :func:`leftover_findings`): the probe would otherwise end with the hosts not as they started."""
    leftovers = leftover_findings(hosts, owned_prefix)
    if leftovers:
        first = leftovers[0]
        raise CoreError(first.code, first.message, first.remedy)
    by_name = {h.name: h for h in hosts}
    claimed = _claimed(by_name)
    name = probe_switch_name(owned_prefix)
    targets, known = [], []
    for host in sorted(hosts, key=lambda h: h.name):
        nics = []
        for pnic in sorted(host.pnics, key=lambda p: natural_key(p.device)):
            if not pnic.link_up or in_use_by(host, pnic.device) is not None:
                continue
            ref = nic_ref(host.name, pnic.device)
            if pnic.neighbor is not None or ref in claimed:
                known.append(ref)
                continue
            nics.append(pnic.device)
        if nics:
            targets.append(ProbeTarget(host.name, tuple(nics), name))
    return ProbePlan(name, tuple(targets), tuple(known))


def leftover_findings(hosts: Sequence[HostState], owned_prefix: str = "vmesh") -> tuple[Finding, ...]:
    """An error per host that still has the probe's vSwitch (an interrupted probe, or one running now)."""
    name = probe_switch_name(owned_prefix)
    return tuple(
        Finding(
            PROBE_LEFTOVER,
            Severity.ERROR,
            f"{host.name} still has the cable probe's temporary vSwitch {name} (a probe was interrupted,"
            " or is running)",
            "run `vmesh-tui revert`, or probe again: either removes it; if no journal knows it, remove it"
            f" on the host with `esxcli network vswitch standard remove -v {name}`",
            host.name,
        )
        for host in sorted(hosts, key=lambda h: h.name)
        if host.vswitch(name) is not None
    )


def unexplained_leftover(hosts: Sequence[HostState], owned_prefix: str = "vmesh") -> CoreError | None:
    """The refusal when a probe vSwitch is still there after every interrupted probe of these hosts that a
    journal knows was cleaned up: a probe of other hosts made it, or not this tool (None: none is there)."""
    found = leftover_findings(hosts, owned_prefix)
    if not found:
        return None
    name = probe_switch_name(owned_prefix)
    where = ", ".join(f.subject for f in found)
    return CoreError(
        PROBE_LEFTOVER,
        f"{where}: a vSwitch {name} is there that no interrupted probe of these hosts explains",
        f"`vmesh-tui status` lists the open runs: revert the one that made it, with its hosts; if none did,"
        f" check that nothing uses it, then remove it on the host (`esxcli network vswitch standard remove"
        f" -v {name}`) or rename it: the tool treats names starting {owned_prefix}- as its own",
    )


def as_the_probe_reads_them(hosts: Sequence[HostState], owned_prefix: str = "vmesh") -> list[HostState]:
    """The hosts as the probe's own fresh read will find them once an earlier probe's vSwitch is removed:
    without that vSwitch, and with no neighbour on a free NIC (a free NIC hears nothing on a host; what
    one carries here was heard by an earlier probe). What a new probe would take is planned from this."""
    name = probe_switch_name(owned_prefix)
    result = []
    for host in hosts:
        bare = replace(host, vswitches=tuple(v for v in host.vswitches if v.name != name))
        pnics = tuple(replace(p, neighbor=None) if bare.nic_user(p.device) is None else p for p in host.pnics)
        result.append(replace(bare, pnics=pnics))
    return result
