"""Real pyVmomi fault instances, worded like ESXi's, with the detail that tells an admin what is wrong."""

from __future__ import annotations

from pyVmomi import vim, vmodl


def already_exists(name: str) -> vim.fault.AlreadyExists:
    return vim.fault.AlreadyExists(
        name=name, msg=f"The specified key, name, or identifier '{name}' already exists."
    )


def not_found(what: str, name: str) -> vim.fault.NotFound:
    return vim.fault.NotFound(msg=f"The object or item referred to could not be found: {what} '{name}'.")


def in_use(name: str, by: str) -> vim.fault.ResourceInUse:
    return vim.fault.ResourceInUse(name=name, msg=f"The resource '{name}' is in use by {by}.")


def invalid_argument(prop: str, detail: str) -> vmodl.fault.InvalidArgument:
    return vmodl.fault.InvalidArgument(
        invalidProperty=prop, msg=f"A specified parameter was not correct: {prop} ({detail})."
    )


def config_fault(detail: str) -> vim.fault.HostConfigFault:
    return vim.fault.HostConfigFault(msg=detail)


def not_supported(detail: str) -> vmodl.fault.NotSupported:
    return vmodl.fault.NotSupported(msg=f"The operation is not supported on the object: {detail}.")
