"""Faults the twin answers with: a pyVmomi MethodFault plus the faultstring, as real hosts send them."""

from __future__ import annotations

from pyVmomi import VmomiSupport, vim, vmodl

VIM25 = "urn:vim25"


class SoapFault(Exception):
    """A vmodl/vim fault to answer with (HTTP 500); `fault` is the pyVmomi MethodFault instance."""

    def __init__(self, fault: vmodl.MethodFault, message: str) -> None:
        super().__init__(message)
        self.fault = fault
        self.message = message


def invalid_request(message: str) -> SoapFault:
    return SoapFault(vmodl.fault.InvalidRequest(msg=message), message)


def invalid_argument(message: str, prop: str | None = None) -> SoapFault:
    return SoapFault(vmodl.fault.InvalidArgument(msg=message, invalidProperty=prop), message)


def short_text(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) <= 200 else text[:200] + "..."


def fault_from_exception(exc: BaseException) -> SoapFault:
    """A SoapFault for an exception raised by the host model (pyVmomi faults keep their type)."""
    if isinstance(exc, SoapFault):
        return exc
    if isinstance(exc, vmodl.MethodFault):
        message = exc.msg or _default_message(exc)
        return SoapFault(exc, message)
    return SoapFault(vmodl.fault.SystemError(reason=short_text(exc)), "A general system error occurred.")


def _default_message(fault: vmodl.MethodFault) -> str:
    if isinstance(fault, vim.fault.NotFound):
        return "The object or item referred to could not be found."
    if isinstance(fault, vim.fault.AlreadyExists):
        return "The specified key, name, or identifier already exists."
    if isinstance(fault, vim.fault.ResourceInUse):
        return "The resource is in use."
    if isinstance(fault, vmodl.fault.InvalidArgument):
        return "A specified parameter was not correct."
    return f"{VmomiSupport.GetWsdlName(type(fault))} fault."


def fault_by_name(name: str, message: str) -> SoapFault:
    """A fault of WSDL type `name` (e.g. "HostConfigFault"); unknown names give a SystemError."""
    try:
        fault_type = VmomiSupport.GetWsdlType(VIM25, name)
    except KeyError:
        fault_type = None
    if fault_type is None or not issubclass(fault_type, vmodl.MethodFault):
        return SoapFault(vmodl.fault.SystemError(reason=message), message)
    return SoapFault(fault_type(msg=message), message)
