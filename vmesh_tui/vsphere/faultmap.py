"""Socket, TLS, HTTP and vSphere faults turned into the adapter's clear errors (never a raw fault)."""

from __future__ import annotations

import http.client
import socket
import ssl
from collections.abc import Mapping
from typing import Any

from pyVmomi import vim, vmodl

from vmesh_tui.vsphere.errors import (
    AuthFailed,
    CallTimeout,
    HostUnavailable,
    TlsFailure,
    Unreachable,
    VSphereError,
)
from vmesh_tui.vsphere.targets import Target


def network_error(target: Target, exc: BaseException, doing: str) -> VSphereError:
    """Turn a socket/TLS/HTTP failure into one of the adapter's clear errors."""
    where = target.endpoint
    if isinstance(exc, socket.gaierror):
        return Unreachable(
            f"the name {target.address!r} could not be resolved",
            "check the spelling and DNS, or use the host's IP address",
            code="name-not-resolved",
        )
    if isinstance(exc, ConnectionRefusedError):
        return Unreachable(
            f"{where} refused the connection while {doing}",
            "check the address and port and that the host's management service (hostd/vpxd) is running",
            code="connection-refused",
        )
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return CallTimeout(
            f"{where} did not answer in time while {doing}",
            "check that the host is up and reachable from here, then try again",
        )
    if isinstance(exc, ssl.SSLError):
        return TlsFailure(
            f"the TLS handshake with {where} failed while {doing} ({exc.__class__.__name__})",
            "check that the port is the host's HTTPS port (443)",
        )
    if isinstance(exc, (http.client.HTTPException, ConnectionError)):
        return Unreachable(
            f"{where} dropped the connection while {doing}",
            "check that the host is up; if it was rebooting, try again when it is back",
            code="connection-dropped",
        )
    return Unreachable(
        f"{where} could not be reached while {doing} ({exc.__class__.__name__})", "check the network"
    )


def fault_name(fault: Any) -> str:
    """The WSDL name of a vSphere fault (e.g. "AlreadyExists"), else the class name."""
    return str(getattr(fault, "_wsdlName", "") or type(fault).__name__)


def fault_text(fault: Any) -> str:
    """The host's own words for a fault, without any request data."""
    parts: list[str] = []
    if isinstance(fault, vmodl.MethodFault):
        if fault.msg:
            parts.append(str(fault.msg))
        parts += [str(m.message) for m in (fault.faultMessage or []) if getattr(m, "message", None)]
        for attribute in ("name", "invalidProperty", "obj"):
            value = getattr(fault, attribute, None)
            if value and isinstance(value, str) and value not in " ".join(parts):
                parts.append(f"{attribute}={value}")
    return "; ".join(parts) or fault_name(fault)


FAULT_REMEDY = "check the host's events and hostd.log (vpxd.log on a vCenter), then discover again"


def fault_error(
    target: Target, fault: Any, doing: str, names: Mapping[str, str] | None = None
) -> VSphereError:
    """Turn a vSphere fault of a read into one of the adapter's clear errors (never a raw fault)."""
    where = target.endpoint
    if isinstance(fault, vmodl.fault.ManagedObjectNotFound):
        moid = str(getattr(fault.obj, "_moId", "") or "")
        which = f"the host {names[moid]!r}" if names and moid in names else "a host"
        return HostUnavailable(
            f"{which} was removed from {where} or is no longer managed by it (while {doing}"
            + (f"; object {moid}" if moid else "")
            + ")",
            "discover again",
        )
    if isinstance(fault, vim.fault.NoPermission):
        privilege = str(getattr(fault, "privilegeId", "") or "")
        needed = f"the privilege {privilege!r}" if privilege else "a privilege"
        return AuthFailed(
            f"the user {target.user!r} lacks {needed} on {where} needed for {doing}",
            f"grant {target.user!r} a role with {privilege or 'that privilege'} on the host or cluster, "
            "or log in as another user",
        )
    return VSphereError(
        f"{fault_name(fault)}: {fault_text(fault)} (from {where} while {doing})",
        FAULT_REMEDY,
        code="vsphere-fault",
    )
