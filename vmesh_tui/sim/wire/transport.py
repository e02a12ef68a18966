"""HTTPS with HTTP/1.1 keep-alive for one endpoint: TLS per connection, Nagle off, one thread each."""

from __future__ import annotations

import contextlib
import http.server
import socket
import socketserver
import ssl
import threading
from typing import Any, Protocol

from vmesh_tui.sim.wire.chunked import BadChunk, BodyTooLarge, read_chunked

MAX_BODY = 2 * 1024 * 1024  # the one limit on a request body (server.py's fault text uses it too)
HANDSHAKE_TIMEOUT_S = 30
IDLE_TIMEOUT_S = 3600  # longer than pyVmomi keeps idle pooled connections (900 s)
DISCARD_LIMIT = 16 * MAX_BODY


class SoapEndpoint(Protocol):
    """What the transport needs from an endpoint (HostEndpoint in server.py)."""

    _ssl: ssl.SSLContext

    def handle_soap(self, body: bytes, cookie_header: str | None) -> Any: ...

    def service_versions_xml(self) -> bytes: ...

    def too_large_reply(self) -> Any: ...

    def invalid_request_reply(self, message: str) -> Any: ...


class HttpsServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    """A threaded HTTPS server bound to 127.0.0.1 that can drop all its live connections."""

    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], endpoint: SoapEndpoint) -> None:
        self.endpoint = endpoint
        self.accepted = 0
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, SoapRequestHandler)

    def server_bind(self) -> None:
        socketserver.TCPServer.server_bind(self)  # skips HTTPServer's reverse DNS lookup
        self.server_name, self.server_port = "127.0.0.1", self.server_address[1]

    def get_request(self) -> tuple[Any, Any]:
        sock, address = self.socket.accept()
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        tls = self.endpoint._ssl.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        with self._connections_lock:
            self._connections.add(tls)
            self.accepted += 1
        return tls, address

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Broken or hostile connections are closed quietly; the server keeps serving."""

    def drop_connections(self) -> None:
        with self._connections_lock:
            connections, self._connections = list(self._connections), set()
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class SoapRequestHandler(http.server.BaseHTTPRequestHandler):
    """GET /sdk/vimServiceVersions.xml and POST /sdk, with keep-alive."""

    protocol_version = "HTTP/1.1"
    server_version = "vmesh-twin"
    sys_version = ""
    timeout = IDLE_TIMEOUT_S
    server: HttpsServer

    def setup(self) -> None:
        self.request.settimeout(HANDSHAKE_TIMEOUT_S)
        self.request.do_handshake()
        super().setup()  # sets the idle timeout

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path in ("/sdk/vimServiceVersions.xml", "/sdk/vimServiceVersions.xml/"):
            self._send(200, self.server.endpoint.service_versions_xml(), "text/xml; charset=utf-8")
        else:
            self._send(404, b"Not found\n", "text/plain; charset=utf-8")

    def do_POST(self) -> None:
        if self.path.split("?", 1)[0].rstrip("/") != "/sdk":
            self._send(404, b"Not found\n", "text/plain; charset=utf-8", close=True)
            return
        body = self._read_body()
        if body is None:
            return
        reply = self.server.endpoint.handle_soap(body, self.headers.get("Cookie"))
        if reply.drop:
            self.close_connection = True
        else:
            extra = [("Set-Cookie", reply.set_cookie)] if reply.set_cookie else []
            self._send(reply.status, reply.body, "text/xml; charset=utf-8", extra)
        if reply.after is not None:
            reply.after()

    def _read_body(self) -> bytes | None:
        """The request body, framed by Content-Length or chunked (govmomi sends chunks). When it cannot
        be read (no framing, bad chunks, over MAX_BODY) the fault is sent and None returned."""
        endpoint = self.server.endpoint
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            try:
                return read_chunked(self.rfile, MAX_BODY)
            except BodyTooLarge:
                self._send(500, endpoint.too_large_reply().body, "text/xml; charset=utf-8", close=True)
            except BadChunk as exc:
                reply = endpoint.invalid_request_reply(f"The chunked request body is malformed: {exc}.")
                self._send(500, reply.body, "text/xml; charset=utf-8", close=True)
            return None
        length = self._content_length()
        if length is None:  # unframed: the body cannot be read, so answer and close
            message = (
                "The request has neither a valid Content-Length nor Transfer-Encoding: chunked; "
                "send the body with one of them."
            )
            reply = endpoint.invalid_request_reply(message)
            self._send(500, reply.body, "text/xml; charset=utf-8", close=True)
            return None
        if length > MAX_BODY:
            self._discard(length)
            self._send(500, endpoint.too_large_reply().body, "text/xml; charset=utf-8", close=True)
            return None
        return self.rfile.read(length)

    def _discard(self, length: int) -> None:
        """Read (up to a bound) and drop an oversize body, so the client can read the fault."""
        remaining = min(length, DISCARD_LIMIT)
        while remaining > 0:
            chunk = self.rfile.read(min(remaining, 65536))
            if not chunk:
                return
            remaining -= len(chunk)

    def _content_length(self) -> int | None:
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            return None
        return length if length >= 0 else None

    def _send(
        self, status: int, body: bytes, content_type: str, extra: list[tuple[str, str]] | None = None,
        close: bool = False,
    ) -> None:  # fmt: skip
        reason = self.responses.get(status, ("",))[0]
        lines = [
            f"HTTP/1.1 {status} {reason}",
            f"Date: {self.date_time_string()}",
            f"Content-Type: {content_type}",
            f"Content-Length: {len(body)}",
            "Cache-Control: no-cache",
            "Connection: close" if close else "Connection: Keep-Alive",
        ]
        lines.extend(f"{name}: {value}" for name, value in extra or [])
        self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        if close:
            self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        """Requests are counted, not logged (bodies may hold credentials)."""
