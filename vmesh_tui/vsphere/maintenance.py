"""Rebooting a host as an admin does: maintenance mode first, then a reboot without force.

ESXi refuses ``RebootHost_Task(force=False)`` outside maintenance mode (InvalidState), and forcing it
reboots a host with running VMs. So: enter maintenance mode (vCenter's DRS moves the VMs away first),
reboot, wait until the host answers with a new ``runtime.bootTime``, then leave maintenance mode again
if this call entered it. A host that does not come back is reported; it stays in maintenance mode.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from pyVmomi import vim, vmodl

from vmesh_tui.vsphere import hostread
from vmesh_tui.vsphere.errors import CallTimeout, StepFailed, Unreachable
from vmesh_tui.vsphere.hostchecks import wait_for_task
from vmesh_tui.vsphere.session import Session, fault_name, fault_text

POLL_S = 0.2


def host_runtime(session: Session, moref: Any, doing: str) -> tuple[bool, dt.datetime | None]:
    """(runtime.inMaintenanceMode, runtime.bootTime) of one host, read fresh."""
    paths = ["runtime.inMaintenanceMode", "runtime.bootTime"]

    def read() -> dict[str, Any]:  # the session's collector at each try: a re-login renews it
        return hostread.read_properties(session.content.propertyCollector, moref, vim.HostSystem, paths)

    props = session.read(read, doing)
    return bool(props.get("runtime.inMaintenanceMode")), props.get("runtime.bootTime")


def _start(session: Session, start: Any, host: str, what: str) -> Any:
    try:
        return session.call(start, f"{what} of {host}")
    except vmodl.MethodFault as fault:
        raise StepFailed(None, fault_name(fault), f"{what} of {host}: {fault_text(fault)}") from None


def reboot_in_maintenance(session: Session, moref: Any, host: str, wait_s: float) -> None:
    """Maintenance mode, reboot (no force), wait for a new bootTime, leave maintenance mode."""
    in_maintenance, booted = host_runtime(session, moref, f"reading {host} before its reboot")
    if not in_maintenance:
        task = _start(session, lambda: moref.EnterMaintenanceMode_Task(timeout=0), host, "maintenance mode")
        wait_for_task(session, task, f"maintenance mode of {host}", wait_s)
    task = _start(session, lambda: moref.RebootHost_Task(force=False), host, "the reboot")
    wait_for_task(session, task, f"the reboot of {host}", wait_s)
    if session.stub is not None:
        session.stub.DropConnections()
    _wait_until_back(session, moref, host, booted, time.monotonic() + wait_s)
    if not in_maintenance:
        leaving = "leaving maintenance mode"
        task = _start(session, lambda: moref.ExitMaintenanceMode_Task(timeout=0), host, leaving)
        wait_for_task(session, task, f"{leaving} of {host}", wait_s)


def _wait_until_back(session: Session, moref: Any, host: str, booted: Any, deadline: float) -> None:
    """Log in again until the host reports a later bootTime."""
    while True:
        try:
            _, now = host_runtime(session, moref, f"waiting for {host} to come back")
            if now is not None and (booted is None or now > booted):
                return
        except (Unreachable, CallTimeout):
            pass  # still down
        if time.monotonic() > deadline:
            raise CallTimeout(
                f"{host} did not come back from its reboot in time; it is left in maintenance mode",
                "check the host's console; exit maintenance mode once it is back",
            )
        time.sleep(POLL_S)
