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

Getter = Callable[[], Any]

HOST_ID = "ha-host"
NETWORK_SYSTEM_ID = "networkSystem"
VNIC_MANAGER_ID = "ha-vnic-mgr"
MME_ID = "ha-managed-method-executer"
_BUILDS = {"8.0.3": "24022510", "8.0.2": "22380479", "8.0.1": "21495797", "7.0.3": "21930508"}


@dataclass
class ManagedEntry:
    """One managed object: its pyVmomi class, and how to read each of its properties."""

    moid: str
    kind: type
    props: dict[str, Getter] = field(default_factory=dict)

    @property
    def ref(self) -> Any:
        return self.kind(self.moid, None)


def ref(kind: type, moid: str) -> Any:
    """A managed object reference that serializes as `<x type="Kind">moid</x>`."""
    return kind(moid, None)


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
        self._task_numbers = itertools.count(1)
        self.instance_uuid = str(uuid.uuid5(uuid.NAMESPACE_DNS, sim.name))
        self._build_static()

    def get(self, moid: str) -> ManagedEntry | None:
        with self._lock:
            return self._entries.get(moid)

    def entry(self, moid: str) -> ManagedEntry:
        """A managed object that must exist (KeyError otherwise)."""
        with self._lock:
            return self._entries[moid]

    def add(self, entry: ManagedEntry) -> None:
        with self._lock:
            self._entries[entry.moid] = entry

    def remove(self, moid: str) -> None:
        with self._lock:
            self._entries.pop(moid, None)

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
                    "content": self.service_content,
                    "capability": lambda: vim.Capability(
                        provisioningSupported=False, multiHostSupported=False, userShellAccessSupported=True
                    ),
                    "serverClock": lambda: dt.datetime.now(dt.UTC),
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
                    "summary": self.host_summary,
                    "runtime": self.host_runtime,
                    "config": self.host_config,
                    "configManager": lambda: vim.host.ConfigManager(
                        networkSystem=ref(vim.host.NetworkSystem, NETWORK_SYSTEM_ID),
                        virtualNicManager=ref(vim.host.VirtualNicManager, VNIC_MANAGER_ID),
                    ),
                    "hardware": self.host_hardware,
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
                    "networkConfig": self.network_config,
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
            (MME_ID, VmomiSupport.ManagedObject),
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

    # ---- property values ------------------------------------------------------------------------

    def about(self) -> vim.AboutInfo:
        version = self.sim.version
        build = _BUILDS.get(version, "0")
        return vim.AboutInfo(
            name="VMware ESXi",
            fullName=f"VMware ESXi {version} build-{build}",
            vendor="VMware, Inc.",
            version=version,
            build=build,
            localeVersion="INTL",
            localeBuild="000",
            osType="vmnix-x86",
            productLineId="embeddedEsx",
            apiType="HostAgent",
            apiVersion=self.api_version,
            instanceUuid=self.instance_uuid,
            licenseProductName="VMware ESX Server",
            licenseProductVersion=version.split(".")[0] + ".0",
        )

    def service_content(self) -> vim.ServiceInstanceContent:
        return vim.ServiceInstanceContent(
            rootFolder=ref(vim.Folder, "ha-folder-root"),
            propertyCollector=ref(vmodl.query.PropertyCollector, "ha-property-collector"),
            viewManager=ref(vim.view.ViewManager, "ViewManager"),
            sessionManager=ref(vim.SessionManager, "ha-sessionmgr"),
            about=self.about(),
        )

    def host_runtime(self) -> vim.host.RuntimeInfo:
        return vim.host.RuntimeInfo(
            connectionState=vim.HostSystem.ConnectionState.connected,
            powerState=vim.HostSystem.PowerState.poweredOn,
            inMaintenanceMode=False,
            bootTime=self.sim.boot_time,
        )

    def host_hardware(self) -> vim.host.HardwareInfo:
        system = vim.host.SystemInfo(vendor="VMware, Inc.", model="vmesh twin", uuid=self.instance_uuid)
        cpu = vim.host.CpuInfo(numCpuPackages=1, numCpuCores=4, numCpuThreads=4, hz=2_400_000_000)
        return vim.host.HardwareInfo(
            systemInfo=system,
            cpuInfo=cpu,
            memorySize=16 * 1024**3,
            smcPresent=False,
            cpuPkg=[
                vim.host.CpuPackage(
                    index=0,
                    vendor="intel",
                    hz=2_400_000_000,
                    busHz=100_000_000,
                    description="vmesh twin CPU",
                    threadId=[0, 1, 2, 3],
                )
            ],
        )

    def host_summary(self) -> vim.host.Summary:
        info = self.sim.network_info()
        hardware = vim.host.Summary.HardwareSummary(
            vendor="VMware, Inc.",
            model="vmesh twin",
            uuid=self.instance_uuid,
            memorySize=16 * 1024**3,
            cpuModel="vmesh twin CPU",
            cpuMhz=2400,
            numCpuPkgs=1,
            numCpuCores=4,
            numCpuThreads=4,
            numNics=len(info.pnic or []),
            numHBAs=0,
        )
        config = vim.host.Summary.ConfigSummary(
            name=self.sim.name,
            port=self._port_of(),
            product=self.about(),
            vmotionEnabled=self._vmotion_enabled(),
            faultToleranceEnabled=False,
        )
        return vim.host.Summary(
            host=ref(vim.HostSystem, HOST_ID),
            hardware=hardware,
            runtime=self.host_runtime(),
            config=config,
            quickStats=vim.host.Summary.QuickStats(uptime=self._uptime_s()),
            overallStatus=vim.ManagedEntity.Status.green,
            rebootRequired=False,
        )

    def host_config(self) -> vim.host.ConfigInfo:
        return vim.host.ConfigInfo(
            host=ref(vim.HostSystem, HOST_ID),
            product=self.about(),
            network=self.sim.network_info(),
            virtualNicManagerInfo=vim.host.VirtualNicManagerInfo(netConfig=list(self.sim.net_config())),
        )

    def network_config(self) -> vim.host.NetworkConfig:
        """The configuration view of networkInfo, as UpdateNetworkConfig would take it."""
        info = self.sim.network_info()
        return vim.host.NetworkConfig(
            vswitch=[vim.host.VirtualSwitch.Config(name=s.name, spec=s.spec) for s in info.vswitch or []],
            portgroup=[vim.host.PortGroup.Config(spec=p.spec) for p in info.portgroup or []],
            pnic=[vim.host.PhysicalNic.Config(device=p.device, spec=p.spec) for p in info.pnic or []],
            vnic=[
                vim.host.VirtualNic.Config(device=v.device, portgroup=v.portgroup, spec=v.spec)
                for v in info.vnic or []
            ],
        )

    def _vmotion_enabled(self) -> bool:
        return any(c.nicType == "vmotion" and c.selectedVnic for c in self.sim.net_config())

    def _uptime_s(self) -> int:
        boot: dt.datetime = self.sim.boot_time
        now = dt.datetime.now(boot.tzinfo) if boot.tzinfo else dt.datetime.now()
        return max(0, int((now - boot).total_seconds()))

    # ---- tasks ----------------------------------------------------------------------------------

    def add_finished_task(self, wsdl_method: str, method: str, user: str) -> Any:
        """A Task for a HostSystem call (e.g. RebootHost_Task, "reboot") that has already succeeded."""
        key = f"haTask-{HOST_ID}-vim.HostSystem.{method}-{next(self._task_numbers)}"
        now = dt.datetime.now(dt.UTC)
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
