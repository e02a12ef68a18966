"""A hypothesis-driven stream of malformed requests: each gets a SOAP fault, the server keeps serving."""

from __future__ import annotations

import http.client
import ssl
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SOAPENV = "http://schemas.xmlsoap.org/soap/envelope/"
ENVELOPE = (
    f'<soapenv:Envelope xmlns:soapenv="{SOAPENV}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>'
)
METHODS = [
    "AddVirtualSwitch",
    "AddPortGroup",
    "UpdateVirtualNic",
    "RetrievePropertiesEx",
    "Fetch",
    "Login",
    "CreateContainerView",
    "ExecuteSoap",
    "SelectVnicForNicType",
    "NoSuchMethod",
    "RefreshNetworkSystem",
    "CurrentTime",
    "RetrieveServiceContent",
    "RetrieveManagedMethodExecuter",
]
OBJECTS = [
    ("HostNetworkSystem", "networkSystem"),
    ("HostSystem", "ha-host"),
    ("Folder", "ha-folder-root"),
    ("PropertyCollector", "ha-property-collector"),
    ("HostSystem", "ghost"),
    ("Bogus", "x"),
]
PARAMS = [
    "vswitchName",
    "spec",
    "portgrp",
    "device",
    "nic",
    "specSet",
    "prop",
    "userName",
    "password",
    "container",
    "type",
    "recursive",
    "nicType",
    "force",
    "junk",
]
XSI_TYPES = [
    "xsd:int",
    "xsd:string",
    "xsd:boolean",
    "HostVirtualSwitchSpec",
    "HostPortGroupSpec",
    "ArrayOfString",
    "PropertyFilterSpec",
    "Nope",
    "vim25:HostVirtualNicSpec",
]

# (RebootHost_Task and Logout are left out: a well-formed one would end the stream's session)
texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)


@st.composite
def typed_calls(draw: Any) -> bytes:
    """Well-formed envelopes with wrong types, unknown objects, stray or nested parameters."""
    method = draw(st.sampled_from(METHODS))
    kind, moid = draw(st.sampled_from(OBJECTS))
    params = []
    for _ in range(draw(st.integers(0, 4))):
        name = draw(st.sampled_from(PARAMS))
        xsi = draw(st.none() | st.sampled_from(XSI_TYPES))
        attr = f' xsi:type="{xsi}"' if xsi else ""
        inner = draw(
            st.sampled_from(
                [
                    "",
                    "5",
                    "true",
                    "<numPorts>x</numPorts>",
                    "<mtu>9000</mtu><bridge/>",
                    "<name>a</name><name>b</name>",
                    "<objectSet><obj>1</obj></objectSet>",
                ]
            )
        )
        inner = inner or draw(texts).replace("<", "").replace("&", "")
        params.append(f"<{name}{attr}>{inner}</{name}>")
    this = f'<_this type="{kind}">{moid}</_this>' if draw(st.booleans()) else ""
    return ENVELOPE.replace(
        "{body}", f'<{method} xmlns="urn:vim25">{this}{"".join(params)}</{method}>'
    ).encode()


@st.composite
def mangled(draw: Any) -> bytes:
    """A valid call cut, spliced or sprinkled with garbage."""
    base = draw(typed_calls())
    cut = draw(st.integers(0, len(base)))
    junk = draw(st.binary(max_size=20))
    return base[:cut] + junk + base[cut + draw(st.integers(0, 10)) :]


requests = st.one_of(st.binary(max_size=200), texts.map(str.encode), typed_calls(), mangled())


@pytest.fixture(scope="module")
def endpoint() -> Iterator[Any]:
    from vmesh_tui.sim.lab.load import parse_lab
    from vmesh_tui.sim.runner import start_lab

    lab = start_lab(
        parse_lab('[[host]]\nname = "fuzz.test"\n  [[host.nic]]\n  device = "vmnic0"\n', "fuzz.toml")
    )
    yield lab.endpoint("fuzz.test")
    lab.stop()


class Client:
    """One keep-alive HTTPS connection with a logged-in session cookie; reconnects when dropped."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        self.context.check_hostname = False
        self.context.verify_mode = ssl.CERT_NONE
        self.connection = http.client.HTTPSConnection("127.0.0.1", port, context=self.context, timeout=10)
        login = (
            '<Login xmlns="urn:vim25"><_this type="SessionManager">ha-sessionmgr</_this>'
            "<userName>root</userName><password>vmware</password></Login>"
        )
        status, _, headers = self.post(ENVELOPE.replace("{body}", login).encode())
        assert status == 200
        self.cookie = headers["Set-Cookie"]

    def post(self, body: bytes, cookie: str | None = None) -> tuple[int, bytes, dict[str, str]]:
        headers = {"Content-Type": "text/xml"}
        if cookie:
            headers["Cookie"] = cookie
        self.connection.request("POST", "/sdk", body, headers)
        response = self.connection.getresponse()
        return response.status, response.read(), dict(response.getheaders())


def _fault_type(body: bytes) -> str | None:
    root = ET.fromstring(body)
    detail = root.find(f"{{{SOAPENV}}}Body/{{{SOAPENV}}}Fault/detail")
    if detail is None:
        return None
    child = next(iter(detail))
    return child.get("{http://www.w3.org/2001/XMLSchema-instance}type")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=requests)
def test_malformed_requests_get_soap_faults(endpoint: Any, body: bytes) -> None:
    client = _client(endpoint.port)
    status, answer, _ = client.post(body, client.cookie)
    assert status in (200, 500)
    if status == 500:
        assert _fault_type(answer) not in (None, "SystemError"), answer[:400]


_clients: dict[int, Client] = {}


def _client(port: int) -> Client:
    if port not in _clients:
        _clients[port] = Client(port)
    return _clients[port]


def test_still_serving_after_the_stream_and_oversize_bodies(endpoint: Any) -> None:
    client = Client(endpoint.port)
    oversize = b"<" + b"a" * (2 * 1024 * 1024 + 10)
    status, answer, _ = client.post(oversize, client.cookie)
    assert status == 500 and _fault_type(answer) == "InvalidRequest"
    fresh = Client(endpoint.port)  # the oversize request closed its connection
    fetch = '<Fetch xmlns="urn:vim25"><_this type="HostSystem">ha-host</_this><prop>name</prop></Fetch>'
    status, answer, _ = fresh.post(ENVELOPE.replace("{body}", fetch).encode(), fresh.cookie)
    assert status == 200 and b"fuzz.test" in answer


def test_a_post_without_content_length_gets_a_soap_fault_and_a_close(endpoint: Any) -> None:
    import socket

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with (
        socket.create_connection(("127.0.0.1", endpoint.port), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        tls.sendall(b"POST /sdk HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\n\r\n")
        data = b""
        while chunk := tls.recv(65536):  # the server closes the connection after its answer
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 500 ") and b"Connection: close" in head
    assert _fault_type(body) == "InvalidRequest" and b"Content-Length" in body
