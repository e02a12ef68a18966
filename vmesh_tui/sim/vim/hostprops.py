"""The values of a simulated host's properties (about, summary, runtime, config, hardware), built
from the host model on every read so that they always show its current state."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from pyVmomi import vim, vmodl

HOST_ID = "ha-host"
_BUILDS = {"8.0.3": "24022510", "8.0.2": "22380479", "8.0.1": "21495797", "7.0.3": "21930508"}


def ref(kind: Any, moid: str) -> Any:
    """A managed object reference that serializes as `<x type="Kind">moid</x>`."""
    return kind(moid, None)


class HostValues:
    """Property values of the HostSystem and the ServiceInstance content of one host."""

    def __init__(self, sim: Any, port_of: Callable[[], int], api_version: str, instance_uuid: str) -> None:
        self.sim = sim
        self._port_of = port_of
        self.api_version = api_version
        self.instance_uuid = instance_uuid

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
            licenseProductName="VMware ESX Server",
            licenseProductVersion=version.split(".")[0] + ".0",
        )

    def service_content(self) -> vim.ServiceInstanceContent:
        return vim.ServiceInstanceContent(
            rootFolder=ref(vim.Folder, "ha-folder-root"),
            propertyCollector=ref(vmodl.query.PropertyCollector, "ha-property-collector"),
            viewManager=ref(vim.view.ViewManager, "ViewManager"),
            searchIndex=ref(vim.SearchIndex, "ha-searchindex"),
            sessionManager=ref(vim.SessionManager, "ha-sessionmgr"),
            about=self.about(),
        )

    def host_runtime(self) -> vim.host.RuntimeInfo:
        return vim.host.RuntimeInfo(
            connectionState=vim.HostSystem.ConnectionState.connected,
            powerState=vim.HostSystem.PowerState.poweredOn,
            inMaintenanceMode=self.sim.in_maintenance,
            bootTime=self.sim.boot_time,
            networkRuntimeInfo=self.sim.netstack_runtime(),
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
