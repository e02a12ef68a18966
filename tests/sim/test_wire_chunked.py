"""Chunked request bodies (Transfer-Encoding: chunked), as Go's net/http sends them for govmomi."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from typing import Any

import pytest

ENVELOPE = (
    b'<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>'
    b'<RetrieveServiceContent xmlns="urn:vim25"><_this type="ServiceInstance">ServiceInstance</_this>'
    b"</RetrieveServiceContent></soapenv:Body></soapenv:Envelope>"
)
HEAD = (
    b"POST /sdk HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\nTransfer-Encoding: chunked\r\n\r\n"
)


def chunked(body: bytes, sizes: tuple[int, ...] = (7, 100, 1)) -> bytes:
    """`body` in chunks of the given sizes (the rest in one), with an extension and a trailer."""
    out, rest = [], body
    for size in sizes:
        piece, rest = rest[:size], rest[size:]
        if piece:
            out.append(b"%x;ext=1\r\n%s\r\n" % (len(piece), piece))
    if rest:
        out.append(b"%X\r\n%s\r\n" % (len(rest), rest))
    return b"".join(out) + b"0\r\nX-Trailer: yes\r\n\r\n"


@pytest.fixture
def tls(small_lab: Any) -> Iterator[ssl.SSLSocket]:
    port = int(small_lab.hosts[0].url.rsplit(":", 1)[1].split("/")[0])
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with (
        socket.create_connection(("127.0.0.1", port), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as wrapped,
    ):
        yield wrapped


def read_reply(sock: ssl.SSLSocket) -> tuple[bytes, bytes]:
    """One response (head, body) read by its Content-Length; the connection stays usable."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    lengths = [
        line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")
    ]
    length = int(lengths[0])
    while len(body) < length:
        body += sock.recv(65536)
    return head, body


def test_chunked_requests_are_answered_on_one_keep_alive_connection(tls: ssl.SSLSocket) -> None:
    for sizes in ((7, 100, 1), (1,) * 40, ()):
        tls.sendall(HEAD + chunked(ENVELOPE, sizes))
        head, body = read_reply(tls)
        assert head.startswith(b"HTTP/1.1 200 "), head
        assert b"<RetrieveServiceContentResponse" in body and b"ha-folder-root" in body


def test_a_broken_chunk_gets_an_invalid_request_fault_and_a_close(tls: ssl.SSLSocket) -> None:
    tls.sendall(HEAD + b"zz\r\nhello\r\n0\r\n\r\n")
    data = b""
    while chunk := tls.recv(65536):  # the server closes the connection after its answer
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 500 ") and b"Connection: close" in head
    assert b"InvalidRequest" in body and b"not hexadecimal" in body


def test_chunks_over_the_limit_get_a_fault_before_the_end(tls: ssl.SSLSocket) -> None:
    tls.sendall(HEAD + b"%x\r\n" % (3 * 1024 * 1024))  # announced, never sent: refused at once
    data = b""
    while chunk := tls.recv(65536):
        data += chunk
    assert data.startswith(b"HTTP/1.1 500 ") and b"InvalidRequest" in data and b"larger than" in data
