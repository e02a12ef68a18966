"""Checks of what a host read returned, and waiting for a task: helpers of the HostsClient."""

from __future__ import annotations

import time
from typing import Any

from pyVmomi import vim, vmodl

from vmesh_tui.vsphere.errors import CallTimeout, HostUnavailable, StepFailed, Unreachable, VSphereError
from vmesh_tui.vsphere.hostread import RawHost, read_properties
from vmesh_tui.vsphere.session import Session, fault_name, fault_text


def check_usable(raw: RawHost) -> None:
    """Refuse a host a vCenter reports disconnected or in maintenance mode."""
    state = str(raw.props.get("runtime.connectionState", "connected"))
    if state != "connected":
        raise HostUnavailable(
            f"{raw.name} is {state} in vCenter", "reconnect the host in vCenter, then discover again"
        )
    if raw.props.get("runtime.inMaintenanceMode"):
        raise HostUnavailable(
            f"{raw.name} is in maintenance mode", "exit maintenance mode, or configure it later"
        )


def check_network_read(raws: list[RawHost]) -> list[RawHost]:
    """Refuse a host whose network objects returned nothing: an empty picture would look like a host
    with no NICs and no vmks, and a rollback judged on it would see nothing to undo."""
    for raw in raws:
        missing = [
            what
            for what, value in (
                ("HostNetworkSystem.networkInfo", raw.network),
                ("its vMotion selection (HostVirtualNicManager.info)", raw.net_config),
            )
            if value is None
        ]
        if missing:
            raise VSphereError(
                f"{raw.name} returned no {' and no '.join(missing)}",
                "check that the user may read the host's network configuration (System.Read on the host)",
                code="network-unreadable",
            )
    return raws


def wait_for_task(session: Session, task: Any, what: str, wait_s: float) -> None:
    """Poll a task (one RetrievePropertiesEx every 0.2 s) until it ends; an endpoint that goes away (a
    rebooting host) ends the wait too. StepFailed when the task fails, CallTimeout after ``wait_s``."""
    collector = session.content.propertyCollector
    paths = ["info.state", "info.error"]
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        try:
            props = session.call(
                lambda: read_properties(collector, task, vim.Task, paths),
                f"waiting for {what}",
                idempotent=True,
            )
        except (Unreachable, CallTimeout, vmodl.fault.ManagedObjectNotFound):
            return  # the endpoint went away (or forgot its tasks): the host is rebooting
        if props.get("info.state") == "success":
            return
        if props.get("info.state") == "error":
            error = props.get("info.error")
            raise StepFailed(None, fault_name(error), f"{what}: {fault_text(error)}")
        time.sleep(0.2)
    raise CallTimeout(f"{what} did not finish in {wait_s:.0f} s", "check the host's console")
