"""The adapter's errors: one clear sentence and a remedy each, never a password, never a traceback."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vmesh_tui.vsphere.knownhosts import KnownHosts

if TYPE_CHECKING:
    from vmesh_tui.core.steps import Step


class VSphereError(Exception):
    """Base of every error the adapter raises to its callers."""

    code = "vsphere"
    first_call = False  # an unanswered call of a step: it was the step's first change call (actions.py)

    def __init__(self, message: str, remedy: str = "", *, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code or type(self).code
        self.message = message
        self.remedy = remedy

    def __str__(self) -> str:
        """``message. Remedy``: the remedy starts a sentence of its own, so it starts with a capital."""
        return f"{self.message}. {self.remedy[:1].upper()}{self.remedy[1:]}" if self.remedy else self.message


def shown_fingerprint(sha256: str) -> str:
    """``abcd..`` -> ``AB:CD:..``: a SHA-256 fingerprint as the ESXi console (and the TUI) show it."""
    digits = sha256.replace(":", "").upper()
    return ":".join(digits[i : i + 2] for i in range(0, len(digits), 2))


class CertificateUnknown(VSphereError):
    """The host's certificate is not pinned yet; the caller may accept it (trust on first use)."""

    code = "certificate-unknown"

    def __init__(self, host: str, port: int, sha256: str) -> None:
        super().__init__(
            f"{host}:{port} presents a certificate this tool has not seen before "
            f"(SHA-256 {shown_fingerprint(sha256)})",
            "compare the fingerprint with the host's console, then accept it (--accept-new-certs)",
        )
        self.host, self.port, self.sha256 = host, port, sha256


class CertificateChanged(VSphereError):
    """The host presents another certificate than the pinned one: always refused."""

    code = "certificate-changed"

    def __init__(self, host: str, port: int, expected: str, actual: str, known_hosts: str = "") -> None:
        where = f" from {known_hosts}" if known_hosts else " from the known-hosts file"
        line = KnownHosts.key(host, port)  # as the file writes it: [fd00::5]:443 for IPv6
        super().__init__(
            f"the certificate of {line} has changed: pinned SHA-256 {shown_fingerprint(expected)}, "
            f"presented {shown_fingerprint(actual)}; "
            "no credentials were sent",
            f"if the host was reinstalled or its certificate renewed on purpose, remove the line "
            f"'{line}'{where} and connect again to trust the new one",
        )
        self.host, self.port, self.expected, self.actual = host, port, expected, actual


class AuthFailed(VSphereError):
    code = "auth-failed"


class Unreachable(VSphereError):
    code = "unreachable"


class CallTimeout(VSphereError):
    code = "timeout"


class NotVSphere(VSphereError):
    code = "not-vsphere"


class BadReply(VSphereError):
    """A reply that cannot be used (not valid SOAP, too large): a change it answered may have happened."""

    code = "bad-reply"


class ClusterNotFound(VSphereError):
    code = "cluster-not-found"


class HostUnavailable(VSphereError):
    code = "host-unavailable"


class TlsFailure(Unreachable):
    """The TLS handshake failed for another reason than the pin (protocol, cipher, not TLS at all)."""

    code = "tls-failure"


class StepFailed(VSphereError):
    """A plan step failed on its host: names the step, the fault type and the host's message."""

    code = "step-failed"

    def __init__(self, step: Step | None, fault_type: str, message: str, remedy: str = "") -> None:
        what = f"{step.kind} {step.target!r} on {step.host}" if step is not None else "the call"
        super().__init__(f"{what} failed: {fault_type}: {message}", remedy)
        self.step = step
        self.fault_type = fault_type
        self.fault_message = message


class NotSupported(StepFailed):
    """The host does not implement the call (MethodNotFound / ManagedObjectNotFound, e.g. on vcsim)."""

    code = "not-supported"

    def __init__(self, step: Step | None, fault_type: str, message: str) -> None:
        super().__init__(
            step,
            fault_type,
            f"not supported by this host ({message})" if message else "not supported by this host",
            "use a real ESXi host or the twin for this operation",
        )
