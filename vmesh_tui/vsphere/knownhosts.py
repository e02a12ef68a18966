"""Pinned certificates per host:port, like SSH's known_hosts: ``host:port sha256-hex`` per line.

Keys are canonical: an IP address in any form the resolver accepts (127.1, 0x7f.0.0.1, ::ffff:7f00:1,
127.0.0.1) is one key, written as its plain form; a host name is lower-cased. The session also pins the
address a host name led to, so the same machine reached by name or by address is checked against one pin.
A line that cannot be read (a short fingerprint, a byte-order mark, garbage) is an error that names the
line: a damaged pin never turns a host into an "unknown" one that --accept-new-certs would trust.
The file holds fingerprints only (no secrets). Every change re-reads the file under an OS lock and
writes it atomically (temp file, fsync, rename), so concurrent runs never lose each other's pins.
"""

from __future__ import annotations

import fcntl
import ipaddress
import os
import re
import socket
import tempfile
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

_FINGERPRINT = re.compile(r"^[0-9a-f]{64}$")
# a key as the tool writes it: [IPv6%zone]:port, or an IPv4 address or host name (ASCII) and :port; any
# other character (a NUL, a zero-width or non-ASCII letter) is damage, never another host to trust anew
_KEY = re.compile(
    r"^(\[(?P<v6>[0-9a-fA-F:.]+(%[A-Za-z0-9_.-]+)?)\]|(?P<name>[A-Za-z0-9_.-]+)):(?P<port>[0-9]{1,5})$"
)
HEADER = "# vmesh-tui known hosts: HOST:PORT SHA-256 of the certificate (remove a line to re-trust)"


class KnownHostsDamaged(Exception):
    """The known-hosts file cannot be used as it is; the message names the file and the line."""

    code = "known-hosts-damaged"

    def __init__(self, path: Path, problem: str, line: int | None = None, remedy: str = "") -> None:
        where = f"{path}, line {line}" if line is not None else str(path)
        self.message = f"the known-hosts file {where} {problem}"
        self.remedy = remedy or (
            f"fix or delete line {line} (each line is HOST:PORT and the 64-hex-digit SHA-256 of the "
            "host's certificate); the tool never guesses a pin"
            if line is not None
            else f"move {path} aside; the tool never guesses a pin"
        )
        super().__init__(f"{self.message}. {self.remedy}")


def normalize_fingerprint(value: str) -> str:
    """Lower-case hex without colons; raises ValueError when it is not a SHA-256 digest."""
    text = value.replace(":", "").strip().lower()
    if not _FINGERPRINT.match(text):
        raise ValueError(f"{value!r} is not a SHA-256 fingerprint (64 hex digits)")
    return text


def canonical_host(host: str) -> str:
    """One spelling per host: an IP address as the resolver reads it (an IPv4-mapped IPv6 address as
    IPv4), a host name lower-case without a trailing dot."""
    text = host.strip().strip("[]").lower()
    try:
        found = socket.getaddrinfo(text, None, flags=socket.AI_NUMERICHOST)
    except (socket.gaierror, UnicodeError, ValueError):
        return text.rstrip(".")
    address = str(found[0][4][0]).split("%", 1)[0]
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    zone = text.split("%", 1)[1] if "%" in text else ""
    return f"{ip}%{zone}" if zone and isinstance(ip, ipaddress.IPv6Address) else str(ip)


def default_known_hosts_path() -> Path:
    """``$VMESH_HOME/config/known_hosts``, else under platformdirs' user config dir."""
    home = os.environ.get("VMESH_HOME", "").strip()
    if home:
        return Path(home).expanduser() / "config" / "known_hosts"
    import platformdirs

    return Path(platformdirs.user_config_dir("vmesh-tui")) / "known_hosts"


class KnownHosts:
    """The pins of one file. Thread- and process-safe; every change is written to disk at once."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    @staticmethod
    def key(host: str, port: int) -> str:
        """The line's key for host:port: ``[v6]:port`` or ``name-or-v4:port``, canonical."""
        shown = canonical_host(host)
        return f"[{shown}]:{port}" if ":" in shown else f"{shown}:{port}"

    def _read(self) -> dict[str, str]:
        try:
            fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise KnownHostsDamaged(self.path, f"cannot be read ({exc.strerror or exc})") from None
        try:
            with os.fdopen(fd, "rb") as handle:
                raw = handle.read()
        except OSError as exc:
            problem = "is a directory, not a file" if os.path.isdir(self.path) else f"cannot be read ({exc})"
            raise KnownHostsDamaged(self.path, problem) from None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise KnownHostsDamaged(
                self.path, "holds bytes that are not text (is it a binary file?)", line
            ) from None
        return _parse(self.path, text)

    def get(self, host: str, port: int) -> str | None:
        """The pinned SHA-256 (hex) of host:port, or None. Raises KnownHostsDamaged for a damaged file."""
        with self._lock:
            return self._read().get(self.key(host, port))

    def remember(self, host: str, port: int, sha256: str, also: Iterable[str] = ()) -> None:
        """Pin host:port (and each address in ``also`` at that port) to ``sha256``, replacing older pins."""
        fingerprint = normalize_fingerprint(sha256)
        with self._lock, self._file_lock():
            pins = self._read()
            for name in (host, *also):
                pins[self.key(name, port)] = fingerprint
            self._write(pins)

    def forget(self, host: str, port: int) -> bool:
        """Remove the pin of host:port; True when there was one."""
        with self._lock, self._file_lock():
            pins = self._read()
            if pins.pop(self.key(host, port), None) is None:
                return False
            self._write(pins)
            return True

    @contextmanager
    def _file_lock(self) -> Iterator[None]:
        """An OS lock on a side file, held across read-modify-write (other processes wait for it); a
        file that cannot be written is a clear error (nothing pinned), never a traceback."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(self.path.parent / f".{self.path.name}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise self._unwritable(exc) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        except OSError as exc:
            raise self._unwritable(exc) from None
        finally:
            os.close(fd)

    def _unwritable(self, exc: OSError) -> KnownHostsDamaged:
        return KnownHostsDamaged(
            self.path,
            f"cannot be written ({exc.strerror or exc}), so nothing was pinned",
            remedy=f"make {self.path.parent} writable for this user (or free space there), then connect"
            " again",
        )

    def _write(self, pins: dict[str, str]) -> None:
        lines = [HEADER, *(f"{key} {value}" for key, value in sorted(pins.items()))]
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write("\n".join(lines) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def _parse(path: Path, text: str) -> dict[str, str]:
    """Pins by canonical key; KnownHostsDamaged names the first line that is not a pin or a comment."""
    if text.startswith("\ufeff"):
        raise KnownHostsDamaged(path, "starts with a byte-order mark (saved as 'UTF-8 with BOM')", 1)
    pins: dict[str, str] = {}
    first_line: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        fields = stripped.split()
        match = _KEY.match(fields[0]) if len(fields) == 2 else None
        if match is None or not 1 <= int(match["port"]) <= 65535:
            raise KnownHostsDamaged(path, "is not 'HOST:PORT FINGERPRINT'", number)
        try:
            fingerprint = normalize_fingerprint(fields[1])
        except ValueError:
            raise KnownHostsDamaged(
                path, "does not end in a SHA-256 fingerprint (64 hex digits)", number
            ) from None
        key = KnownHosts.key(match["v6"] or match["name"], int(match["port"]))
        if pins.get(key, fingerprint) != fingerprint:
            raise KnownHostsDamaged(
                path, f"pins {key} again, with another fingerprint than line {first_line[key]}", number
            )
        pins[key] = fingerprint
        first_line.setdefault(key, number)
    return pins
