"""esxcli over the API: RetrieveManagedMethodExecuter and ExecuteSoap for `network diag ping`.

pyVmomi 9 ships no types for these two calls, so their XML is read and written by hand here, in the
shapes real hosts use (govmomi's govc/host/esxcli): each argument value is an XML fragment such as
`<size>8972</size>`, and the answer is the esxcli data object serialized as an XML document.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from pyVmomi import VmomiSupport

from vmesh_tui.sim.vim import esxcli_network
from vmesh_tui.sim.vim.esxcli_info import CLIINFO_METHOD, CLIINFO_MOID, cli_info
from vmesh_tui.sim.vim.faults import invalid_argument, invalid_request

PING_MOID = "ha-cli-handler-network-diag"
PING_METHOD = "vim.EsxCLI.network.diag.ping"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_XSD = "http://www.w3.org/2001/XMLSchema"
_OBJ_START = f'<obj xmlns:xsd="{_XSD}" xmlns:xsi="{_XSI}" xmlns="urn:vim25" versionId="5.0"'


@dataclass
class RawCall:
    """A hand-parsed request: target reference, plain text fields and ExecuteSoap's arguments."""

    method: str
    this_type: str = ""
    this_id: str = ""
    fields: dict[str, str] = field(default_factory=dict)
    arguments: dict[str, str] = field(default_factory=dict)


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def parse_raw_call(body: bytes) -> RawCall:
    """Read RetrieveManagedMethodExecuter / ExecuteSoap from the raw SOAP body."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise invalid_request(f"Malformed XML in the request: {exc}.") from None
    body_element = next((child for child in root if _local(child.tag) == "Body"), None)
    method_element = next(iter(body_element), None) if body_element is not None else None
    if method_element is None:
        raise invalid_request("The SOAP body holds no method call.")
    call = RawCall(method=_local(method_element.tag))
    for child in method_element:
        name = _local(child.tag)
        if name == "_this":
            call.this_type = child.get("type", "")
            call.this_id = (child.text or "").strip()
        elif name == "argument":
            arg_name = child.findtext("{urn:vim25}name") or child.findtext("name") or ""
            value = child.findtext("{urn:vim25}val") or child.findtext("val") or ""
            call.arguments[arg_name] = value
        else:
            call.fields[name] = (child.text or "").strip()
    return call


def this_reference(call: RawCall) -> Any:
    """A reference to the call's target, for faults."""
    return VmomiSupport.ManagedObject(call.this_id or "unknown", None)


def executer_response(moid: str) -> str:
    return f'<returnval type="ReflectManagedMethodExecuter">{escape(moid)}</returnval>'


def type_manager_response(moid: str) -> str:
    return f'<returnval type="InternalDynamicTypeManager">{escape(moid)}</returnval>'


def argument_text(fragment: str, name: str) -> str:
    """The text of one argument fragment (`<size>8972</size>`); InvalidArgument when it is not XML."""
    wrapped = f'<a xmlns:xsi="{_XSI}" xmlns:xsd="{_XSD}">{fragment}</a>'
    try:
        element = ET.fromstring(wrapped)
    except ET.ParseError:
        raise invalid_argument(f"A specified parameter was not correct: argument {name}", name) from None
    inner = next(iter(element), None)
    return ((inner.text if inner is not None else element.text) or "").strip()


@dataclass(frozen=True)
class PingArguments:
    host: str
    interface: str | None = None
    size: int = 56
    df: bool = False
    count: int = 3
    netstack: str | None = None
    wait: float | None = None


def ping_arguments(arguments: dict[str, str]) -> PingArguments:
    """Typed ping arguments; CLI-style errors (a fault inside the SoapResult) for bad values."""
    texts = {name: argument_text(value, name) for name, value in arguments.items()}
    if not texts.get("host"):
        raise EsxcliError("Missing required parameter -H|--host")
    try:
        return PingArguments(
            host=texts["host"],
            interface=texts.get("interface") or None,
            size=int(texts.get("size", "56")),
            df=texts.get("df", "false").lower() in ("true", "1"),
            count=int(texts.get("count", "3")),
            netstack=texts.get("netstack") or None,
            wait=float(texts["wait"]) if texts.get("wait") else None,
        )
    except ValueError as exc:
        raise EsxcliError(f"Invalid parameter value: {exc}") from None


class EsxcliError(Exception):
    """An esxcli command failure, answered as SoapResult.fault (not as a SOAP fault)."""


def execute(sim: Any, call: RawCall) -> str:
    """ExecuteSoap: the CLI info of a namespace, `network diag ping`, or one of esxcli_network's reads."""
    moid, method = call.fields.get("moid", ""), call.fields.get("method", "")
    unknown = _cli_fault(f"Unknown esxcli method {method} on {moid}")
    if (moid, method) == (CLIINFO_MOID, CLIINFO_METHOD):
        type_name = argument_text(call.arguments.get("typeName", ""), "typeName")
        document = cli_info(type_name)
        if document is None:
            return _cli_fault(f"The object or item referred to could not be found: {type_name}")
        return _response(document)
    if (moid, method) == (PING_MOID, PING_METHOD):
        return execute_ping(sim, call)
    namespace, _, name = method[len("vim.EsxCLI.") :].rpartition(".")
    if not method.startswith("vim.EsxCLI.") or moid != "ha-cli-handler-" + namespace.replace(".", "-"):
        return unknown
    texts = {key: argument_text(value, key) for key, value in call.arguments.items()}
    try:
        with sim.lock:
            document = esxcli_network.run(sim, namespace, name, texts)
    except esxcli_network.CommandError as exc:
        return _cli_fault(str(exc))
    return unknown if document is None else _response(document)


def _response(document: str) -> str:
    return f"<returnval><response>{escape(document)}</response></returnval>"


def execute_ping(sim: Any, call: RawCall) -> str:
    """Run `network diag ping` on the host model and render ExecuteSoap's returnval."""
    try:
        args = ping_arguments(call.arguments)
    except EsxcliError as exc:
        return _cli_fault(str(exc))
    # no host lock here: the ping model locks every host it crosses, in its own order
    outcome = sim.ping(args.host, args.interface, args.size, args.df, args.count, args.netstack, args.wait)
    if outcome.error:
        message = outcome.error
        if "Message too long" in message:
            message = "sendto() failed (Message too long)"
        return _cli_fault(message, repeat=max(1, outcome.sent or args.count))
    return _response(_ping_document(args, outcome))


def _ms(value: float) -> int:
    return round(value)


def _ping_document(args: PingArguments, outcome: Any) -> str:
    summary = (
        f"<Summary><Duplicated>{outcome.duplicated}</Duplicated><HostAddr>{escape(args.host)}</HostAddr>"
        f"<PacketLost>{round(outcome.packet_lost_pct)}</PacketLost><Recieved>{outcome.received}</Recieved>"
        f"<RoundtripAvg>{round(outcome.rtt_avg * 1000)}</RoundtripAvg>"
        f"<RoundtripAvgMS>{_ms(outcome.rtt_avg)}</RoundtripAvgMS>"
        f"<RoundtripMax>{round(outcome.rtt_max * 1000)}</RoundtripMax>"
        f"<RoundtripMaxMS>{_ms(outcome.rtt_max)}</RoundtripMaxMS>"
        f"<RoundtripMin>{round(outcome.rtt_min * 1000)}</RoundtripMin>"
        f"<RoundtripMinMS>{_ms(outcome.rtt_min)}</RoundtripMinMS>"
        f"<Transmitted>{outcome.sent}</Transmitted></Summary>"
    )
    traces = "".join(
        f"<Trace><Detail></Detail><Dup>false</Dup><Host>{escape(str(host))}</Host><ICMPSeq>{seq}</ICMPSeq>"
        f"<ReceivedBytes>{size}</ReceivedBytes><RoundtripTime>{round(rtt * 1000)}</RoundtripTime>"
        f"<RoundtripTimeMS>{_ms(rtt)}</RoundtripTimeMS><TTL>{ttl}</TTL></Trace>"
        for host, ttl, seq, size, rtt in outcome.replies
    )
    return f'{_OBJ_START} xsi:type="vim.EsxCLI.network.diag.ping.PingOutput">{summary}{traces}</obj>'


def _cli_fault(message: str, repeat: int = 1) -> str:
    errors = "".join(f"<errMsg>{escape(message)}</errMsg>" for _ in range(repeat))
    detail = (
        f'{_OBJ_START} xsi:type="LocalizedMethodFault"><fault xsi:type="vim.EsxCLI.CLIFault">{errors}'
        f"</fault><localizedMessage></localizedMessage></obj>"
    )
    return (
        f"<returnval><fault><faultMsg>{escape(message)}</faultMsg>"
        f"<faultDetail>{escape(detail)}</faultDetail></fault></returnval>"
    )
