"""Cross-reference checks of a parsed lab: names unique, references resolve, NICs used once."""

from __future__ import annotations

from collections.abc import Iterable

from vmesh_tui.sim.lab.spec import SERVICES, HostSpec, LabSpec

_METHODS_PYVMOMI_LACKS = ("ExecuteSoap", "RetrieveManagedMethodExecuter")  # esxcli over the API


def _first_duplicate(names: Iterable[str]) -> tuple[int, str] | None:
    seen: set[str] = set()
    for index, name in enumerate(names, start=1):
        if name in seen:
            return index, name
        seen.add(name)
    return None


def check_references(spec: LabSpec) -> None:
    """Raise ValueError naming the table and problem for the first inconsistency found."""
    dup = _first_duplicate(h.name for h in spec.hosts)
    if dup:
        raise ValueError(f"host[{dup[0]}]: duplicate host name {dup[1]!r}")
    ports = [h.port for h in spec.hosts if h.port]
    dup = _first_duplicate(str(p) for p in ports)
    if dup:
        raise ValueError(f"port {dup[1]} is given to two hosts; give each host its own port or 0")
    for index, host in enumerate(spec.hosts, start=1):
        _check_host(host, f"host[{index}]")
    _check_wiring(spec)
    hosts = {h.name for h in spec.hosts}
    injected: dict[tuple[str, str, int], int] = {}
    for index, fault in enumerate(spec.faults, start=1):
        if fault.host not in hosts:
            raise ValueError(f"fault[{index}]: host {fault.host!r} is not a host of this lab")
        if not _is_wsdl_method(fault.method):
            raise ValueError(
                f"fault[{index}]: method {fault.method!r} is not a vSphere API method name "
                "(use the WSDL name, e.g. AddVirtualNic, UpdatePortGroup, RebootHost_Task)"
            )
        if not _is_fault_type(fault.fault_type):
            raise ValueError(
                f"fault[{index}]: fault_type {fault.fault_type!r} is not a vSphere fault "
                "(e.g. HostConfigFault, NotFound, ResourceInUse)"
            )
        call = (fault.host, fault.method, fault.nth)
        if call in injected:  # one call gets one fault: a second entry would silently replace the first
            raise ValueError(
                f"fault[{index}]: {fault.host}/{fault.method}/{fault.nth} already has a fault "
                f"(fault[{injected[call]}])"
            )
        injected[call] = index


def _is_wsdl_method(name: str) -> bool:
    from pyVmomi import VmomiSupport

    if name in _METHODS_PYVMOMI_LACKS:
        return True
    try:
        VmomiSupport.GuessWsdlMethod(name)
    except KeyError:
        return False
    return True


def _is_fault_type(name: str) -> bool:
    from pyVmomi import vim, vmodl

    return any(isinstance(getattr(ns, name, None), type) for ns in (vim.fault, vmodl.fault))


def _check_host(host: HostSpec, where: str) -> None:
    for table, names in (
        ("nic", [n.device for n in host.nics]),
        ("vswitch", [v.name for v in host.vswitches]),
        ("vmk", [v.device for v in host.vmks]),
    ):
        dup = _first_duplicate(names)
        if dup:
            raise ValueError(f"{where}.{table}[{dup[0]}]: duplicate name {dup[1]!r} on host {host.name}")
    nics = {n.device for n in host.nics}
    owner: dict[str, str] = {}
    portgroups: set[str] = set()
    for vi, vswitch in enumerate(host.vswitches, start=1):
        vwhere = f"{where}.vswitch[{vi}]"
        for nic in vswitch.uplinks + vswitch.standby:
            if nic not in nics:
                raise ValueError(
                    f"{vwhere}: uplink {nic!r} is not a NIC of host {host.name}; add a [[host.nic]]"
                )
            if nic in owner:
                raise ValueError(
                    f"{vwhere}: {nic} is already an uplink of {owner[nic]}; a NIC serves one vSwitch"
                )
            owner[nic] = vswitch.name
        if set(vswitch.uplinks) & set(vswitch.standby):
            raise ValueError(f"{vwhere}: a NIC cannot be both an active uplink and standby")
        for pi, pg in enumerate(vswitch.portgroups, start=1):
            pwhere = f"{vwhere}.portgroup[{pi}]"
            if pg.name in portgroups:
                raise ValueError(f"{pwhere}: duplicate portgroup name {pg.name!r} on host {host.name}")
            portgroups.add(pg.name)
            order = (pg.active or ()) + (pg.standby or ())
            for nic in order:
                if nic not in vswitch.uplinks + vswitch.standby:
                    raise ValueError(
                        f"{pwhere}: {nic!r} in its failover order is not an uplink of {vswitch.name}"
                    )
            if len(set(order)) != len(order):
                raise ValueError(f"{pwhere}: a NIC cannot be both active and standby")
    _check_dvswitches(host, where, nics, owner)
    distributed = {d.name for d in host.dvswitches}
    used: dict[str, str] = {}
    for ki, vmk in enumerate(host.vmks, start=1):
        kwhere = f"{where}.vmk[{ki}]"
        if vmk.dvswitch:
            if vmk.dvswitch not in distributed:
                raise ValueError(
                    f"{kwhere}: dvswitch {vmk.dvswitch!r} is not a distributed switch of host {host.name}; "
                    "add it as a [[host.dvswitch]]"
                )
        elif vmk.portgroup not in portgroups:
            raise ValueError(
                f"{kwhere}: portgroup {vmk.portgroup!r} does not exist on host {host.name}; "
                "add it under a [[host.vswitch.portgroup]]"
            )
        if vmk.portgroup in used and not vmk.dvswitch:
            raise ValueError(f"{kwhere}: portgroup {vmk.portgroup!r} already holds {used[vmk.portgroup]}")
        if not vmk.dvswitch:
            used[vmk.portgroup] = vmk.device
        unknown = [s for s in vmk.services if s not in SERVICES]
        if unknown:
            raise ValueError(f"{kwhere}: unknown service {unknown[0]!r}; use any of {', '.join(SERVICES)}")


def _check_dvswitches(host: HostSpec, where: str, nics: set[str], owner: dict[str, str]) -> None:
    """A distributed switch's uplinks are NICs of the host that no vSwitch or other switch uses."""
    dup = _first_duplicate(d.name for d in host.dvswitches)
    if dup:
        raise ValueError(f"{where}.dvswitch[{dup[0]}]: duplicate name {dup[1]!r} on host {host.name}")
    for di, dvswitch in enumerate(host.dvswitches, start=1):
        dwhere = f"{where}.dvswitch[{di}]"
        for nic in dvswitch.uplinks:
            if nic not in nics:
                raise ValueError(
                    f"{dwhere}: uplink {nic!r} is not a NIC of host {host.name}; add a [[host.nic]]"
                )
            if nic in owner:
                raise ValueError(
                    f"{dwhere}: {nic} is already an uplink of {owner[nic]}; a NIC serves one switch"
                )
            owner[nic] = f"distributed switch {dvswitch.name}"


def _check_wiring(spec: LabSpec) -> None:
    nics = {f"{h.name}/{n.device}" for h in spec.hosts for n in h.nics}
    hosts = {h.name for h in spec.hosts}
    wired: dict[str, str] = {}

    def claim(ref: str, where: str, what: str) -> None:
        host = ref.rpartition("/")[0]
        if host not in hosts:
            raise ValueError(f"{where}: {ref!r} names host {host!r}, which is not a host of this lab")
        if ref not in nics:
            raise ValueError(f"{where}: {ref!r} is not a NIC of host {host}; add it as a [[host.nic]]")
        if ref in wired:
            raise ValueError(
                f"{where}: {ref} is already on {wired[ref]}; a NIC has one cable or one switch port"
            )
        wired[ref] = what

    for index, cable in enumerate(spec.cables, start=1):
        where = f"cable[{index}]"
        if cable.a == cable.b:
            raise ValueError(f"{where}: a cable cannot connect {cable.a} to itself")
        claim(cable.a, where, where)
        claim(cable.b, where, where)
    dup = _first_duplicate(s.name for s in spec.switches)
    if dup:
        raise ValueError(f"switch[{dup[0]}]: duplicate switch name {dup[1]!r}")
    for index, switch in enumerate(spec.switches, start=1):
        for ref in switch.ports:
            claim(ref, f"switch[{index}]", f"switch {switch.name!r}")
