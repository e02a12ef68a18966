"""Where to connect: an ESXi host directly, or a vCenter and one of its clusters."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from vmesh_tui.vsphere.errors import VSphereError

DEFAULT_PORT = 443
_LABEL = re.compile(r"^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?$", re.IGNORECASE)


@dataclass(frozen=True)
class Target:
    """One endpoint. ``cluster`` is set for a vCenter (its cluster's hosts are used), None for ESXi."""

    url: str
    user: str
    address: str
    port: int = DEFAULT_PORT
    cluster: str | None = None

    @property
    def is_vcenter(self) -> bool:
        return self.cluster is not None

    @property
    def endpoint(self) -> str:
        """``address:port`` (an IPv6 address in brackets: ``[fd00::5]:443``)."""
        return f"[{self.address}]:{self.port}" if ":" in self.address else f"{self.address}:{self.port}"


def masked_url(url: str) -> str:
    """``url`` with any password in it shown as ``***`` (root:secret@, or root%3Asecret@ however spelt);
    still refused by :func:`parse_host_url`, so the admin sees where the password was."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        scheme, rest = "", url
    netloc, slash, path = rest.partition("/")
    userinfo, at, host = netloc.rpartition("@")
    if at and ":" in unquote(userinfo):
        netloc = f"{unquote(userinfo).split(':', 1)[0]}:***@{host}"
    return f"{scheme}{sep}{netloc}{slash}{path}"


def _shown(url: str) -> str:
    """The URL as an error message may show it: never a password, never hundreds of characters."""
    text = masked_url(url)
    return text if len(text) <= 80 else f"{text[:77]}..."


def _bad(url: str, problem: str) -> VSphereError:
    return VSphereError(
        f"{_shown(url)!r} is not a usable host URL: {problem}",
        "write it as https://USER@ADDRESS[:PORT]/sdk, e.g. https://root@esx-a.lab.local/sdk",
        code="bad-target",
    )


def parse_host_url(url: str, default_user: str = "root") -> Target:
    """Parse ``https://USER@ADDR[:PORT]/sdk`` (scheme, user, port and path optional) into a Target."""
    text = url.strip()
    if not text:
        raise _bad(url, "it is empty")
    try:
        parts = urlsplit(text if "://" in text else f"https://{text}")
        parts.port  # noqa: B018 - parsed here so that a bad port is reported below, not later
    except ValueError as exc:
        problem = "a bracket of the IPv6 address is missing" if "IPv6" in str(exc) else "it cannot be parsed"
        if "port" in str(exc).lower():
            problem = "the port is not a number between 1 and 65535"
        raise _bad(url, problem) from None
    if parts.scheme != "https":
        raise _bad(url, f"the scheme must be https, not {parts.scheme}")
    if parts.password is not None:
        raise _bad(url, "it contains a password; give it in VMESH_PASSWORD or at the prompt instead")
    if parts.path not in ("", "/", "/sdk", "/sdk/"):
        raise _bad(url, f"the path must be /sdk, not {parts.path}")
    try:
        port = parts.port or DEFAULT_PORT
    except ValueError:
        raise _bad(url, "the port is not a number between 1 and 65535") from None
    address = parts.hostname or ""
    if not address:
        raise _bad(url, "it names no host")
    problem = _address_problem(address)
    if problem:
        raise _bad(url, problem)
    user = unquote(parts.username) if parts.username else default_user
    if ":" in user:  # root%3Asecret@: no user name has a colon; this is a password, spelt to slip through
        raise _bad(url, "it contains a password; give it in VMESH_PASSWORD or at the prompt instead")
    shown = f"[{address}]" if ":" in address else address
    canonical = f"https://{user}@{shown}:{port}/sdk"
    return Target(url=canonical, user=user, address=address, port=port)


def _address_problem(address: str) -> str:
    """Why ``address`` cannot be a host's address ("" when it can)."""
    if ":" in address:
        try:
            ipaddress.IPv6Address(address)
        except ValueError:
            return f"{address[:60]!r} is not an IPv6 address"
        return ""
    if not address.isascii():
        return "the host name has characters other than ASCII letters, digits, '-' and '.'"
    if len(address) > 253:
        return f"the host name is {len(address)} characters long (at most 253)"
    for label in address.rstrip(".").split("."):
        if len(label) > 63:
            return f"a part of the host name is {len(label)} characters long (at most 63 between dots)"
        if not _LABEL.match(label):
            return f"{label[:40]!r} is not a valid part of a host name (letters, digits and '-' only)"
    return ""


def vcenter_target(url: str, cluster: str, default_user: str = "administrator@vsphere.local") -> Target:
    """A vCenter endpoint whose cluster ``cluster`` holds the hosts to configure."""
    if not cluster.strip():
        raise VSphereError(
            "no cluster was named for the vCenter",
            "add --cluster NAME (the cluster of the hosts)",
            code="bad-target",
        )
    base = parse_host_url(url, default_user=default_user)
    return Target(url=base.url, user=base.user, address=base.address, port=base.port, cluster=cluster.strip())
