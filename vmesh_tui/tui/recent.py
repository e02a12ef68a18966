"""Recently used connections, remembered under the config dir. Never a password.

A file that is not what this module writes (damaged, edited, from another version) is ignored: ``load``
returns what it can use and ``problem`` says, in one sentence, what was ignored.
"""

from __future__ import annotations

import json
from pathlib import Path

from vmesh_tui.tui.draft import ConnectSpec

MAX_RECENT = 8


class RecentHosts:
    """A small JSON list of ConnectSpecs, newest first, written atomically with mode 0600; never read or
    written through a symbolic link."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.problem = ""  # set by load when the file was (partly) ignored

    def load(self) -> list[ConnectSpec]:
        self.problem = ""
        from vmesh_tui.engine.paths import read_text_nofollow

        try:
            raw = json.loads(read_text_nofollow(self.path))
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as exc:
            self.problem = f"The recent connections in {self.path} cannot be read ({_why(exc)}); ignored."
            return []
        if not isinstance(raw, list):
            self.problem = f"The recent connections in {self.path} are not a list; ignored."
            return []
        specs = [spec for spec in (_spec(item) for item in raw[:MAX_RECENT]) if spec is not None]
        if len(specs) != len(raw[:MAX_RECENT]):
            self.problem = f"Some recent connections in {self.path} are damaged; they were ignored."
        return specs

    def remember(self, spec: ConnectSpec) -> None:
        """Put ``spec`` first (a damaged file is replaced by what could be read of it)."""
        specs = [spec, *(s for s in self.load() if s != spec)][:MAX_RECENT]
        data = [
            {"hosts": list(s.hosts), "vcenter": s.vcenter, "cluster": s.cluster, "user": s.user}
            for s in specs
        ]
        from vmesh_tui.engine.journalstore import atomic_write

        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(self.path, json.dumps(data, indent=1))  # a fresh 0600 file, never through a link


def _spec(item: object) -> ConnectSpec | None:
    """One remembered connection, or None when the entry is not one."""
    if not isinstance(item, dict):
        return None
    hosts, texts = item.get("hosts", []), [item.get(k, "") for k in ("vcenter", "cluster", "user")]
    if not isinstance(hosts, list) or not all(isinstance(h, str) for h in hosts):
        return None
    if not all(isinstance(t, str) for t in texts) or not (hosts or texts[0]):
        return None
    vcenter, cluster, user = texts
    return ConnectSpec(hosts=tuple(hosts), vcenter=vcenter, cluster=cluster, user=user or "root")


def _why(exc: Exception) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return "it is not text"
    if isinstance(exc, ValueError):
        return "it is not JSON"
    return getattr(exc, "strerror", None) or type(exc).__name__
