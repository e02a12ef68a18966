"""`vmesh-tui --version`: what a support request needs, read from package metadata (nothing heavy loads)."""

from __future__ import annotations

import sys
from importlib import metadata

from vmesh_tui import __version__

# (distribution, how it is shown, what it is for when it is missing)
COMPONENTS = (
    ("pyvmomi", "pyVmomi", "needed to talk to hosts"),
    ("textual", "Textual", "needed for the TUI"),
    ("cryptography", "cryptography", "only the demo and `vmesh-tui sim` need it: the [demo] extra"),
)


def installed_version(distribution: str) -> str | None:
    """The installed version of `distribution`, or None when it is not installed."""
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def version_report() -> str:
    """Our version, then Python's (with the interpreter's path), then each component's, one per line."""
    python = ".".join(str(part) for part in sys.version_info[:3])
    lines = [f"vmesh-tui {__version__}", f"Python {python} ({sys.implementation.name}, {sys.executable})"]
    for distribution, shown, missing in COMPONENTS:
        found = installed_version(distribution)
        lines.append(f"{shown} {found}" if found else f"{shown} not installed ({missing})")
    return "\n".join(lines)
