"""Tiny loopback servers for connection tests: TLS that records what arrives, silent, or not TLS."""

from __future__ import annotations

import datetime as dt
import socket
import ssl
import threading
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def make_certificate(directory: Path, name: str = "loopback") -> tuple[Path, Path, str]:
    """A fresh self-signed certificate: (cert file, key file, SHA-256 hex of its DER)."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / f"{name}.crt", directory / f"{name}.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_file, key_file, cert.fingerprint(hashes.SHA256()).hex()


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
