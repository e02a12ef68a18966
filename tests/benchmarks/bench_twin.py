"""Twin throughput: small write calls per second over one keep-alive HTTPS connection, against floors.

The twin serves the demo lab in a child process (`vmesh-tui sim --demo`), so the client never shares its
GIL. On esx-a, two clients alternate AddVirtualSwitch and RemoveVirtualSwitch for a few seconds:
- raw: http.client posting the SOAP envelopes on one connection (what the twin itself costs);
- pyVmomi: the same calls through pyVmomi's stub (what a script, Ansible or the tool sees).
The certificate is checked against the thumbprint the twin announced. Floors: budgets.py.
Usage: python tests/benchmarks/bench_twin.py [--quick] [--json]; exit 1 when a rate is below its floor.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import ssl
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from budgets import (
    TWIN_PYVMOMI_CALLS_PER_S_FLOOR,
    TWIN_RAW_CALLS_PER_S_FLOOR,
    floor_problem,
)
from common import BenchError, Twin, TwinHost, print_figures

HOST = "esx-a.lab.local"
SWITCH = "vmesh-bench-rate"
ENVELOPE = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"'
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>{}</soapenv:Body></soapenv:Envelope>'
)
ADD = (
    '<AddVirtualSwitch xmlns="urn:vim25"><_this type="HostNetworkSystem">{ns}</_this>'
    f"<vswitchName>{SWITCH}</vswitchName><spec><numPorts>64</numPorts><mtu>9000</mtu></spec>"
    "</AddVirtualSwitch>"
)
REMOVE = (
    '<RemoveVirtualSwitch xmlns="urn:vim25"><_this type="HostNetworkSystem">{ns}</_this>'
    f"<vswitchName>{SWITCH}</vswitchName></RemoveVirtualSwitch>"
)


def _pinned_context(host: TwinHost) -> ssl.SSLContext:
    """No CA for the twin's self-signed certificate: the thumbprint it announced is checked instead."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def _check_thumbprint(conn: http.client.HTTPSConnection, host: TwinHost) -> None:
    assert conn.sock is not None
    der = conn.sock.getpeercert(binary_form=True) or b""  # type: ignore[attr-defined]
    seen = hashlib.sha256(der).hexdigest()
    if seen.lower() != host.thumbprint.replace(":", "").lower():
        raise BenchError(f"{host.name}: certificate {seen} is not the one the twin announced")


def _session(host: TwinHost) -> tuple[Any, str]:
    """A pyVmomi session (for the object ids and the cookie) and the host's HostNetworkSystem id."""
    from pyVim.connect import SmartConnect

    si = SmartConnect(
        host=host.address, port=host.port, user=host.user, pwd=host.password, disableSslCertValidation=True
    )
    system = si.content.rootFolder.childEntity[0].hostFolder.childEntity[0].host[0]
    return si, system.configManager.networkSystem._moId


def raw_rate(host: TwinHost, seconds: float) -> float:
    """Calls per second posted with http.client on one keep-alive connection."""
    si, ns = _session(host)
    cookie = si._stub.cookie
    bodies = [ENVELOPE.format(call.format(ns=ns)).encode() for call in (ADD, REMOVE)]
    headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": "urn:vim25/8.0", "Cookie": cookie}
    conn = http.client.HTTPSConnection(host.address, host.port, context=_pinned_context(host), timeout=30)
    try:
        conn.connect()
        _check_thumbprint(conn, host)
        calls, started = 0, time.perf_counter()
        while time.perf_counter() - started < seconds:
            for body in bodies:  # add, then remove: the host ends as it began
                conn.request("POST", "/sdk", body, headers)
                reply = conn.getresponse()
                answer = reply.read()
                if reply.status != 200:
                    raise BenchError(f"the twin answered {reply.status}: {answer[:300]!r}")
            calls += 2
        return calls / (time.perf_counter() - started)
    finally:
        conn.close()
        si.content.sessionManager.Logout()


def pyvmomi_rate(host: TwinHost, seconds: float) -> float:
    """Calls per second through pyVmomi's stub (its own keep-alive connection)."""
    from pyVmomi import vim

    si, _ = _session(host)
    system = si.content.rootFolder.childEntity[0].hostFolder.childEntity[0].host[0]
    network = system.configManager.networkSystem
    spec = vim.host.VirtualSwitch.Specification(numPorts=64, mtu=9000)
    try:
        calls, started = 0, time.perf_counter()
        while time.perf_counter() - started < seconds:
            network.AddVirtualSwitch(SWITCH, spec)
            network.RemoveVirtualSwitch(SWITCH)
            calls += 2
        return calls / (time.perf_counter() - started)
    finally:
        si.content.sessionManager.Logout()


def measure(quick: bool = False) -> dict[str, Any]:
    """Both rates on a fresh twin (``quick``: 1 s each, else 3 s), with the floors and any problems."""
    seconds = 1.0 if quick else 3.0
    with tempfile.TemporaryDirectory() as tmp, Twin(Path(tmp) / "twin") as twin:
        host = next(h for h in twin.hosts if h.name == HOST)
        raw = raw_rate(host, seconds)
        through_pyvmomi = pyvmomi_rate(host, seconds)
    problems = floor_problem(
        "twin, raw HTTPS client", raw, TWIN_RAW_CALLS_PER_S_FLOOR, "calls/s"
    ) + floor_problem("twin, through pyVmomi", through_pyvmomi, TWIN_PYVMOMI_CALLS_PER_S_FLOOR, "calls/s")
    return {
        "seconds_each": seconds,
        "raw_calls_per_s": round(raw, 1),
        "pyvmomi_calls_per_s": round(through_pyvmomi, 1),
        "raw_floor": TWIN_RAW_CALLS_PER_S_FLOOR,
        "pyvmomi_floor": TWIN_PYVMOMI_CALLS_PER_S_FLOOR,
        "problems": problems,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 s per client instead of 3 s")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    args = parser.parse_args(argv)
    return print_figures(measure(args.quick), args.json, 20)


if __name__ == "__main__":
    sys.exit(main())
