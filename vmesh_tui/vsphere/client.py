"""HostsClient: the adapter's facade. Blocking, thread-safe per host, re-login on NotAuthenticated.

ESXi targets are connected in parallel (one session each); a vCenter target gives one session and
the hosts of one cluster. Reads run concurrently across connections; each host's calls hold its lock.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from pyVmomi import vmodl

from vmesh_tui.core.model import HostState, Neighbor
from vmesh_tui.core.steps import Step
from vmesh_tui.vsphere import hostread, inventory
from vmesh_tui.vsphere.actions import StepRunner
from vmesh_tui.vsphere.errors import (
    ClusterNotFound,
    HostUnavailable,
    NotSupported,
    VSphereError,
)
from vmesh_tui.vsphere.handle import HostHandle
from vmesh_tui.vsphere.hostchecks import check_network_read, check_usable
from vmesh_tui.vsphere.knownhosts import KnownHosts
from vmesh_tui.vsphere.maintenance import reboot_in_maintenance
from vmesh_tui.vsphere.ping import PingResult, execute_ping, parse_ping, ping_arguments, retrieve_executer
from vmesh_tui.vsphere.session import AcceptNew, Session, fault_name, fault_text
from vmesh_tui.vsphere.targets import Target

T = TypeVar("T")
FRESH_READ_S = 10.0  # how long the connect read may stand in for the first discovery


def _parallel(fn: Callable[[Any], T], items: Sequence[Any]) -> list[T]:
    """Run ``fn`` over ``items`` in threads; re-raise the first error in item order."""
    if len(items) <= 1:
        return [fn(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(8, len(items)), thread_name_prefix="vmesh-vsphere") as pool:
        futures = [pool.submit(fn, item) for item in items]
        return [future.result() for future in futures]


class HostsClient:
    """Sessions and hosts; build it with :meth:`connect`."""

    def __init__(self, sessions: list[Session], handles: dict[str, HostHandle]) -> None:
        self._sessions = sessions
        self._handles = handles
        self._fresh: list[hostread.RawHost] | None = None  # the connect read, served once by read_all
        self._fresh_at = 0.0

    # -- connecting ---------------------------------------------------------------------------------
    @classmethod
    def connect(
        cls,
        targets: Sequence[Target],
        password: str,
        known_hosts: KnownHosts,
        accept_new: AcceptNew = False,
        timeout: float = 20.0,
    ) -> HostsClient:
        """Open sessions to ``targets`` (ESXi hosts, or one vCenter with a cluster) and find the hosts."""
        if not targets:
            raise VSphereError(
                "no hosts to connect to", "give --host URLs or --vcenter with --cluster", code="bad-target"
            )
        endpoints = [t.endpoint for t in targets]
        if len(set(endpoints)) != len(endpoints):
            raise VSphereError("the same endpoint is given twice", "list each host once", code="bad-target")
        sessions: list[Session] = [Session(t, password, known_hosts, accept_new, timeout) for t in targets]
        client = cls(sessions, {})
        try:
            _parallel(lambda session: session.open(), sessions)
            raws = _parallel(client._discover, sessions)
            for session, found in zip(sessions, raws):
                for raw in found:
                    if raw.name in client._handles:
                        raise VSphereError(
                            f"two endpoints report the same host name {raw.name!r}",
                            "give each host once, by one address",
                            code="bad-target",
                        )
                    client._adopt(session, raw)
        except BaseException:
            client.close()  # close the sessions that did open
            raise
        client._fresh = [raw for found in raws for raw in found]
        client._fresh_at = time.monotonic()
        return client

    def _discover(self, session: Session) -> list[hostread.RawHost]:
        content = session.content
        cluster = session.target.cluster
        if cluster is None:
            return self._read_hosts(session, [])
        clusters = session.read(lambda: hostread.list_clusters(content), "listing the clusters")
        if cluster not in clusters:
            known = ", ".join(sorted(clusters)) or "none"
            raise ClusterNotFound(
                f"vCenter {session.target.endpoint} has no cluster named {cluster!r} (clusters: {known})",
                "name one of its clusters with --cluster",
            )
        return self._read_hosts(session, clusters[cluster])

    def _adopt(self, session: Session, raw: hostread.RawHost) -> HostHandle:
        handle = self._handles.get(raw.name)
        if handle is None or handle.session is not session:
            handle = HostHandle(
                name=raw.name,
                session=session,
                moref=raw.moref,
                network_system=raw.props.get("configManager.networkSystem"),
                vnic_manager=raw.props.get("configManager.virtualNicManager"),
            )
            self._handles[raw.name] = handle
        handle.remember_network(raw.network)
        return handle

    # -- reading ------------------------------------------------------------------------------------
    def host_names(self) -> list[str]:
        return list(self._handles)

    def handle(self, host: str) -> HostHandle:
        try:
            return self._handles[host]
        except KeyError:
            raise VSphereError(
                f"{host!r} is not one of the connected hosts ({', '.join(self._handles)})",
                "use a host name from discovery",
                code="unknown-host",
            ) from None

    def read_all(self, hints: bool = True) -> dict[str, HostState]:
        """Every host's state: one RetrievePropertiesEx per connection, one QueryNetworkHint per host.

        The first call soon after connect, with no change in between, uses the read connect made
        (it needed the host names anyway). ``hints=False`` reads no CDP/LLDP neighbours (a check of
        what the hosts hold after a change costs one request per connection).
        """
        raws, self._fresh = self._fresh, None
        if raws is None or time.monotonic() - self._fresh_at > FRESH_READ_S:
            raws = [raw for found in _parallel(self._read_connection, self._sessions) for raw in found]
        if hints:
            _parallel(self._add_hints, raws)
        return self._states(raws)

    def read_host(self, host: str) -> HostState:
        """One host's state, fresh and without neighbours: one RetrievePropertiesEx on its connection."""
        handle = self.handle(host)
        session = handle.session
        raws = self._read_hosts(session, [handle.moref], {handle.moref._moId: host}, f"reading {host}")
        found = self._states([raw for raw in raws if raw.name == host])
        if host not in found:
            raise HostUnavailable(
                f"{host} is no longer among the hosts of {session.target.endpoint}", "discover again"
            )
        return found[host]

    def _states(self, raws: list[hostread.RawHost]) -> dict[str, HostState]:
        states: dict[str, HostState] = {}
        for raw in raws:
            handle = self._handles.get(raw.name)
            if handle is not None:
                with handle.lock:
                    handle.remember_network(raw.network)
                states[raw.name] = inventory.host_state(raw)
        return states

    @property
    def call_timeout(self) -> float:
        """The deadline of one call, in seconds (also how long an unanswered change may take to land)."""
        return max((s.timeout for s in self._sessions), default=20.0)

    def abort_calls(self) -> None:
        """Stop every call in progress on every session now (ctrl+c): each raises a lost-reply error."""
        for session in self._sessions:
            session.abort_calls()

    def _read_connection(self, session: Session) -> list[hostread.RawHost]:
        handles = [h for h in self._handles.values() if h.session is session]
        return self._read_hosts(session, [h.moref for h in handles], {h.moref._moId: h.name for h in handles})

    @staticmethod
    def _read_hosts(
        session: Session, morefs: list[Any], names: Mapping[str, str] | None = None, doing: str = ""
    ) -> list[hostread.RawHost]:
        """One read of a connection's hosts with their network state: the host below the root of an ESXi
        endpoint, or ``morefs`` on a vCenter (each refused unless connected and out of maintenance mode).
        A host whose network objects returned nothing is refused (check_network_read)."""
        content = session.content
        if session.target.cluster is None:
            raws = session.read(lambda: hostread.read_hosts_from_root(content), doing or "reading the host")
        else:
            raws = session.read(
                lambda: hostread.read_hosts(content, morefs), doing or "reading the hosts", names
            )
            for raw in raws:
                check_usable(raw)
        return check_network_read(raws)

    def _add_hints(self, raw: hostread.RawHost) -> None:
        handle = self._handles.get(raw.name)
        devices = hostread.hint_candidates(raw.network)
        if handle is None or not devices or handle.network_system is None:
            return
        ns = handle.network_system
        try:
            with handle.lock:
                raw.hints = list(
                    handle.session.call(lambda: ns.QueryNetworkHint(device=devices), idempotent=True) or []
                )
        except vmodl.MethodFault:
            raw.hints = []  # no neighbour information; cables are then proposed by name

    def neighbours(self, host: str, devices: Sequence[str]) -> dict[str, Neighbor | None]:
        """What each NIC hears now (CDP/LLDP): one QueryNetworkHint for ``devices`` of ``host``."""
        handle = self.handle(host)
        ns = handle.network_system
        if not devices or ns is None:
            return dict.fromkeys(devices)
        with handle.lock:
            hints = handle.session.read(
                lambda: ns.QueryNetworkHint(device=list(devices)), f"asking {host} what its NICs hear"
            )
        heard = {hint.device: inventory.map_neighbor(hint) for hint in hints or []}
        return {device: heard.get(device) for device in devices}

    # -- changing -----------------------------------------------------------------------------------
    def run_step(self, step: Step) -> str | None:
        """Apply one plan step; the vmk device for an add_vmk, else None. Raises StepFailed."""
        handle = self.handle(step.host)
        self._fresh = None
        with handle.lock:
            return StepRunner(handle).run(step)

    def ping(
        self,
        host: str,
        target_ip: str,
        *,
        interface: str | None = None,
        size: int = 56,
        df: bool = True,
        count: int = 3,
        netstack: str | None = None,
    ) -> PingResult:
        """``vmkping`` from ``host`` (esxcli network diag ping); a failed ping is a result, not an error."""
        handle = self.handle(host)
        arguments = ping_arguments(
            target_ip, interface=interface, size=size, df=df, count=count, netstack=netstack, wait=1
        )
        session = handle.session
        with handle.lock:
            try:
                if handle.method_executer is None:
                    moid = handle.moref._moId
                    handle.method_executer = session.call(
                        lambda: retrieve_executer(session.stub, moid), "pinging"
                    )
                executer = handle.method_executer
                returnval = session.call(
                    lambda: execute_ping(session.stub, executer, arguments), "pinging", idempotent=True
                )
            except (vmodl.fault.MethodNotFound, vmodl.fault.ManagedObjectNotFound) as fault:
                raise NotSupported(
                    None, fault_name(fault), f"esxcli ping on {host}: {fault_text(fault)}"
                ) from None
            except vmodl.MethodFault as fault:
                return PingResult(count, 0, 100.0, None, f"{fault_name(fault)}: {fault_text(fault)}")
        return parse_ping(returnval, count)

    def reboot(self, host: str, wait_s: float = 120.0) -> None:
        """Reboot ``host`` as an admin does (maintenance.py): maintenance mode, reboot without force,
        wait until it is back with a new bootTime, leave maintenance mode. Raises StepFailed or
        CallTimeout (the host is then left in maintenance mode, and the message says so)."""
        handle = self.handle(host)
        self._fresh = None
        with handle.lock:
            handle.method_executer = None
            reboot_in_maintenance(handle.session, handle.moref, host, wait_s)

    def close(self) -> None:
        for session in self._sessions:
            session.close()
        self._sessions = []
