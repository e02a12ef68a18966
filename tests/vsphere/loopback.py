"""Tiny loopback servers for connection tests: TLS that records what arrives, silent, or not TLS."""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

from vmesh_tui.sim.wire.certs import generate_certificate


def make_certificate(directory: Path, name: str = "loopback") -> tuple[Path, Path, str]:
    """A fresh self-signed certificate (the twin's kind): (cert file, key file, SHA-256 hex of its DER)."""
    made = generate_certificate(name)
    cert_file, key_file = directory / f"{name}.crt", directory / f"{name}.key"
    cert_file.write_bytes(made.cert_pem)
    key_file.write_bytes(made.key_pem)
    return cert_file, key_file, made.thumbprint


class LoopbackServer:
    """Accepts connections on 127.0.0.1 and behaves as ``mode`` says; records the bytes it received.

    modes: "record" (TLS, read and keep everything, answer nothing), "http404" (TLS, answer 404),
    "plain" (no TLS: write junk), "mute" (accept, never speak).
    """

    def __init__(self, mode: str, cert: tuple[Path, Path] | None = None) -> None:
        self.mode = mode
        self.received = bytearray()
        self.handshakes = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._context: ssl.SSLContext | None = None
        if cert is not None:
            self._context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self._context.load_cert_chain(str(cert[0]), str(cert[1]))
        self._stop = threading.Event()
        self._open: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        self._listener.settimeout(0.1)
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._open.append(conn)
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        try:
            if self.mode == "mute":
                self._stop.wait(30)
                return
            if self.mode == "plain":
                conn.sendall(b"SSH-2.0-not-https\r\n" * 20)
                return
            assert self._context is not None
            tls = self._context.wrap_socket(conn, server_side=True)
            self.handshakes += 1
            tls.settimeout(2)
            if self.mode == "http404":
                tls.recv(65536)
                tls.sendall(
                    b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot here\n"
                )
                return
            while chunk := tls.recv(65536):
                self.received += chunk
        except (OSError, ssl.SSLError):
            return
        finally:
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._listener.close()
        for conn in self._open:
            conn.close()
        self._thread.join(timeout=2)


@contextlib.contextmanager
def recording_loopback(directory: Path) -> Iterator[tuple[LoopbackServer, str]]:
    """A "record" server with a fresh certificate, and that certificate's SHA-256; closed at the end."""
    cert_file, key_file, fingerprint = make_certificate(directory)
    server = LoopbackServer("record", (cert_file, key_file))
    try:
        yield server, fingerprint
    finally:
        server.close()
