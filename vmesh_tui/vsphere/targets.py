"""Where to connect: an ESXi host directly, or a vCenter and one of its clusters."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from vmesh_tui.vsphere.errors import VSphereError

DEFAULT_PORT = 443


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
        """``address:port`` as pinned in the known-hosts file."""
        return f"{self.address}:{self.port}"


def _bad(url: str, problem: str) -> VSphereError:
    return VSphereError(
        f"{url!r} is not a usable host URL: {problem}",
        "write it as https://USER@ADDRESS[:PORT]/sdk, e.g. https://root@esx-a.lab.local/sdk",
        code="bad-target",
    )


def parse_host_url(url: str, default_user: str = "root") -> Target:
    """Parse ``https://USER@ADDR[:PORT]/sdk`` (scheme, user, port and path optional) into a Target."""
    text = url.strip()
    if not text:
        raise _bad(url, "it is empty")
    parts = urlsplit(text if "://" in text else f"https://{text}")
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
    user = unquote(parts.username) if parts.username else default_user
    shown = f"[{address}]" if ":" in address else address
    canonical = f"https://{user}@{shown}:{port}/sdk"
    return Target(url=canonical, user=user, address=address, port=port)


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
