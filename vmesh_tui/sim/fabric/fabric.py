"""A lab's fabric: its links (links.py) plus the questions a host asks of them, CDP and ping.

:class:`Fabric` is the :class:`~vmesh_tui.sim.host.wiring.Wiring` each SimHost is plugged into.
"""

from __future__ import annotations

from collections.abc import Sequence

from pyVmomi import vim

from vmesh_tui.sim.fabric import cdp
from vmesh_tui.sim.fabric.links import Links
from vmesh_tui.sim.fabric.packets import run_ping
from vmesh_tui.sim.host.simhost import SimHost
from vmesh_tui.sim.host.wiring import PingOutcome, PingRequest
from vmesh_tui.sim.lab.spec import CableSpec, LabSpec, SwitchSpec


class Fabric(Links):
    """All hosts of a lab and what connects their NICs; every host's ``fabric`` is set to it."""

    def __init__(
        self, hosts: dict[str, SimHost], cables: Sequence[CableSpec], switches: Sequence[SwitchSpec]
    ) -> None:
        super().__init__(hosts, cables, switches)
        for host in hosts.values():
            host.fabric = self

    def network_hint(self, host: str, device: str) -> vim.host.PhysicalNic.NetworkHint:
        """What CDP heard on the NIC (see cdp.py); the caller holds every host's lock."""
        return cdp.network_hint(self, self.hosts[host], device)

    def ping(self, request: PingRequest) -> PingOutcome:
        """esxcli network diag ping from host ``request.source`` to ``request.target`` (see packets.py)."""
        with self.all_locked():
            return run_ping(self, request)


def build_fabric(spec: LabSpec) -> Fabric:
    """SimHosts for every host of the lab, wired by its cables and switches."""
    hosts = {h.name: SimHost(h) for h in spec.hosts}
    return Fabric(hosts, spec.cables, spec.switches)
