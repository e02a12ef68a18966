"""Run a whole lab in-process: one HTTPS endpoint per host, in threads (tests, the demo, `sim`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from vmesh_tui.sim.wire.server import HostEndpoint
from vmesh_tui.sim.wire.stats import RequestCounter, stats_document, write_stats


class LabStartError(RuntimeError):
    """A lab that parsed but could not be served (a fixed port already taken, ...)."""


@dataclass(frozen=True)
class RunningHost:
    """How a client reaches one simulated host."""

    name: str
    url: str
    user: str
    password: str = field(repr=False)
    thumbprint: str

    def as_json(self) -> dict[str, str]:
        return {
            "name": self.name,
            "url": self.url,
            "user": self.user,
            "password": self.password,
            "thumbprint": self.thumbprint,
        }


class RunningLab:
    """The served lab; stop it (or leave the `with` block) to close every endpoint."""

    def __init__(self, endpoints: Mapping[str, HostEndpoint], fabric: Any = None) -> None:
        self._endpoints = dict(endpoints)
        self.fabric = fabric
        self._stopped = False

    @property
    def hosts(self) -> list[RunningHost]:
        return [
            RunningHost(name, ep.url, str(ep.sim.user), str(ep.sim.password), ep.certificate.thumbprint)
            for name, ep in self._endpoints.items()
        ]

    def host(self, name: str) -> RunningHost:
        found = next((h for h in self.hosts if h.name == name), None)
        if found is None:
            raise KeyError(f"no host named {name!r} in this lab")
        return found

    def endpoint(self, name: str) -> HostEndpoint:
        return self._endpoints[name]

    def reboot(self, name: str) -> None:
        """Reboot one host now: its sessions end and it comes back on the same port."""
        self._endpoints[name].reboot()

    def stats(self) -> dict[str, Any]:
        """{"hosts": {"NAME": {"Method": count, ...}}}"""
        return stats_document(self._counters())

    def write_stats(self, path: str | Path) -> None:
        write_stats(path, self._counters())

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        for endpoint in self._endpoints.values():
            endpoint.stop()

    def _counters(self) -> dict[str, RequestCounter]:
        return {name: ep.counter for name, ep in self._endpoints.items()}

    def __enter__(self) -> RunningLab:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def serve_hosts(
    sims: Iterable[Any],
    faults: Iterable[Any] = (),
    ports: Mapping[str, int] | None = None,
    reboot_downtime_s: float = 0.2,
    fabric: Any = None,
) -> RunningLab:
    """Serve already-built host models (anything with SimHost's interface)."""
    fault_list = list(faults)
    endpoints: dict[str, HostEndpoint] = {}
    try:
        for sim in sims:
            port = (ports or {}).get(sim.name, 0)
            endpoint = HostEndpoint(
                sim, port=port, fault_specs=fault_list, reboot_downtime_s=reboot_downtime_s
            )
            try:
                endpoint.start()
            except OSError as exc:
                raise LabStartError(
                    f"cannot serve host {sim.name} on 127.0.0.1:{port} ({exc.strerror}); "
                    "choose another port in the lab file or use port = 0 for a free one"
                ) from None
            endpoints[sim.name] = endpoint
    except BaseException:
        for endpoint in endpoints.values():
            endpoint.stop()
        raise
    return RunningLab(endpoints, fabric)


def start_lab(spec_or_path: Any, reboot_downtime_s: float = 0.2) -> RunningLab:
    """Load (if given a path), build and serve a lab; LabError for a bad lab file."""
    from vmesh_tui.sim.fabric.fabric import build_fabric
    from vmesh_tui.sim.lab.load import load_lab

    spec = load_lab(spec_or_path) if isinstance(spec_or_path, (str, Path)) else spec_or_path
    fabric = build_fabric(spec)
    ports = {host.name: int(host.port or 0) for host in spec.hosts}
    sims = [fabric.hosts[host.name] for host in spec.hosts]
    return serve_hosts(sims, spec.faults, ports, reboot_downtime_s, fabric)
