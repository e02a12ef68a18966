"""Preflight checks of the cables: each end on its own (host, NIC, ownership, MTU) and each cable as a
whole (link state, neighbours that contradict it, speeds, verification)."""

from __future__ import annotations

from vmesh_tui.core.design import DesignOptions, NicSpeed
from vmesh_tui.core.errors import Finding
from vmesh_tui.core.model import HostState, Pnic, split_ref
from vmesh_tui.core.pairing import Cable, foreign_owner
from vmesh_tui.core.preflight_codes import error, warning


def end_findings(states: dict[str, HostState], ref: str, peer: str, options: DesignOptions) -> list[Finding]:
    """Problems of one cable end on its own: missing host or NIC, NIC in use, MTU doubts. ``peer`` is the
    cable's other end: its MTU is the plan's too, so what its neighbour reports today is no doubt."""
    host_name, device = split_ref(ref)
    host = states.get(host_name)
    if host is None:
        return [
            error("host-missing", ref, f"{host_name} is not among the hosts read", "add the host or unlink")
        ]
    pnic = host.pnic(device)
    if pnic is None:
        return [
            error("nic-missing", ref, f"{host_name} has no NIC {device}", "re-read the hosts and re-link")
        ]
    found = []
    owner = foreign_owner(host, device, options.name_prefix)
    if owner is not None:
        found.append(
            error(
                "nic-in-use",
                ref,
                f"{ref} is an uplink of {owner}, which this tool did not create",
                f"remove {device} from {owner} first, or link another NIC",
            )
        )
    if pnic.speed_mb is not None and pnic.speed_mb < 1000 and options.mtu > 1500:
        found.append(
            warning(
                "mtu-slow-nic",
                ref,
                f"{ref} runs at {pnic.speed_mb} Mb/s; such links often do not pass MTU {options.mtu}",
                "validation will show it; use MTU 1500 on this link if jumbo pings fail",
            )
        )
    heard = pnic.neighbor
    peer_host, peer_device = split_ref(peer)
    if (
        heard is not None
        and heard.mtu is not None
        and heard.mtu < options.mtu
        and (_host_key(heard.device_id), heard.port_id) != (_host_key(peer_host), peer_device)
    ):
        found.append(
            warning(
                "peer-mtu",
                ref,
                f"the neighbour of {ref} reports MTU {heard.mtu}, below the planned {options.mtu}",
                f"use MTU {heard.mtu} or raise it on the other end",
            )
        )
    return found


def _spec(speed: NicSpeed) -> tuple[int, bool]:
    assert speed.speed_mb is not None
    return speed.speed_mb, speed.full_duplex


def _unsupported_speed(ref: str, pnic: Pnic, speed_mb: int, full_duplex: bool) -> Finding:
    """A forced speed the NIC does not list in its valid link specifications: the host would refuse it."""
    offered = ", ".join(f"{mb}/{'full' if full else 'half'}" for mb, full in pnic.valid_speeds)
    return error(
        "speed-unsupported",
        ref,
        f"{ref} cannot be forced to {speed_mb} Mb/s {'full' if full_duplex else 'half'} duplex "
        f"(it accepts {offered})",
        "force one of the speeds it accepts, or leave it on auto-negotiate",
    )


def _host_key(name: str) -> str:
    """Host names compared the way CDP device ids appear: case-insensitive, short name."""
    return name.casefold().split(".")[0]


def cable_findings(states: dict[str, HostState], cable: Cable, options: DesignOptions) -> list[Finding]:
    """Problems of a cable as a whole: link state, contradicting neighbours, speeds, verification."""
    ends = [(ref, states.get(split_ref(ref)[0])) for ref in cable.ends]
    pnics = [(ref, host.pnic(split_ref(ref)[1]) if host else None) for ref, host in ends]
    if any(p is None for _, p in pnics):
        return []
    found = []
    up = [ref for ref, p in pnics if p is not None and p.link_up]
    down = [ref for ref, p in pnics if p is not None and not p.link_up]
    if len(down) == 2:
        found += [
            error("link-down", ref, f"{ref} has no link", "check the cable and that both ends are on")
            for ref in down
        ]
    elif down:
        found.append(
            error(
                "one-sided",
                down[0],
                f"{up[0]} has link but {down[0]} does not: "
                "the cable is in on one side only, or goes elsewhere",
                f"check where the cable from {up[0]} ends, then re-link",
            )
        )
    for (ref, pnic), (peer, _) in ((pnics[0], pnics[1]), (pnics[1], pnics[0])):
        said = pnic.neighbor if pnic else None
        peer_host, peer_device = split_ref(peer)
        if said is None or _host_key(said.device_id) not in {_host_key(name) for name in states}:
            continue
        if _host_key(said.device_id) != _host_key(peer_host) or said.port_id != peer_device:
            found.append(
                error(
                    "cable-crossed",
                    ref,
                    f"{said.protocol.upper()} says {ref} is cabled to "
                    f"{said.device_id}/{said.port_id}, not {peer}",
                    f"link {ref} to {said.device_id}/{said.port_id}, or move the cable",
                )
            )
    forced = {s.ref: s for s in options.nic_speeds}
    settings = []
    for ref, pnic in pnics:
        assert pnic is not None
        wanted = forced.get(ref)
        if wanted is not None and wanted.speed_mb is not None and not pnic.accepts(*_spec(wanted)):
            found.append(_unsupported_speed(ref, pnic, wanted.speed_mb, wanted.full_duplex))
        speed = wanted.speed_mb if wanted else pnic.configured_speed_mb
        duplex = (wanted.full_duplex if wanted else pnic.configured_full_duplex) or speed is None
        settings.append((speed, duplex))
    if settings[0] != settings[1]:
        shown = [f"{s}/{'full' if d else 'half'}" if s else "auto" for s, d in settings]
        found.append(
            warning(
                "speed-mismatch",
                cable.a,
                f"{cable.a} is set to {shown[0]} but {cable.b} to {shown[1]}; forcing one side only can "
                "end in half duplex and lost packets",
                "set both ends the same (both auto, or both forced)",
            )
        )
    if not cable.verified:
        applied = cable.source == "applied"
        how = (
            "configured by vmesh-tui (its objects on both ends)"
            if applied
            else "assumed from NIC names or by hand"
        )
        found.append(
            warning(
                "unverified-applied" if applied else "unverified-cable",
                cable.a,
                f"{cable} is {how}, not seen by CDP/LLDP",
                "validation proves it" if applied else "validation after apply proves it",
            )
        )
    return found
