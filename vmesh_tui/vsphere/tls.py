"""TLS pinned by the SHA-256 of the peer's DER certificate, checked in every handshake.

pyVmomi's own ``thumbprint=`` pins only the first connection and it skips verification for 127.0.0.1;
this context is handed to every HTTPS connection of a stub, so each new socket of the pool is checked
right after its handshake, before a single byte of a request (or a credential) is written.
"""

from __future__ import annotations

import hashlib
import socket
import ssl
from typing import Any


class PinMismatch(ssl.SSLError):
    """The peer's certificate is not the pinned one (``expected`` None: nothing pinned yet)."""

    def __init__(self, expected: str | None, actual: str, peer: str = "") -> None:
        super().__init__("the peer certificate does not match the pinned fingerprint")
        self.expected = expected
        self.actual = actual
        self.peer = peer  # the address the connection reached


def sha256_fingerprint(der: bytes) -> str:
    return hashlib.sha256(der).hexdigest()


class PinnedContext(ssl.SSLContext):
    """A client context without CA checks whose only trust is an exact SHA-256 pin.

    ``expected`` None means learning mode: the handshake's fingerprint is raised as a PinMismatch,
    so the caller can ask the admin and then set ``expected``.
    """

    expected: str | None

    def __new__(cls, expected: str | None = None) -> PinnedContext:
        return super().__new__(cls, ssl.PROTOCOL_TLS_CLIENT)

    def __init__(self, expected: str | None = None) -> None:
        self.check_hostname = False
        self.verify_mode = ssl.CERT_NONE
        self.minimum_version = ssl.TLSVersion.TLSv1_2
        self.expected = expected

    def wrap_socket(self, sock: socket.socket, *args: Any, **kwargs: Any) -> ssl.SSLSocket:
        try:
            peer = str(sock.getpeername()[0])
        except (OSError, IndexError):
            peer = ""
        tls = super().wrap_socket(sock, *args, **kwargs)
        try:
            der = tls.getpeercert(binary_form=True)
            if der is None:
                tls.do_handshake()
                der = tls.getpeercert(binary_form=True)
            actual = sha256_fingerprint(der or b"")
            if der is None or self.expected is None or actual != self.expected:
                raise PinMismatch(self.expected, actual, peer)
        except BaseException:
            tls.close()
            raise
        return tls
