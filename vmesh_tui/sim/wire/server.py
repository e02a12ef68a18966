"""One HTTPS SOAP endpoint per simulated host: sessions, dispatch, faults, injection and reboot."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pyVmomi import VmomiSupport, vim, vmodl

from vmesh_tui.sim.vim import esxcli_soap, faults, networks, updates
from vmesh_tui.sim.vim.objects import DTM_ID, MME_ID, Inventory, ManagedEntry
from vmesh_tui.sim.vim.props import UNSET, PropertyCollector, PropertyReader, not_found
from vmesh_tui.sim.vim.services import (
    HOST_METHODS,
    IMPLEMENTED,
    OPEN_METHODS,
    HostServices,
    anonymous_read,
    method_not_found,
)
from vmesh_tui.sim.vim.sessions import Session, SessionTable
from vmesh_tui.sim.wire import soap
from vmesh_tui.sim.wire.certs import HostCertificate, generate_certificate, server_context
from vmesh_tui.sim.wire.stats import FaultPlan, RequestCounter
from vmesh_tui.sim.wire.transport import MAX_BODY, HttpsServer


@dataclass
class Reply:
    """What the HTTP layer sends: body and status, an optional cookie, or a dropped connection."""

    status: int
    body: bytes
    set_cookie: str | None = None
    drop: bool = False
    after: Callable[[], None] | None = None


class HostEndpoint:
    """Serves one SimHost at https://127.0.0.1:PORT/sdk with its own self-signed certificate."""

    def __init__(
        self,
        sim: Any,
        *,
        port: int = 0,
        fault_specs: Any = (),
        counter: RequestCounter | None = None,
        certificate: HostCertificate | None = None,
        reboot_downtime_s: float = 0.2,
    ) -> None:
        self.sim = sim
        self.counter = counter or RequestCounter()
        self.fault_plan = FaultPlan(sim.name, fault_specs)
        self.certificate = certificate or generate_certificate(sim.name)
        self.reboot_downtime_s = reboot_downtime_s
        self._requested_port = port
        self._port = port
        self.inventory = Inventory(sim, lambda: self._port or 443)
        networks.install(self.inventory)
        self.reader = PropertyReader(self.inventory)
        self.collector = PropertyCollector(self.reader)
        self.sessions = SessionTable()
        self._state_lock = threading.Lock()
        self._current = threading.local()
        self.inventory.entry("ha-sessionmgr").props["currentSession"] = self._current_user_session
        self._http: HttpsServer | None = None
        self._stopped = True
        self._halted = threading.Event()
        self.services = HostServices(
            sim, self.inventory, self.reader, self.collector, self.sessions, self._halted
        )
        self._ssl = server_context(self.certificate)

    # ---- lifecycle ------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        return self._port

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self._port}/sdk"

    @property
    def version_name(self) -> str:
        return self.inventory.version_name

    @property
    def connections_accepted(self) -> int:
        """TCP connections accepted since the last (re)start: keep-alive keeps this small."""
        server = self._http
        return server.accepted if server is not None else 0

    def start(self) -> None:
        with self._state_lock:
            self._stopped = False
            self._serve(self._port or self._requested_port)

    def stop(self) -> None:
        with self._state_lock:
            self._stopped = True
            self._halt()

    def reboot(self) -> None:
        """End every session, restart on the same port with the same certificate, new bootTime."""
        with self._state_lock:
            if self._stopped:
                return
            self._halt()
            self.sessions.clear()
            self.collector.clear()  # paging tokens belong to the sessions that just ended
            self.inventory.remove_session_objects()
            self.sim.reboot()
            time.sleep(self.reboot_downtime_s)
            for attempt in range(20):  # the port may linger for a moment after the close
                try:
                    self._serve(self._port)
                    return
                except OSError:
                    if attempt == 19:
                        raise
                    time.sleep(0.1)

    def _serve(self, port: int) -> None:
        server = HttpsServer(("127.0.0.1", port), self)
        self._halted.clear()
        self._port = server.server_address[1]
        self._http = server
        threading.Thread(
            target=server.serve_forever, args=(0.05,), name=f"twin-{self.sim.name}", daemon=True
        ).start()

    def _halt(self) -> None:
        self._halted.set()
        server, self._http = self._http, None
        if server is not None:
            server.shutdown()
            server.server_close()
            server.drop_connections()

    # ---- requests -------------------------------------------------------------------------------

    def handle_soap(self, body: bytes, cookie_header: str | None) -> Reply:
        """Answer one SOAP POST; every failure becomes a SOAP fault, never an exception."""
        try:
            request = soap.parse_request(body, self.version_name)
        except soap.SoapFault as fault:
            return self._fault_reply(fault)
        try:
            return self._dispatch(request, self.sessions.for_cookie(cookie_header))
        except Exception as exc:  # the model raises pyVmomi faults; anything else is a twin bug
            return self._fault_reply(faults.fault_from_exception(exc))

    def _fault_reply(self, fault: soap.SoapFault) -> Reply:
        try:
            return Reply(500, soap.fault_body(fault.fault, fault.message, self.version_name))
        except Exception as exc:  # a fault that cannot be serialized is itself a twin bug
            reason = faults.short_text(exc)
            body = soap.fault_body(
                vmodl.fault.SystemError(reason=reason), "A general system error occurred.", self.version_name
            )
            return Reply(500, body)

    def _current_user_session(self) -> vim.UserSession | None:
        session: Session | None = getattr(self._current, "session", None)
        return session.user_session() if session is not None else None

    def _dispatch(self, request: soap.SoapRequest, session: Session | None) -> Reply:
        """Check the session, count the call, apply any injected fault, then invoke.

        Only calls that pass the session check are counted (a logged-in session, or one of the methods
        open without one: RetrieveServiceContent, Login, ...). A call refused with NotAuthenticated is
        neither in the --stats counts nor does it consume a [[fault]]'s "nth": "the 3rd AddVirtualNic"
        means the 3rd one the host accepted to work on, as a client with a live session sees it.
        """
        raw_call = None
        if request.method in soap.RAW_METHODS:
            raw_call = esxcli_soap.parse_raw_call(request.raw)
            if not raw_call.this_id:
                raise soap.invalid_request(f"The call of {request.method} names no managed object (_this).")
            this = esxcli_soap.this_reference(raw_call)
        else:
            this = request.this
        if session is None and not (
            request.method in OPEN_METHODS or anonymous_read(request.method, request.params)
        ):
            raise soap.SoapFault(
                vim.fault.NotAuthenticated(object=this, privilegeId="System.View"),
                "The session is not authenticated.",
            )
        nth = self.counter.count(request.method)
        entry = self.inventory.get(this._moId) if this is not None else None
        if entry is None or (raw_call is None and not _same_type(entry.kind, type(this))):
            raise not_found(this)
        self._check_method(entry, request.method)
        injected = self.fault_plan.for_call(request.method, nth)
        if injected is not None and injected.kind == "fault":
            message = f"Injected {injected.fault_type} on call {nth} of {request.method}."
            raise faults.fault_by_name(injected.fault_type, message)
        if injected is not None and injected.kind == "delay":
            time.sleep(injected.delay_s)
        self._current.session = session
        if injected is not None and injected.kind == "ignored":
            return self._invoke_ignored(request, raw_call, entry, session)
        reply = self._invoke(request, raw_call, entry, session)
        if injected is not None and injected.kind == "lost":
            return Reply(0, b"", drop=True, after=reply.after)
        return reply

    def _invoke_ignored(
        self, request: soap.SoapRequest, raw: Any, entry: ManagedEntry, session: Session | None
    ) -> Reply:
        """A host that lies: the call runs (so its answer is the usual one), then the configuration is put
        back as it was before it, as if the host had never applied it."""
        with self.sim.lock:
            kept = self.sim.state.snapshot()
        try:
            return self._invoke(request, raw, entry, session)
        finally:
            with self.sim.lock:
                self.sim.state = kept
                self.sim.cdp_changed()  # CDP follows the configuration the host kept

    def _check_method(self, entry: ManagedEntry, method: str) -> None:
        if method == "Fetch" or method in soap.RAW_METHODS:
            expected = {
                "RetrieveManagedMethodExecuter": vim.HostSystem,
                "RetrieveDynamicTypeManager": vim.HostSystem,
                "ExecuteSoap": None,
            }.get(method)
            if expected is not None and not issubclass(entry.kind, expected):
                raise method_not_found(entry, method)
            if method == "ExecuteSoap" and entry.moid != MME_ID:
                raise method_not_found(entry, method)
            return
        info = soap.method_info(method)
        if info is None or not issubclass(entry.kind, info.type) or method not in IMPLEMENTED:
            raise method_not_found(entry, method)

    def _invoke(
        self, request: soap.SoapRequest, raw: Any, entry: ManagedEntry, session: Session | None
    ) -> Reply:
        method, params, version = request.method, request.params, self.version_name
        if raw is not None:
            if method == "RetrieveManagedMethodExecuter":
                return Reply(200, soap.raw_response_body(method, esxcli_soap.executer_response(MME_ID)))
            if method == "RetrieveDynamicTypeManager":
                return Reply(200, soap.raw_response_body(method, esxcli_soap.type_manager_response(DTM_ID)))
            return Reply(200, soap.raw_response_body(method, esxcli_soap.execute(self.sim, raw)))
        if method == "Login":
            session = self.services.login(params)
            body = soap.response_body(method, session.user_session(), vim.UserSession, 0, version)
            return Reply(200, body, set_cookie=session.set_cookie)
        if method == "Fetch":
            with self.sim.lock:
                value = self.reader.read(entry, params["prop"])
            value = None if value is UNSET else value
            return Reply(200, soap.response_body(method, value, object, VmomiSupport.F_OPTIONAL, version))
        after = None
        # the model's own methods lock for themselves (QueryNetworkHint takes every host's lock in name
        # order, so holding this host's lock around it could deadlock); reads are locked for consistency
        unlocked = method in HOST_METHODS or method in updates.WAIT_METHODS
        with contextlib.nullcontext() if unlocked else self.sim.lock:
            value = self.services.call(method, params, entry, session)
        if method == "RebootHost_Task":
            after = self._reboot_in_background
        info = soap.method_info(method)
        body = soap.response_body(method, value, info.result, info.resultFlags, version)
        return Reply(200, body, after=after)

    def _reboot_in_background(self) -> None:
        threading.Thread(target=self.reboot, name=f"twin-reboot-{self.sim.name}", daemon=True).start()

    def too_large_reply(self) -> Reply:
        return self.invalid_request_reply(f"The request is larger than {MAX_BODY} bytes.")

    def invalid_request_reply(self, message: str) -> Reply:
        """An InvalidRequest SOAP fault for a request the HTTP layer cannot read (size, framing)."""
        return Reply(500, soap.fault_body(vmodl.fault.InvalidRequest(), message, self.version_name))

    def service_versions_xml(self) -> bytes:
        return self.inventory.service_versions_xml()


def _same_type(kind: type, claimed: type) -> bool:
    return issubclass(kind, claimed) or issubclass(claimed, kind)


__all__ = ["HostEndpoint", "Reply"]
