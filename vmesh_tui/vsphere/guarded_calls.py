"""One endpoint's SOAP calls under the call guard, every way a call can fail turned into a VSphereError.

The deadline, the reply limit and the abort come from :class:`vmesh_tui.vsphere.guard.CallGuard`; a pinned
certificate that changes mid-session, a reply that is not SOAP and a dropped connection are named here.
:class:`vmesh_tui.vsphere.session.Session` adds the login on top.
"""

from __future__ import annotations

import http.client
import select
import ssl
from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from xml.parsers.expat import ExpatError

from pyVmomi import vmodl

from vmesh_tui.vsphere.errors import BadReply, CallTimeout, CertificateChanged, Unreachable, VSphereError
from vmesh_tui.vsphere.faultmap import fault_error, network_error
from vmesh_tui.vsphere.guard import CallCut, CallGuard, CompressedReply, ReplyTooLarge
from vmesh_tui.vsphere.knownhosts import KnownHosts
from vmesh_tui.vsphere.targets import Target
from vmesh_tui.vsphere.tls import PinMismatch, PinnedContext

T = TypeVar("T")
DROPPED = (
    http.client.RemoteDisconnected,
    BrokenPipeError,
    ConnectionResetError,
    ConnectionAbortedError,
    ssl.SSLEOFError,
    ssl.SSLZeroReturnError,
)


class GuardedCalls:
    """The calls to one endpoint: each under the guard's deadline, its failures as VSphereErrors."""

    def __init__(self, target: Target, known_hosts: KnownHosts, timeout: float) -> None:
        self.target = target
        self.timeout = timeout
        self._known_hosts = known_hosts
        self.calls = CallGuard(timeout)
        self.context = PinnedContext(known_hosts.get(target.address, target.port))
        self.stub: Any = None

    def _guard(
        self, fn: Callable[[], T], doing: str, retry_dropped: bool = False, timeout: float | None = None
    ) -> T:
        """Run ``fn`` under the guard; any failure raises a VSphereError naming what was ``doing``.

        ``retry_dropped``: a pooled connection found dead is dropped and ``fn`` sent once more.
        """
        try:
            with self.calls.call(timeout):
                return fn()
        except CallCut as cut:
            raise self._cut_error(cut, doing, timeout) from None
        except ReplyTooLarge as exc:
            raise BadReply(
                f"{self.target.endpoint} sent a reply larger than {exc.limit // (1024 * 1024)} MB while"
                f" {doing}; the tool stopped reading it",
                "check that the address is an ESXi host or a vCenter, not another service",
                code="reply-too-large",
            ) from None
        except (ExpatError, CompressedReply) as exc:
            raise BadReply(
                f"{self.target.endpoint} sent a reply that is not valid vSphere SOAP while {doing}"
                f" ({type(exc).__name__}: {str(exc)[:80]})",
                "check that the address is an ESXi host or a vCenter, not another service",
                code="bad-reply",
            ) from None
        except PinMismatch as mismatch:
            if doing == "checking the certificate":
                raise
            raise CertificateChanged(
                self.target.address,
                self.target.port,
                self.context.expected or "",
                mismatch.actual,
                str(self._known_hosts.path),
            ) from None
        except DROPPED as exc:
            if not retry_dropped:
                raise network_error(self.target, exc, doing) from None
            if self.stub is not None:
                self.stub.DropConnections()  # a pooled keep-alive socket died (e.g. the host restarted)
            return self._guard(fn, doing)
        except (OSError, http.client.HTTPException) as exc:
            raise network_error(self.target, exc, doing) from None

    def _cut_error(self, cut: CallCut, doing: str, timeout: float | None) -> VSphereError:
        where = self.target.endpoint
        if cut.why == "aborted":
            return Unreachable(
                f"the call to {where} was stopped (interrupted) while {doing}; it may still take effect",
                "check the journal (vmesh-tui status) and revert if needed",
                code="call-aborted",
            )
        seconds = self.calls.timeout if timeout is None else timeout
        return CallTimeout(
            f"{where} did not answer in time (a whole call may take {seconds:g} s) while {doing}",
            "check that the host is up and reachable from here, then try again",
        )

    def abort_calls(self) -> None:
        """Stop every call of this session now (each raises Unreachable "call-aborted")."""
        self.calls.abort_all()

    def _faults(self, fn: Callable[[], T], doing: str, names: Mapping[str, str] | None = None) -> T:
        try:
            return fn()
        except vmodl.MethodFault as fault:
            raise fault_error(self.target, fault, doing, names) from None

    def prune_dead_connections(self) -> None:
        """Close pooled keep-alive sockets the host has closed (readable while idle means EOF).

        Done before a change, so that a change is not sent on a dead socket and then reported as a
        lost reply although it never reached the host.
        """
        stub = self.stub
        if stub is None:
            return
        with stub.lock:
            alive = []
            for conn, used in stub.pool:
                sock = conn.sock
                try:
                    dead = sock is None or bool(select.select([sock], [], [], 0)[0])
                except (OSError, ValueError):
                    dead = True
                if dead:
                    conn.close()
                else:
                    alive.append((conn, used))
            stub.pool = alive
