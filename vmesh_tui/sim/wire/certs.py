"""Self-signed TLS certificates for the twin's endpoints, generated in memory with `cryptography`."""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import os
import ssl
import tempfile
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class HostCertificate:
    """A host's certificate and key (PEM) and its SHA-256 thumbprint (lowercase hex of the DER)."""

    cert_pem: bytes
    key_pem: bytes
    thumbprint: str


def generate_certificate(common_name: str) -> HostCertificate:
    """A fresh self-signed certificate for `common_name` (also valid for 127.0.0.1 and localhost)."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64] or "esxi")])
    now = dt.datetime.now(dt.timezone.utc)
    alt_names = x509.SubjectAlternativeName(
        [x509.DNSName("localhost"), x509.IPAddress(_loopback()), x509.DNSName(common_name or "esxi")]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=825))
        .add_extension(alt_names, critical=False)
        .sign(key, hashes.SHA256())
    )
    der = cert.public_bytes(serialization.Encoding.DER)
    return HostCertificate(
        cert_pem=cert.public_bytes(serialization.Encoding.PEM),
        key_pem=key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        thumbprint=hashlib.sha256(der).hexdigest(),
    )


def server_context(cert: HostCertificate) -> ssl.SSLContext:
    """A TLS server context presenting `cert`.

    `ssl` only loads key material from files, so the PEM lives in a private temporary file for the
    instant of loading and is removed right after.
    """
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    fd, path = tempfile.mkstemp(prefix="vmesh-twin-", suffix=".pem")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(cert.cert_pem + cert.key_pem)
        context.load_cert_chain(path)
    finally:
        os.unlink(path)
    return context


def _loopback() -> ipaddress.IPv4Address:
    return ipaddress.IPv4Address("127.0.0.1")
