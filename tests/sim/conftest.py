"""Fixtures for the twin's tests: a small two-host lab served on 127.0.0.1, and pyVmomi connections to it."""

from __future__ import annotations

import contextlib
import ssl
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.sim.small_lab import SMALL_LAB


def serve_lab_text(text: str, reboot_downtime_s: float = 0.05) -> Any:
    """Parse and serve a lab given as TOML text (RunningLab); the caller stops it."""
    from vmesh_tui.sim.lab.load import parse_lab
    from vmesh_tui.sim.runner import start_lab

    return start_lab(parse_lab(text, "test-lab.toml"), reboot_downtime_s=reboot_downtime_s)


@pytest.fixture
def small_lab_text() -> str:
    return SMALL_LAB


@pytest.fixture
def small_lab() -> Iterator[Any]:
    """SMALL_LAB, served; stopped after the test."""
    lab = serve_lab_text(SMALL_LAB)
    try:
        yield lab
    finally:
        lab.stop()


@pytest.fixture
def serve_lab() -> Iterator[Callable[[str], Any]]:
    """serve_lab(toml_text) -> RunningLab; every lab served this way is stopped after the test."""
    started: list[Any] = []

    def _serve(text: str) -> Any:
        started.append(serve_lab_text(text))
        return started[-1]

    yield _serve
    for lab in started:
        lab.stop()


@pytest.fixture
def connect() -> Iterator[Callable[..., Any]]:
    """connect(running_host, user=None, password=None) -> ServiceInstance; all disconnected afterwards."""
    from pyVim.connect import Disconnect, SmartConnect

    opened: list[Any] = []

    def _connect(host: Any, user: str | None = None, password: str | None = None) -> Any:
        port = int(host.url.rsplit(":", 1)[1].split("/")[0])
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        si = SmartConnect(
            host="127.0.0.1",
            port=port,
            user=user or host.user,
            pwd=password if password is not None else host.password,
            sslContext=context,
            connectionPoolTimeout=-1,
        )
        opened.append(si)
        return si

    yield _connect
    for si in opened:
        with contextlib.suppress(Exception):  # already logged out, rebooted or dropped
            Disconnect(si)
