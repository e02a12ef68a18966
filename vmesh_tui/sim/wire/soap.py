"""SOAP on the wire, server side, built from pyVmomi's own type system and serializer.

A request body becomes a :class:`SoapRequest` (method, `_this`, parameters as real pyVmomi objects); a
return value or a fault becomes the response envelope that a real ESXi host would send.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any
from xml.parsers.expat import ExpatError, ParserCreate

from pyVmomi import SoapAdapter, VmomiSupport, vmodl

from vmesh_tui.sim.vim.faults import SoapFault, invalid_argument, invalid_request

SOAPENV = SoapAdapter.XMLNS_SOAPENV
VIM25 = "urn:vim25"
_SEP = SoapAdapter.NS_SEP
_ENVELOPE_START = SoapAdapter.XML_HEADER + "\n" + SoapAdapter.SOAP_START
_ENVELOPE_END = SoapAdapter.SOAP_END
# methods that pyVmomi 9 ships no types for: their XML is kept raw and parsed by hand elsewhere
RAW_METHODS = frozenset({"RetrieveManagedMethodExecuter", "RetrieveDynamicTypeManager", "ExecuteSoap"})


@dataclass
class SoapRequest:
    """One parsed request: WSDL method name, target object reference and typed parameters."""

    method: str
    this: Any = None  # a pyVmomi ManagedObject reference (no stub)
    params: dict[str, Any] = field(default_factory=dict)
    raw: bytes = b""


def method_info(method: str) -> Any:
    """The WSDL method info of `method` (urn:vim25), or None when pyVmomi has no such method."""
    try:
        return VmomiSupport.GetWsdlMethod(VIM25, method).info
    except KeyError:
        return None


FETCH_PARAM = VmomiSupport.Object(name="prop", type=str, version=VmomiSupport.BASE_VERSION, flags=0)


class _RequestParser(SoapAdapter.ExpatDeserializerNSHandlers):
    """Walks Envelope/Body/Method and hands each parameter element to a pyVmomi SoapDeserializer."""

    def __init__(self, parser: Any, version: str) -> None:
        super().__init__()
        self.parser = parser
        self.version = version
        self.depth = 0
        self.request: SoapRequest | None = None
        self.params: dict[str, Any] = {}
        self._infos: dict[str, Any] = {}
        self._pending: tuple[str, Any, SoapAdapter.SoapDeserializer] | None = None
        self.current_param: str | None = None
        SoapAdapter.SetHandlers(parser, SoapAdapter.GetHandlers(self))

    def StartElementHandler(self, tag: str, attr: dict[str, str]) -> None:
        self._collect_pending()
        self.depth += 1
        ns, _, name = tag.rpartition(_SEP)
        if self.depth == 1 and (ns, name) != (SOAPENV, "Envelope"):
            raise invalid_request("The request is not a SOAP envelope.")
        if self.depth == 2 and ns != SOAPENV:
            raise invalid_request(f"Unexpected element {name} in the SOAP envelope.")
        if self.depth == 3 and name:
            self._start_method(name)
        elif self.depth == 4 and self.request is not None:
            self._start_param(name, tag, attr)

    def EndElementHandler(self, tag: str) -> None:
        self._collect_pending()
        self.depth -= 1

    def CharacterDataHandler(self, data: str) -> None:
        return None

    def _start_method(self, name: str) -> None:
        if self.request is not None:
            raise invalid_request("The SOAP body holds more than one method call.")
        self.request = SoapRequest(method=name)
        if name == "Fetch":
            self._infos = {"prop": FETCH_PARAM}
            return
        if name in RAW_METHODS:
            self._infos = {}
            return
        info = method_info(name)
        if info is None:
            raise invalid_request(f"Unable to resolve WSDL method name {name} for namespace name {VIM25}")
        self._infos = {param.name: param for param in info.params}

    def _start_param(self, name: str, tag: str, attr: dict[str, str]) -> None:
        assert self.request is not None
        if self.request.method in RAW_METHODS:
            result_type: Any = None  # parsed by hand from the raw body
        elif name == "_this":
            result_type = VmomiSupport.ManagedObject
        else:
            info = self._infos.get(name)
            if info is None:
                raise invalid_argument(f"Unexpected parameter {name} for {self.request.method}.", name)
            result_type = info.type.Item if issubclass(info.type, list) else info.type
        self.depth -= 1  # the element's end tag goes to whoever parses its content
        if result_type is None:
            self._skip_subtree()
            return
        deserializer = SoapAdapter.SoapDeserializer(version=self.version)
        deserializer.Deserialize(self.parser, result_type, nsMap=self.nsMap)
        deserializer.StartElementHandler(tag, attr)
        self._pending = (name, result_type, deserializer)
        self.current_param = name

    def _skip_subtree(self) -> None:
        skipper = _SubtreeSkipper(self)
        SoapAdapter.SetHandlers(self.parser, SoapAdapter.GetHandlers(skipper))

    def _collect_pending(self) -> None:
        if self._pending is None:
            return
        name, expected, deserializer = self._pending
        self._pending = None
        value = deserializer.GetResult()
        if not _is_instance(value, expected):
            raise invalid_argument(f"A specified parameter was not correct: {name}", name)
        assert self.request is not None
        if name == "_this":
            self.request.this = value if isinstance(value, VmomiSupport.ManagedObject) else None
            return
        info = self._infos[name]
        if issubclass(info.type, list):
            self.params.setdefault(name, info.type()).append(value)
        else:
            self.params[name] = value


def _is_instance(value: Any, expected: Any) -> bool:
    if expected is object or value is None:
        return True
    if expected is type:
        return isinstance(value, type)
    try:
        return isinstance(value, expected)
    except TypeError:
        return True


class _SubtreeSkipper:
    """Swallows one element subtree (and its end tag), then gives the parser back to `owner`."""

    def __init__(self, owner: _RequestParser) -> None:
        self.owner = owner
        self.level = 1

    def StartElementHandler(self, tag: str, attr: dict[str, str]) -> None:
        self.level += 1

    def EndElementHandler(self, tag: str) -> None:
        self.level -= 1
        if self.level == 0:
            SoapAdapter.SetHandlers(self.owner.parser, SoapAdapter.GetHandlers(self.owner))

    def CharacterDataHandler(self, data: str) -> None:
        return None

    def StartNamespaceDeclHandler(self, prefix: str, uri: str) -> None:
        self.owner.StartNamespaceDeclHandler(prefix, uri)

    def EndNamespaceDeclHandler(self, prefix: str) -> None:
        self.owner.EndNamespaceDeclHandler(prefix)


def parse_request(body: bytes, version: str) -> SoapRequest:
    """Parse a SOAP request; raise SoapFault (InvalidRequest/InvalidArgument) for anything malformed."""
    parser = ParserCreate(namespace_separator=_SEP)
    parser.buffer_text = True
    handler = _RequestParser(parser, version)
    try:
        parser.Parse(body, True)
    except SoapFault:
        raise
    except ExpatError as exc:
        raise invalid_request(f"Malformed XML in the request: {exc}.") from None
    except (TypeError, ValueError, KeyError, AttributeError, IndexError, OverflowError):
        # the values are not echoed: a parameter may be a password
        name = handler.current_param or "the request"
        raise invalid_argument(
            f"A specified parameter was not correct: {name}", handler.current_param
        ) from None
    request = handler.request
    if request is None:
        raise invalid_request("The SOAP body holds no method call.")
    request.params = handler.params
    if request.method in RAW_METHODS:
        request.raw = body
    _check_required(request)
    return request


def _check_required(request: SoapRequest) -> None:
    if request.method in RAW_METHODS:
        return
    if request.this is None:
        raise invalid_request(f"The call of {request.method} names no managed object (_this).")
    infos = [FETCH_PARAM] if request.method == "Fetch" else method_info(request.method).params
    for info in infos:
        if not info.flags & VmomiSupport.F_OPTIONAL and request.params.get(info.name) is None:
            raise invalid_argument(f"A specified parameter was not correct: {info.name}", info.name)


def _ns_map() -> dict[str, str]:
    ns_map = dict(SoapAdapter.SOAP_NSMAP)
    ns_map[VIM25] = ""
    return ns_map


class _HostSerializer(SoapAdapter.SoapSerializer):
    """pyVmomi's serializer, but a single reference in an untyped value (a DynamicProperty's val) is
    `xsi:type="ManagedObjectReference"` as hosts send it, not pyVmomi's "ManagedObject" (which govmomi
    reads as nothing)."""

    def _QName(self, typ: Any, defNS: str) -> tuple[str, str]:  # pyVmomi's method and argument names
        attr, name = super()._QName(typ, defNS)
        if typ is VmomiSupport.ManagedObject:
            name += "Reference"
        return attr, name


def _serialize(value: Any, info: Any, version: str, as_fault_detail: bool = False) -> str:
    writer = io.StringIO()
    serializer = _HostSerializer(writer, version, _ns_map())
    serializer.outermostAttrs = ""  # real hosts send no versionId attribute
    if as_fault_detail:
        serializer.SerializeFaultDetail(value, info)
    else:
        serializer.Serialize(value, info)
    return writer.getvalue()


def response_body(method: str, value: Any, result_type: Any, flags: int, version: str) -> bytes:
    """The envelope answering `method` with `value` (None for void methods)."""
    parts = [_ENVELOPE_START, f'<{method}Response xmlns="{VIM25}">']
    if value is not None and result_type is not None:
        info = VmomiSupport.Object(name="returnval", type=result_type, version=version, flags=flags)
        parts.append(_serialize(value, info, version))
    parts.append(f"</{method}Response>{_ENVELOPE_END}")
    return "".join(parts).encode("utf-8")


def raw_response_body(method: str, inner_xml: str) -> bytes:
    """An envelope around hand-written response XML (for methods pyVmomi has no types for)."""
    start = f'{_ENVELOPE_START}<{method}Response xmlns="{VIM25}">'
    return f"{start}{inner_xml}</{method}Response>{_ENVELOPE_END}".encode()


def fault_body(fault: vmodl.MethodFault, message: str, version: str) -> bytes:
    """A soapenv:Fault with the fault's detail element (`<TypeFault xsi:type="Type">`)."""
    wsdl_name = VmomiSupport.GetWsdlName(type(fault))
    info = VmomiSupport.Object(name=f"{wsdl_name}Fault", type=object, version=version, flags=0)
    fault.msg = None
    detail = _serialize(fault, info, version, as_fault_detail=True)
    detail = detail.replace(f"<{info.name}", f'<{info.name} xmlns="{VIM25}"', 1)
    code = "ServerFaultCode"
    return (
        f"{_ENVELOPE_START}<soapenv:Fault><faultcode>{code}</faultcode>"
        f"<faultstring>{SoapAdapter.XmlEscape(message)}</faultstring>"
        f"<detail>{detail}</detail></soapenv:Fault>{_ENVELOPE_END}"
    ).encode()


__all__ = [
    "SoapFault",
    "SoapRequest",
    "fault_body",
    "invalid_argument",
    "invalid_request",
    "parse_request",
    "response_body",
]
