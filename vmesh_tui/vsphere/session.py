"""One logged-in SOAP session to an ESXi host or a vCenter: pinned TLS, timeouts, re-login once.

How each call is guarded and its failures named: :mod:`vmesh_tui.vsphere.guarded_calls`.

Connecting costs three requests, like pyVmomi's SmartConnect: GET /sdk/vimServiceVersions.xml (which is
also where the certificate is checked, before any credential), RetrieveServiceContent, Login.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, Union

from pyVmomi import SoapStubAdapter, vim, vmodl

from vmesh_tui.vsphere.errors import AuthFailed, CertificateChanged, CertificateUnknown, NotVSphere
from vmesh_tui.vsphere.faultmap import FAULT_REMEDY, fault_error, fault_name, fault_text
from vmesh_tui.vsphere.guard import GuardedHTTPSConnection
from vmesh_tui.vsphere.guarded_calls import GuardedCalls
from vmesh_tui.vsphere.knownhosts import KnownHosts, canonical_host
from vmesh_tui.vsphere.targets import Target
from vmesh_tui.vsphere.tls import PinMismatch
from vmesh_tui.vsphere.versions import choose_version, service_versions

__all__ = [
    "FAULT_REMEDY",
    "AcceptNew",
    "Session",
    "choose_version",
    "fault_error",
    "fault_name",
    "fault_text",
]

T = TypeVar("T")
AcceptNew = Union[bool, Callable[[CertificateUnknown], bool]]
LOGOUT_S = 3.0  # a host that does not answer the logout is left at once: the session expires there
_ASK_LOCK = threading.Lock()


class _Secret:
    """Holds the password in memory only; prints as stars."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "_Secret('***')"


class Session(GuardedCalls):
    """A logged-in session; ``call`` runs one API call with the session's timeout and one re-login."""

    def __init__(
        self,
        target: Target,
        password: str,
        known_hosts: KnownHosts,
        accept_new: AcceptNew = False,
        timeout: float = 20.0,
    ) -> None:
        super().__init__(target, known_hosts, timeout)
        self._secret = _Secret(password)
        self._accept_new = accept_new
        self._login_lock = threading.RLock()
        self._logins = 0  # counts logins, so threads that all saw NotAuthenticated log in once
        self.content: Any = None
        self.logged_in = False

    # -- connecting ---------------------------------------------------------------------------------
    def open(self) -> Session:
        """Check the certificate, negotiate the API version, log in. Raises VSphereError subclasses."""
        root = self._pinned(lambda: service_versions(self.target, self.context, self.calls))
        version = choose_version(root)
        self.stub = SoapStubAdapter(
            host=self.target.address,
            port=self.target.port,
            version=version,
            path="/sdk",
            sslContext=self.context,
            httpConnectionTimeout=self.timeout,
            connectionPoolTimeout=60,
        )
        # every connection of the stub follows the call guard: deadline, reply limit, abort
        self.stub.scheme = functools.partial(GuardedHTTPSConnection, guard=self.calls)
        self.stub._acceptCompressedResponses = False  # a compressed reply could expand past the limit
        instance = vim.ServiceInstance("ServiceInstance", self.stub)
        self.content = self._faults(
            lambda: self._guard(instance.RetrieveContent, "reading the service content"),
            "reading the service content",
        )
        api_type = getattr(self.content.about, "apiType", "")
        if self.target.is_vcenter and api_type != "VirtualCenter":
            raise NotVSphere(
                f"{self.target.endpoint} is an ESXi host, not a vCenter", "use --host URL for each ESXi host"
            )
        if not self.target.is_vcenter and api_type == "VirtualCenter":
            raise NotVSphere(
                f"{self.target.endpoint} is a vCenter, not an ESXi host",
                "use --vcenter URL --cluster NAME to work through a vCenter",
            )
        self.login()
        return self

    def _pinned(self, fetch: Callable[[], T]) -> T:
        """Run ``fetch`` on the pinned context; handle an unknown or changed certificate."""
        target = self.target
        try:
            return self._guard(fetch, "checking the certificate")
        except PinMismatch as mismatch:
            if mismatch.expected is not None:
                raise CertificateChanged(
                    target.address,
                    target.port,
                    mismatch.expected,
                    mismatch.actual,
                    str(self._known_hosts.path),
                ) from None
            # a host name is pinned with the address it led to: a pin of that address counts too
            peer = (
                mismatch.peer
                if mismatch.peer and canonical_host(mismatch.peer) != canonical_host(target.address)
                else ""
            )
            at_address = self._known_hosts.get(peer, target.port) if peer else None
            if at_address is not None and at_address != mismatch.actual:
                raise CertificateChanged(
                    peer, target.port, at_address, mismatch.actual, str(self._known_hosts.path)
                ) from None
            if at_address is None:
                unknown = CertificateUnknown(target.address, target.port, mismatch.actual)
                with _ASK_LOCK:  # hosts connect in parallel: ask the admin one question at a time
                    accept = self._accept_new(unknown) if callable(self._accept_new) else self._accept_new
                if not accept:
                    raise unknown from None
            also = [peer] if peer else []
            self._known_hosts.remember(target.address, target.port, mismatch.actual, also=also)
            self.context.expected = mismatch.actual
        return self._guard(fetch, "checking the certificate")

    def login(self) -> None:
        """Log in (again) with the caller's password."""
        with self._login_lock:
            manager = self.content.sessionManager
            try:
                self._guard(
                    lambda: manager.Login(userName=self.target.user, password=self._secret.reveal()),
                    "logging in",
                    retry_dropped=True,
                )
                self.logged_in = True
                self._logins += 1
            except vim.fault.InvalidLogin:
                raise AuthFailed(
                    f"{self.target.endpoint} refused the user name or password for {self.target.user!r}",
                    "check the user and the password (VMESH_PASSWORD or the prompt)",
                ) from None
            except vmodl.MethodFault as fault:
                raise AuthFailed(
                    f"{self.target.endpoint} refused the login ({type(fault).__name__})",
                    "check the user's permissions on the host",
                ) from None

    # -- calling ------------------------------------------------------------------------------------
    def call(self, fn: Callable[[], T], doing: str = "calling the host", *, idempotent: bool = False) -> T:
        """Run one API call; on NotAuthenticated log in again and retry it once.

        ``idempotent`` calls (reads) are also retried once on a fresh connection when a pooled one
        turns out to be dead; changes are not, since the host may have applied them.
        """
        logins = self._logins
        try:
            return self._guard(fn, doing, retry_dropped=idempotent)
        except vim.fault.NotAuthenticated:
            self.relogin(seen=logins)
            return self._guard(fn, doing)

    def read(self, fn: Callable[[], T], doing: str, names: Mapping[str, str] | None = None) -> T:
        """Run one read (``call`` with ``idempotent``); a vSphere fault becomes a VSphereError.

        ``names``: managed object id -> host name, to name a host that has gone away.
        """
        return self._faults(lambda: self.call(fn, doing, idempotent=True), doing, names)

    def relogin(self, seen: int | None = None) -> None:
        """Forget pooled connections (they may be dead after a restart) and log in again.

        ``seen``: the login count when the failing call started; if another thread has logged in
        since, its session is used instead of logging in once more.
        """
        with self._login_lock:
            if seen is not None and seen != self._logins:
                return
            if self.stub is not None:
                self.stub.DropConnections()
                self.stub.SetSessionId(None)
            self.login()

    def close(self) -> None:
        """Log out (when logged in) and close the pooled connections; never raises."""
        if self.content is None:
            return
        manager = self.content.sessionManager
        try:
            if self.logged_in:
                self._guard(manager.Logout, "logging out", timeout=min(self.timeout, LOGOUT_S))
        except Exception:
            pass
        finally:
            self.logged_in = False
            self.stub.DropConnections()
            self.content = None
