"""What each implemented vSphere method does on a simulated host (the endpoint has checked the
object, its type and the session already)."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

from pyVmomi import vim, vmodl

from vmesh_tui.sim.vim.faults import SoapFault
from vmesh_tui.sim.vim.objects import Inventory, ManagedEntry
from vmesh_tui.sim.vim.props import PropertyCollector, PropertyReader, container_view
from vmesh_tui.sim.vim.sessions import INVALID_LOGIN, Session, SessionTable
from vmesh_tui.sim.vim.updates import WAIT_METHODS, create_filter, destroy_filter, wait_for_updates

OPEN_METHODS = frozenset({"RetrieveServiceContent", "Login", "CurrentTime"})
HOST_METHODS = frozenset({
    "AddVirtualSwitch", "UpdateVirtualSwitch", "RemoveVirtualSwitch", "AddPortGroup", "UpdatePortGroup",
    "RemovePortGroup", "AddVirtualNic", "UpdateVirtualNic", "RemoveVirtualNic", "UpdatePhysicalNicLinkSpeed",
    "QueryNetworkHint", "UpdateNetworkConfig", "RefreshNetworkSystem",
    "SelectVnicForNicType", "DeselectVnicForNicType", "QueryNetConfig",
})  # fmt: skip
IMPLEMENTED = HOST_METHODS | OPEN_METHODS | {
    "Logout", "SessionIsActive", "RetrievePropertiesEx", "RetrieveProperties", "ContinueRetrievePropertiesEx",
    "CancelRetrievePropertiesEx", "CreateContainerView", "DestroyView", "RebootHost_Task",
    "CreateFilter", "DestroyPropertyFilter", *WAIT_METHODS,
}  # fmt: skip


class HostServices:
    """The service objects of one host: ServiceInstance, SessionManager, PropertyCollector, ViewManager,
    HostSystem, HostNetworkSystem and HostVirtualNicManager calls."""

    def __init__(
        self,
        sim: Any,
        inventory: Inventory,
        reader: PropertyReader,
        collector: PropertyCollector,
        sessions: SessionTable,
        halted: threading.Event,
    ) -> None:
        self.sim = sim
        self.inventory = inventory
        self.reader = reader
        self.collector = collector
        self.sessions = sessions
        self._halted = halted

    def call(self, method: str, params: dict[str, Any], entry: ManagedEntry, session: Session | None) -> Any:
        """Run `method` (already checked against the object's type and the session)."""
        assert session is not None or method in OPEN_METHODS
        if method in HOST_METHODS:
            return getattr(self.sim, method)(**params)
        if method == "RetrieveServiceContent":
            return self.inventory.values.service_content()
        if method == "CurrentTime":
            return dt.datetime.now(dt.timezone.utc)
        if method == "Logout":
            return self._logout(session)
        if method == "SessionIsActive":
            return self.sessions.is_active(params["sessionID"], params["userName"])
        if method == "RetrievePropertiesEx":
            return self.collector.retrieve_ex(params["specSet"], params.get("options"), _key(session))
        if method == "RetrieveProperties":
            return self.collector.retrieve(params["specSet"])
        if method == "ContinueRetrievePropertiesEx":
            return self.collector.continue_ex(params["token"], _key(session))
        if method == "CancelRetrievePropertiesEx":
            return self.collector.cancel_ex(params["token"], _key(session))
        if method == "CreateContainerView":
            return self._create_view(params, session)
        if method in WAIT_METHODS or method in ("CreateFilter", "DestroyPropertyFilter"):
            assert session is not None
            return self._updates(method, params, entry, session)
        if method == "DestroyView":
            self.inventory.remove(entry.moid)
            return None
        if method == "RebootHost_Task":
            return self.inventory.add_finished_task(method, "reboot", session.user if session else "")
        raise method_not_found(entry, method)

    def login(self, params: dict[str, Any]) -> Session:
        """A new session, or InvalidLogin (the password is compared, never kept or echoed)."""
        user, password = params.get("userName") or "", params.get("password") or ""
        session = self.sessions.login(user, password, str(self.sim.user), str(self.sim.password))
        if session is None:
            raise SoapFault(vim.fault.InvalidLogin(), INVALID_LOGIN)
        return session

    def _logout(self, session: Session | None) -> None:
        if session is None:
            return
        self.sessions.end(session)
        self.collector.forget_session(session.key)
        for moid in session.views:
            self.inventory.remove(moid)

    def _updates(self, method: str, params: dict[str, Any], entry: ManagedEntry, session: Session) -> Any:
        if method == "CreateFilter":
            ref = create_filter(self.inventory, session.filters, params["spec"], session.key)
            session.views.add(ref._moId)
            return ref
        if method == "DestroyPropertyFilter":
            return destroy_filter(self.inventory, session.filters, entry.moid)
        options = params.get("options")
        max_wait = 0.0 if method == "CheckForUpdates" else getattr(options, "maxWaitSeconds", None)
        found = wait_for_updates(
            self.collector,
            session.filters,
            params.get("version"),
            max_wait,
            self._halted,
            lambda: self.sim.lock,
        )
        if found is None and method == "WaitForUpdates":
            return vmodl.query.PropertyCollector.UpdateSet(version=params.get("version") or "")
        return found

    def _create_view(self, params: dict[str, Any], session: Session | None) -> Any:
        container = self.reader.entry_for(params["container"])
        view = container_view(
            self.reader, container, list(params.get("type") or []), bool(params.get("recursive"))
        )
        self.inventory.add(view)
        if session is not None:
            session.views.add(view.moid)
        return view.ref


def _key(session: Session | None) -> str:
    """The session key that owns paging tokens (these methods are never open without a session)."""
    return session.key if session is not None else ""


def method_not_found(entry: ManagedEntry, method: str) -> SoapFault:
    return SoapFault(
        vmodl.fault.MethodNotFound(receiver=entry.ref, method=method),
        f"The method {method} is not supported by {entry.kind.__name__} {entry.moid}.",
    )
