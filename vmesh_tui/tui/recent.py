"""Recently used connections, remembered under the config dir. Never a password."""

from __future__ import annotations

import json
import os
from pathlib import Path

from vmesh_tui.tui.draft import ConnectSpec

MAX_RECENT = 8


class RecentHosts:
    """A small JSON list of ConnectSpecs, newest first, written atomically with mode 0600."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> list[ConnectSpec]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        specs = []
        for item in raw if isinstance(raw, list) else []:
            if not isinstance(item, dict):
                continue
            hosts = tuple(str(h) for h in item.get("hosts", []) if isinstance(h, str))
            specs.append(
                ConnectSpec(
                    hosts=hosts,
                    vcenter=str(item.get("vcenter", "")),
                    cluster=str(item.get("cluster", "")),
                    user=str(item.get("user", "root")),
                )
            )
        return specs

    def remember(self, spec: ConnectSpec) -> None:
        specs = [spec, *(s for s in self.load() if s != spec)][:MAX_RECENT]
        data = [
            {"hosts": list(s.hosts), "vcenter": s.vcenter, "cluster": s.cluster, "user": s.user}
            for s in specs
        ]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=1)
        os.replace(temporary, self.path)
