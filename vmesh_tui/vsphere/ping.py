"""``esxcli network diag ping`` through the API (RetrieveManagedMethodExecuter + ExecuteSoap).

pyVmomi 9 ships neither call's types, so this module speaks that SOAP itself on the live session:
the stub's own pooled (pinned) connections, its session cookie and its SOAPAction version.
Faults come back as real pyVmomi fault objects so the session's re-login logic applies unchanged.
"""

from __future__ import annotations

import http.client
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from pyVmomi import vim, vmodl

PING_MOID = "ha-cli-handler-network-diag"
PING_METHOD = "vim.EsxCLI.network.diag.ping"
ESXCLI_VERSION = "urn:vim25/5.0"
_SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"


@dataclass(frozen=True)
class PingResult:
    sent: int
    received: int
    loss_pct: float
    rtt_avg_ms: float | None
    error: str | None = None
    rtt_min_ms: float | None = None
    rtt_max_ms: float | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.sent > 0 and self.received > 0


def _envelope(body: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<soapenv:Envelope xmlns:soapenv="{_SOAP_ENV}" xmlns:xsi="{_XSI}">'
        f"<soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"
    )


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _find(root: ET.Element, name: str) -> ET.Element | None:
    return next((e for e in root.iter() if _local(e.tag) == name), None)


def _raise_fault(root: ET.Element) -> None:
    """Raise the pyVmomi fault a SOAP fault names (NotAuthenticated, MethodNotFound, ...)."""
    detail = _find(root, "detail")
    faultstring = _find(root, "faultstring")
    text = (faultstring.text or "") if faultstring is not None else ""
    kind = _local(detail[0].tag).removesuffix("Fault") if detail is not None and len(detail) else ""
    fault_class = getattr(vim.fault, kind, None) or getattr(vmodl.fault, kind, None) or vmodl.RuntimeFault
    fault = fault_class()
    fault.msg = text
    raise fault


def soap_call(stub: Any, body: str) -> ET.Element:
    """POST one SOAP body on the stub's connection pool; the parsed response Body element."""
    headers = {
        "Cookie": stub.cookie,
        "SOAPAction": stub.versionId,
        "Content-Type": "text/xml; charset=UTF-8",
    }
    connection = stub.GetConnection()
    try:
        connection.request("POST", stub.path, _envelope(body).encode(), headers)
        response = connection.getresponse()
        payload = response.read()
    except BaseException:
        connection.close()
        stub.DropConnections()
        raise
    stub.ReturnConnection(connection)
    try:
        root = ET.fromstring(payload)
    except ET.ParseError:
        raise http.client.HTTPException(f"unreadable SOAP answer (HTTP {response.status})") from None
    if response.status != 200 or _find(root, "Fault") is not None:
        _raise_fault(root)
    return root


def retrieve_executer(stub: Any, host_moid: str) -> str:
    """HostSystem.RetrieveManagedMethodExecuter -> the executer's moid."""
    body = (
        '<RetrieveManagedMethodExecuter xmlns="urn:vim25">'
        f'<_this type="HostSystem">{escape(host_moid)}</_this></RetrieveManagedMethodExecuter>'
    )
    returnval = _find(soap_call(stub, body), "returnval")
    if returnval is None or not (returnval.text or "").strip():
        raise vmodl.fault.MethodNotFound(msg="RetrieveManagedMethodExecuter returned nothing")
    return (returnval.text or "").strip()


def ping_arguments(
    target_ip: str,
    *,
    interface: str | None,
    size: int,
    df: bool,
    count: int,
    netstack: str | None,
    wait: float,
) -> list[tuple[str, str]]:
    """The esxcli arguments as (name, value) pairs; None values are left out."""
    values: dict[str, Any] = {
        "host": target_ip,
        "interface": interface,
        "size": size,
        "df": df,
        "count": count,
        "netstack": netstack,
        "wait": wait,
    }
    result: list[tuple[str, str]] = []
    for name, value in values.items():
        if value is None:
            continue
        text = ("true" if value else "false") if isinstance(value, bool) else str(value)
        result.append((name, text))
    return result


def execute_ping(stub: Any, executer_moid: str, arguments: list[tuple[str, str]]) -> ET.Element:
    """ExecuteSoap of the ping method; returns the ExecuteSoap returnval element."""
    args = "".join(
        f"<argument><name>{escape(name)}</name><val>{escape(f'<{name}>{escape(value)}</{name}>')}</val></argument>"
        for name, value in arguments
    )
    body = (
        '<ExecuteSoap xmlns="urn:vim25">'
        f'<_this type="ReflectManagedMethodExecuter">{escape(executer_moid)}</_this>'
        f"<moid>{PING_MOID}</moid><version>{ESXCLI_VERSION}</version><method>{PING_METHOD}</method>"
        f"{args}</ExecuteSoap>"
    )
    returnval = _find(soap_call(stub, body), "returnval")
    return returnval if returnval is not None else ET.Element("returnval")


def _number(root: ET.Element, *names: str) -> float | None:
    for name in names:
        element = _find(root, name)
        if element is not None and (element.text or "").strip():
            try:
                return float((element.text or "").strip())
            except ValueError:
                continue
    return None


def _error_text(fault: ET.Element) -> str:
    texts = [t.strip() for t in fault.itertext() if t.strip()]
    inner: list[str] = []
    for text in texts:
        if text.startswith("<"):
            try:
                inner += [t.strip() for t in ET.fromstring(text).itertext() if t.strip()]
                continue
            except ET.ParseError:
                pass
        inner.append(text)
    joined = " ".join(inner)
    if re.search(r"message too long", joined, re.IGNORECASE):
        return "Message too long"
    return joined or "the host reported an error"


def parse_ping(returnval: ET.Element, count: int) -> PingResult:
    """Parse an ExecuteSoap result of a ping (real ESXi's Summary fields, microseconds for RTT)."""
    fault = _find(returnval, "fault")
    if fault is not None:
        return PingResult(count, 0, 100.0, None, _error_text(fault))
    response = _find(returnval, "response")
    text = (response.text or "") if response is not None else ""
    try:
        root = ET.fromstring(text) if text.strip() else ET.Element("empty")
    except ET.ParseError:
        return PingResult(count, 0, 100.0, None, f"unreadable ping response: {text[:80]!r}")
    # pass/fail comes from the counts (and the loss), never from round-trip values, whose unit is undocumented
    sent = _number(root, "Transmitted")
    received = _number(root, "Recieved", "Received")  # ESXi spells it "Recieved"
    loss = _number(root, "PacketLost")
    if (sent is None or received is None) and loss is not None:
        sent = sent if sent is not None else float(count)
        received = received if received is not None else float(round(sent * (100.0 - loss) / 100.0))
    if sent is None or received is None:
        return PingResult(count, 0, 100.0, None, "the ping response has no summary")
    if loss is None:
        loss = 100.0 * (sent - received) / sent if sent else 100.0
    if not received:
        return PingResult(int(sent), int(received), float(loss), None)
    return PingResult(
        int(sent),
        int(received),
        float(loss),
        _rtt_ms(root, "Avg"),
        rtt_min_ms=_rtt_ms(root, "Min"),
        rtt_max_ms=_rtt_ms(root, "Max"),
    )


def _rtt_ms(root: ET.Element, which: str) -> float | None:
    """Roundtrip{which} in microseconds as milliseconds, else the (coarser) Roundtrip{which}MS."""
    microseconds = _number(root, f"Roundtrip{which}")
    return microseconds / 1000.0 if microseconds is not None else _number(root, f"Roundtrip{which}MS")
