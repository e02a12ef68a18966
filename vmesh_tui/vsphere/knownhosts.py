"""Pinned certificates per host:port, like SSH's known_hosts: ``host:port sha256-hex`` per line.

The file holds fingerprints only (no secrets) and is rewritten atomically (temp file, fsync, rename).
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
from pathlib import Path

_FINGERPRINT = re.compile(r"^[0-9a-f]{64}$")


def normalize_fingerprint(value: str) -> str:
    """Lower-case hex without colons; raises ValueError when it is not a SHA-256 digest."""
    text = value.replace(":", "").strip().lower()
    if not _FINGERPRINT.match(text):
        raise ValueError(f"{value!r} is not a SHA-256 fingerprint (64 hex digits)")
    return text


def default_known_hosts_path() -> Path:
    """``$VMESH_HOME/config/known_hosts``, else under platformdirs' user config dir."""
    home = os.environ.get("VMESH_HOME", "").strip()
    if home:
        return Path(home).expanduser() / "config" / "known_hosts"
    import platformdirs

    return Path(platformdirs.user_config_dir("vmesh-tui")) / "known_hosts"


class KnownHosts:
    """The pins of one file. Thread-safe; every change is written to disk at once."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    @staticmethod
    def key(host: str, port: int) -> str:
        shown = f"[{host}]" if ":" in host else host
        return f"{shown.lower()}:{port}"

    def _read(self) -> dict[str, str]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        pins: dict[str, str] = {}
        for line in text.splitlines():
            fields = line.split()
            if len(fields) >= 2 and not fields[0].startswith("#"):
                try:
                    pins[fields[0]] = normalize_fingerprint(fields[1])
                except ValueError:
                    continue  # a damaged line pins nothing; the host then counts as unknown
        return pins

    def get(self, host: str, port: int) -> str | None:
        """The pinned SHA-256 (hex) of host:port, or None."""
        with self._lock:
            return self._read().get(self.key(host, port))

    def remember(self, host: str, port: int, sha256: str) -> None:
        """Pin host:port to ``sha256`` (replacing any older pin) and write the file atomically."""
        fingerprint = normalize_fingerprint(sha256)
        with self._lock:
            pins = self._read()
            pins[self.key(host, port)] = fingerprint
            self._write(pins)

    def forget(self, host: str, port: int) -> bool:
        """Remove the pin of host:port; True when there was one."""
        with self._lock:
            pins = self._read()
            if pins.pop(self.key(host, port), None) is None:
                return False
            self._write(pins)
            return True

    def _write(self, pins: dict[str, str]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lines = ["# vmesh-tui known hosts: HOST:PORT SHA-256 of the certificate (remove a line to re-trust)"]
        lines += [f"{key} {value}" for key, value in sorted(pins.items())]
        fd, tmp = tempfile.mkstemp(prefix=".known_hosts.", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write("\n".join(lines) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
