"""The managed objects one simulated ESXi host exposes, each with its properties as pyVmomi values.

The inventory mirrors a standalone host: ServiceInstance -> rootFolder (ha-folder-root) -> ha-datacenter
-> hostFolder -> ComputeResource -> HostSystem "ha-host", plus the managers the tool talks to.
"""

from __future__ import annotations

import datetime as dt
import itertools
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pyVmomi import VmomiSupport, vim, vmodl

from vmesh_tui.sim.vim.hostprops import HOST_ID, HostValues, ref

Getter = Callable[[], Any]

NETWORK_SYSTEM_ID = "networkSystem"
VNIC_MANAGER_ID = "ha-vnic-mgr"
MME_ID = "ha-managed-method-executer"
DTM_ID = "ha-dynamic-type-manager"


@dataclass
class ManagedEntry:
    """One managed object: its pyVmomi class, and how to read each of its properties."""

    moid: str
    kind: type
    props: dict[str, Getter] = field(default_factory=dict)

    @property
    def ref(self) -> Any:
        return self.kind(self.moid, None)


def mo_array(kind: Any, refs: list[Any]) -> Any:
    """A typed array of references (values inside DynamicProperty must be typed)."""
    return kind.Array(refs)


def api_version_name(product_version: str) -> str:
    """The pyVmomi version name for an ESXi version string such as "8.0.3" (newest known otherwise)."""
    wanted = product_version.strip()
    candidates = VmomiSupport.GetServiceVersions("vim25")
    for name in candidates:
        version_id = VmomiSupport.versionIdMap[name]
        if version_id in (wanted, f"{wanted}.0"):
            return name
    return str(candidates[0])


class Inventory:
    """All managed objects of one host, keyed by moid; views and tasks come and go at runtime."""

    def __init__(self, sim: Any, port_of: Callable[[], int]) -> None:
        self.sim = sim
        self.version_name = api_version_name(sim.version)
        self.api_version = VmomiSupport.versionIdMap[self.version_name]
        self._port_of = port_of
        self._lock = threading.Lock()
        self._entries: dict[str, ManagedEntry] = {}
        self.resolvers: list[Callable[[str], ManagedEntry | None]] = []
        self._task_numbers = itertools.count(1)
        self.instance_uuid = str(uuid.uuid5(uuid.NAMESPACE_DNS, sim.name))
        self.values = HostValues(sim, port_of, self.api_version, self.instance_uuid)
        self._build_static()

    def get(self, moid: str) -> ManagedEntry | None:
        with self._lock:
            found = self._entries.get(moid)
        if found is None:  # objects that follow the host's state (networks.py)
            found = next((e for e in (r(moid) for r in self.resolvers) if e is not None), None)
        return found

    def entry(self, moid: str) -> ManagedEntry:
        """A managed object that must exist (KeyError otherwise)."""
        with self._lock:
            return self._entries[moid]

    def service_versions_xml(self) -> bytes:
        """/sdk/vimServiceVersions.xml: the lab's API version and every older one it accepts."""
        prior = [
            VmomiSupport.versionIdMap[name]
            for name in VmomiSupport.GetServiceVersions("vim25")
            if name != self.version_name and VmomiSupport.IsChildVersion(self.version_name, name)
        ]
        priors = "".join(f"<version>{v}</version>" for v in prior)
        return (
            '<?xml version="1.0" encoding="UTF-8" ?>\n<namespaces version="1.0">\n<namespace>\n'
            f"<name>urn:vim25</name>\n<version>{self.api_version}</version>\n"
            f"<priorVersions>{priors}</priorVersions>\n</namespace>\n</namespaces>\n"
        ).encode()

    def add(self, entry: ManagedEntry) -> None:
        with self._lock:
            self._entries[entry.moid] = entry

    def remove(self, moid: str) -> None:
        with self._lock:
            self._entries.pop(moid, None)

    def remove_session_objects(self) -> None:
        """Forget every view and filter (their moids start with "session["): sessions ended."""
        with self._lock:
            for moid in [m for m in self._entries if m.startswith("session[")]:
                del self._entries[moid]

    # ---- static objects -------------------------------------------------------------------------

    def _build_static(self) -> None:
        host = ref(vim.HostSystem, HOST_ID)
        datacenter = ref(vim.Datacenter, "ha-datacenter")
        root = ref(vim.Folder, "ha-folder-root")
        host_folder = ref(vim.Folder, "ha-folder-host")
        compute = ref(vim.ComputeResource, "ha-compute-res")
        self.add(
            ManagedEntry(
                "ServiceInstance",
                vim.ServiceInstance,
                {
                    "content": self.values.service_content,
                    "capability": lambda: vim.Capability(
                        provisioningSupported=False, multiHostSupported=False, userShellAccessSupported=True
                    ),
                    "serverClock": lambda: dt.datetime.now(dt.timezone.utc),
                },
            )
        )
        self._folder("ha-folder-root", "ha-folder-root", None, [datacenter], ["Datacenter"])
        self.add(
            ManagedEntry(
                "ha-datacenter",
                vim.Datacenter,
                {
                    "name": lambda: "ha-datacenter",
                    "parent": lambda: root,
                    "hostFolder": lambda: host_folder,
                    "vmFolder": lambda: ref(vim.Folder, "ha-folder-vm"),
                    "datastoreFolder": lambda: ref(vim.Folder, "ha-folder-datastore"),
                    "networkFolder": lambda: ref(vim.Folder, "ha-folder-network"),
                    "datastore": lambda: mo_array(vim.Datastore, []),
                    "network": lambda: mo_array(vim.Network, []),
                    "overallStatus": lambda: vim.ManagedEntity.Status.green,
                },
            )
        )
        self._folder("ha-folder-host", "host", datacenter, [compute], ["ComputeResource"])
        for moid, name, child in (
            ("ha-folder-vm", "vm", "VirtualMachine"),
            ("ha-folder-datastore", "datastore", "Datastore"),
            ("ha-folder-network", "network", "Network"),
        ):
            self._folder(moid, name, datacenter, [], [child])
        self.add(
            ManagedEntry(
                "ha-compute-res",
                vim.ComputeResource,
                {
                    "name": lambda: self.sim.name,
                    "parent": lambda: host_folder,
                    "host": lambda: mo_array(vim.HostSystem, [host]),
                    "datastore": lambda: mo_array(vim.Datastore, []),
                    "network": lambda: mo_array(vim.Network, []),
                    "overallStatus": lambda: vim.ManagedEntity.Status.green,
                },
            )
        )
        self.add(
            ManagedEntry(
                HOST_ID,
                vim.HostSystem,
                {
                    "name": lambda: self.sim.name,
                    "parent": lambda: compute,
                    "overallStatus": lambda: vim.ManagedEntity.Status.green,
                    "summary": self.values.host_summary,
                    "runtime": self.values.host_runtime,
                    "config": self.values.host_config,
                    "configManager": lambda: vim.host.ConfigManager(
                        networkSystem=ref(vim.host.NetworkSystem, NETWORK_SYSTEM_ID),
                        virtualNicManager=ref(vim.host.VirtualNicManager, VNIC_MANAGER_ID),
                    ),
                    "hardware": self.values.host_hardware,
                    "vm": lambda: mo_array(vim.VirtualMachine, []),
                    "datastore": lambda: mo_array(vim.Datastore, []),
                    "network": lambda: mo_array(vim.Network, []),
                },
            )
        )
        self.add(
            ManagedEntry(
                NETWORK_SYSTEM_ID,
                vim.host.NetworkSystem,
                {
                    "networkInfo": lambda: self.sim.network_info(),
                    "networkConfig": self.values.network_config,
                    "capabilities": lambda: self.sim.capabilities(),
                },
            )
        )
        self.add(
            ManagedEntry(
                VNIC_MANAGER_ID,
                vim.host.VirtualNicManager,
                {
                    "info": lambda: vim.host.VirtualNicManagerInfo(netConfig=list(self.sim.net_config())),
                },
            )
        )
        for moid, kind in (
            ("ha-property-collector", vmodl.query.PropertyCollector),
            ("ha-sessionmgr", vim.SessionManager),
            ("ViewManager", vim.view.ViewManager),
            ("ha-searchindex", vim.SearchIndex),
            (MME_ID, VmomiSupport.ManagedObject),
            (DTM_ID, VmomiSupport.ManagedObject),
        ):
            self.add(ManagedEntry(moid, kind, {}))

    def _folder(self, moid: str, name: str, parent: Any, children: list[Any], child_types: list[str]) -> None:
        self.add(
            ManagedEntry(
                moid,
                vim.Folder,
                {
                    "name": lambda: name,
                    "parent": lambda: parent,
                    "childEntity": lambda: mo_array(vim.ManagedEntity, children),
                    "childType": lambda: VmomiSupport.GetVmodlType("string[]")(child_types),
                    "overallStatus": lambda: vim.ManagedEntity.Status.green,
                },
            )
        )

    # ---- tasks ----------------------------------------------------------------------------------

    def add_finished_task(self, wsdl_method: str, method: str, user: str) -> Any:
        """A Task for a HostSystem call (e.g. RebootHost_Task, "reboot") that has already succeeded."""
        key = f"haTask-{HOST_ID}-vim.HostSystem.{method}-{next(self._task_numbers)}"
        now = dt.datetime.now(dt.timezone.utc)
        task = ref(vim.Task, key)
        info = vim.TaskInfo(
            key=key,
            task=task,
            descriptionId=f"HostSystem.{method}",
            name=VmomiSupport.GetWsdlMethod("urn:vim25", wsdl_method),
            entity=ref(vim.HostSystem, HOST_ID),
            entityName=self.sim.name,
            state=vim.TaskInfo.State.success,
            cancelled=False,
            cancelable=False,
            reason=vim.TaskReasonUser(userName=user),
            queueTime=now,
            startTime=now,
            completeTime=now,
            eventChainId=next(self._task_numbers),
        )
        self.add(ManagedEntry(key, vim.Task, {"info": lambda: info}))
        return task
