"""Where the tool keeps its files: config (known hosts) and state (journals, locks).

``VMESH_HOME`` replaces the platform directories when set (tests always set it): config is
``$VMESH_HOME/config`` and state is ``$VMESH_HOME/state``.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "vmesh-tui"


def _home() -> Path | None:
    value = os.environ.get("VMESH_HOME", "").strip()
    return Path(value).expanduser() if value else None


def config_dir() -> Path:
    """The config directory (created on demand, private to the user)."""
    home = _home()
    path = home / "config" if home else Path(platformdirs.user_config_dir(APP_NAME))
    return _ensure(path)


def state_dir() -> Path:
    """The state directory holding journals and locks (created on demand, private to the user)."""
    home = _home()
    path = home / "state" if home else Path(platformdirs.user_state_dir(APP_NAME))
    return _ensure(path)


def known_hosts_path() -> Path:
    """The file of pinned host certificates, like SSH's known_hosts."""
    return config_dir() / "known_hosts"


def _ensure(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path
