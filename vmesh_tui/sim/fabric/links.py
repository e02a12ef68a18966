"""The wires between simulated hosts: direct cables and switches, and link negotiation.

A NIC is on at most one cable or one switch port (the lab parser guarantees it); without either its
link is down. A switch joins its ports into one L2 segment with the switch's MTU.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence

from vmesh_tui.sim.host.simhost import SimHost
from vmesh_tui.sim.lab.spec import CableSpec, SwitchSpec

Port = tuple[str, str]  # (host name, vmnic device)


def _port(ref: str) -> Port:
    host, _, device = ref.rpartition("/")
    return host, device


class Links:
    """All hosts of a lab and what connects their NICs: the questions CDP and the ping model ask."""

    def __init__(
        self, hosts: dict[str, SimHost], cables: Sequence[CableSpec], switches: Sequence[SwitchSpec]
    ) -> None:
        self.hosts = hosts
        self._peer: dict[Port, Port] = {}
        for cable in cables:
            a, b = _port(cable.a), _port(cable.b)
            self._peer[a], self._peer[b] = b, a
        self._switch: dict[Port, SwitchSpec] = {}
        for switch in switches:
            for ref in switch.ports:
                self._switch[_port(ref)] = switch

    def cable_peer(self, host: str, device: str) -> Port | None:
        return self._peer.get((host, device))

    def switch_of(self, host: str, device: str) -> SwitchSpec | None:
        return self._switch.get((host, device))

    def switch_port_number(self, host: str, device: str) -> int:
        """1-based position of the NIC's port on its switch (its CDP port id)."""
        switch = self._switch[(host, device)]
        return switch.ports.index(f"{host}/{device}") + 1

    def far_ends(self, host: str, device: str) -> list[Port]:
        """The NICs of other hosts that a frame sent out of this NIC can reach."""
        peer = self._peer.get((host, device))
        if peer is not None:
            return [peer]
        switch = self._switch.get((host, device))
        if switch is None:
            return []
        return [p for p in map(_port, switch.ports) if p[0] != host]

    def negotiated(self, host: str, device: str) -> tuple[int, bool] | None:
        """(speedMb, full duplex) the link runs at, or None when it is down.

        A forced speed wins when the other end can do it (auto-negotiating or forced the same); two
        auto ends agree on the slower NIC's speed. A switch port follows the NIC.
        """
        pnic = self.hosts[host].state.pnics.get(device) if host in self.hosts else None
        if pnic is None:
            return None
        own = pnic.forced or (pnic.speed_mb, True)
        if (host, device) in self._switch:
            return own
        peer = self._peer.get((host, device))
        if peer is None or peer[0] not in self.hosts:
            return None
        far = self.hosts[peer[0]].state.pnics.get(peer[1])
        if far is None:
            return None
        if pnic.forced and far.forced:
            return own if pnic.forced == far.forced else None
        if pnic.forced:
            return own if own[0] <= far.speed_mb else None
        if far.forced:
            return far.forced if far.forced[0] <= pnic.speed_mb else None
        return min(pnic.speed_mb, far.speed_mb), True

    @contextlib.contextmanager
    def all_locked(self) -> Iterator[None]:
        """Hold every host's lock, taken in host-name order (so two callers never deadlock)."""
        with contextlib.ExitStack() as stack:
            for name in sorted(self.hosts):
                stack.enter_context(self.hosts[name].lock)
            yield
