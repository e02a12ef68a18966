"""What each implemented vSphere method does on a simulated host (the endpoint has checked the
object, its type and the session already)."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

from pyVmomi import vim, vmodl

from vmesh_tui.sim.vim import collectors, search
from vmesh_tui.sim.vim.faults import SoapFault
from vmesh_tui.sim.vim.objects import Inventory, ManagedEntry
from vmesh_tui.sim.vim.props import PropertyCollector, PropertyReader, container_view
from vmesh_tui.sim.vim.sessions import INVALID_LOGIN, Session, SessionTable

OPEN_METHODS = frozenset({"RetrieveServiceContent", "Login", "CurrentTime"})
HOST_TASKS = {  # WSDL name -> the task's method name (TaskInfo.descriptionId HostSystem.<name>)
    "RebootHost_Task": "reboot",
    "EnterMaintenanceMode_Task": "enterMaintenanceMode",
    "ExitMaintenanceMode_Task": "exitMaintenanceMode",
}
# what System.Anonymous may read without a session: the service instance and the session manager
# (currentSession is then unset; pyVmomi's and govmomi's session checks read it)
ANONYMOUS_OBJECTS = frozenset({"ServiceInstance", "ha-sessionmgr"})
HOST_METHODS = frozenset({
    "AddVirtualSwitch", "UpdateVirtualSwitch", "RemoveVirtualSwitch", "AddPortGroup", "UpdatePortGroup",
    "RemovePortGroup", "AddVirtualNic", "UpdateVirtualNic", "RemoveVirtualNic", "UpdatePhysicalNicLinkSpeed",
    "QueryNetworkHint", "UpdateNetworkConfig", "RefreshNetworkSystem",
    "SelectVnicForNicType", "DeselectVnicForNicType", "QueryNetConfig",
})  # fmt: skip
IMPLEMENTED = HOST_METHODS | OPEN_METHODS | {
    "Logout", "SessionIsActive", "RetrievePropertiesEx", "RetrieveProperties", "ContinueRetrievePropertiesEx",
    "CancelRetrievePropertiesEx", "CreateContainerView", "DestroyView", *HOST_TASKS,
    *collectors.COLLECTOR_METHODS, *search.SEARCH_METHODS,
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
        assert session is not None or method in OPEN_METHODS or anonymous_read(method, params)
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
        if method in search.SEARCH_METHODS:
            return search.call(self.reader, method, params)
        if method == "CreateContainerView":
            return self._create_view(params, session)
        if method in collectors.COLLECTOR_METHODS:
            assert session is not None
            read_lock = lambda: self.sim.lock  # noqa: E731
            return collectors.call(
                method, params, entry, session, self.inventory, self.collector, self._halted, read_lock
            )
        if method == "DestroyView":
            self.inventory.remove(entry.moid)
            return None
        if method in HOST_TASKS:
            return self._host_task(method, params, session)
        raise method_not_found(entry, method)

    def _host_task(self, method: str, params: dict[str, Any], session: Session | None) -> Any:
        """Maintenance mode is host state; a reboot without force needs it (else InvalidState)."""
        if method == "RebootHost_Task" and not params.get("force") and not self.sim.in_maintenance:
            raise SoapFault(
                vim.fault.InvalidState(),
                "The operation is not allowed in the current state: the host is not in maintenance mode.",
            )
        if method != "RebootHost_Task":
            self.sim.in_maintenance = method == "EnterMaintenanceMode_Task"
        user = session.user if session else ""
        return self.inventory.add_finished_task(method, HOST_TASKS[method], user)

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

    def _create_view(self, params: dict[str, Any], session: Session | None) -> Any:
        container = self.reader.entry_for(params["container"])
        view = container_view(
            self.reader, container, list(params.get("type") or []), bool(params.get("recursive"))
        )
        self.inventory.add(view)
        if session is not None:
            session.views.add(view.moid)
        return view.ref


def anonymous_read(method: str, params: dict[str, Any]) -> bool:
    """A property read that needs no session: only anonymous objects, no traversal."""
    if method not in ("RetrievePropertiesEx", "RetrieveProperties"):
        return False
    object_specs = [o for spec in params.get("specSet") or [] for o in spec.objectSet or []]
    return bool(object_specs) and all(
        getattr(o.obj, "_moId", None) in ANONYMOUS_OBJECTS and not o.selectSet for o in object_specs
    )


def _key(session: Session | None) -> str:
    """The session key that owns paging tokens (these methods are never open without a session)."""
    return session.key if session is not None else ""


def method_not_found(entry: ManagedEntry, method: str) -> SoapFault:
    return SoapFault(
        vmodl.fault.MethodNotFound(receiver=entry.ref, method=method),
        f"The method {method} is not supported by {entry.kind.__name__} {entry.moid}.",
    )
