"""A hostile HTTPS "host" on 127.0.0.1: it answers the versions GET like ESXi, then misbehaves.

modes (what a POST, or with ``on_get`` the versions GET itself, gets back):
- "trickle": a 200 reply whose body comes one byte every ``pause_s`` seconds
- "huge": a 200 reply of up to 2 GiB of XML-looking bytes, as fast as the client reads
- "badxml": a 200 reply that is not well-formed XML
- "mute": nothing at all, the connection stays open
It records how many body bytes it managed to send.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from pathlib import Path

VERSIONS = (
    b'<?xml version="1.0" encoding="UTF-8" ?>\n<namespaces version="1.0">\n<namespace>\n'
    b"<name>urn:vim25</name>\n<version>8.0.3.0</version>\n<priorVersions></priorVersions>\n"
    b"</namespace>\n</namespaces>\n"
)
TWO_GIB = 2 * 1024 * 1024 * 1024


class HostileServer:
    def __init__(
        self, mode: str, cert: tuple[Path, Path], on_get: bool = False, pause_s: float = 5.0
    ) -> None:
        self.mode, self.on_get, self.pause_s = mode, on_get, pause_s
        self.sent = 0
        self._context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self._context.load_cert_chain(str(cert[0]), str(cert[1]))
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._conns: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        self._listener.settimeout(0.1)
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except (TimeoutError, socket.timeout):
                continue
            except OSError:
                return
            self._conns.append(conn)
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        try:
            tls = self._context.wrap_socket(conn, server_side=True)
            tls.settimeout(60)
            while not self._stop.is_set():
                request = self._read_request(tls)
                if request is None:
                    return
                if request.startswith(b"GET") and not self.on_get:
                    tls.sendall(
                        b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: %d\r\n\r\n"
                        % len(VERSIONS)
                    )
                    tls.sendall(VERSIONS)
                    continue
                self._misbehave(tls)
                return
        except (OSError, ssl.SSLError):
            return
        finally:
            conn.close()

    def _read_request(self, tls: ssl.SSLSocket) -> bytes | None:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = tls.recv(65536)
            if not chunk:
                return None
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = next(
            (
                int(line.split(b":")[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length")
            ),
            0,
        )
        while len(body) < length:
            body += tls.recv(65536)
        return head

    def _misbehave(self, tls: ssl.SSLSocket) -> None:
        if self.mode == "mute":
            self._stop.wait(120)
            return
        if self.mode == "badxml":
            body = b"<soapenv:Envelope><soapenv:Body><RetrieveServiceContentResponse><returnval>&&<<</"
            tls.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: %d\r\n\r\n" % len(body) + body
            )
            return
        length = TWO_GIB if self.mode == "huge" else 100_000
        tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: %d\r\n\r\n" % length)
        if self.mode == "trickle":
            while not self._stop.is_set() and self.sent < length:
                tls.sendall(b"<")
                self.sent += 1
                self._stop.wait(self.pause_s)
            return
        opening = (
            b'<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv='
            b'"http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><RetrieveServiceContentResponse'
            b' xmlns="urn:vim25"><returnval><about><fullName>'
        )
        tls.sendall(opening)  # one element whose text never ends: well-formed as far as it goes
        self.sent += len(opening)
        chunk = b"x" * 65536
        while not self._stop.is_set() and self.sent < length:
            tls.sendall(chunk)
            self.sent += len(chunk)

    def close(self) -> None:
        self._stop.set()
        self._listener.close()
        for conn in self._conns:
            conn.close()
        time.sleep(0.05)
