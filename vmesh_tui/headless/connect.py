"""From command-line hosts to a connected adapter: targets, the password, pinned certificates."""

from __future__ import annotations

import argparse
import getpass
import os
import signal
import sys
from collections.abc import Sequence
from typing import Any

from vmesh_tui.engine import paths

PASSWORD_ENV = "VMESH_PASSWORD"


class UsageError(Exception):
    """Bad input on the command line: the message is a sentence with the remedy (exit 2)."""


class Stopped(Exception):
    """ctrl+c at a prompt, before anything was changed (exit 130)."""


def ask(question: str, *, secret: bool = False) -> str | None:
    """What the admin types at the terminal; None for ctrl+d. ctrl+c raises Stopped at the first press.

    The prompt waits under Python's default ctrl+c handler: asyncio.run's own (3.11+) only cancels the
    main task, which a prompt blocking the loop never notices, so a second ctrl+c was needed and then
    told of journals although nothing had been changed."""
    try:
        previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    except ValueError:  # not the main thread: the handler stays as it is
        previous = None
    try:
        return getpass.getpass(question) if secret else input(question)
    except EOFError:
        print(file=sys.stderr)  # the message that follows starts on a line of its own
        return None
    except KeyboardInterrupt:
        print(file=sys.stderr)
        raise Stopped("stopped at the prompt; nothing was changed") from None
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


def read_password(targets: Sequence[Any] = ()) -> str:
    """VMESH_PASSWORD, else a prompt on a terminal naming who logs in where; never from argv, never stored.

    Call it on the main thread (the prompt must see ctrl+c), before connecting in a worker thread."""
    value = os.environ.get(PASSWORD_ENV)
    if value:
        return value
    if sys.stdin.isatty():
        value = ask(f"Password for {prompt_name(targets)}: ", secret=True)
        if value:
            return value
        raise UsageError(f"no password given: type it at the prompt, or set {PASSWORD_ENV}")
    raise UsageError(f"no password: set {PASSWORD_ENV} or run on a terminal to be asked for it")


def prompt_name(targets: Sequence[Any]) -> str:
    """``root@esx-a`` for one host, ``root@esx-a, esx-b`` for several (one password for all of them)."""
    if not targets:
        return "the hosts"
    first = targets[0]
    where = []
    for target in targets:
        address, port = str(getattr(target, "address", target)), getattr(target, "port", 443)
        address = f"[{address}]" if ":" in address else address
        where.append(address if port == 443 else f"{address}:{port}")
    cluster = getattr(first, "cluster", None)
    tail = f" (cluster {cluster})" if cluster else ""
    return f"{getattr(first, 'user', 'root')}@{', '.join(where)}{tail}"


def targets_from(args: argparse.Namespace) -> list[Any]:
    """The adapter's targets for --host URLs, or --vcenter with --cluster."""
    from vmesh_tui.vsphere.targets import parse_host_url, vcenter_target

    hosts: list[str] = list(getattr(args, "host", []) or [])
    vcenter, cluster = getattr(args, "vcenter", None), getattr(args, "cluster", None)
    if vcenter and hosts:
        raise UsageError("give either --host URLs or --vcenter with --cluster, not both")
    if vcenter:
        if not cluster:
            raise UsageError("--vcenter needs --cluster NAME: the cluster whose hosts to use")
        return [vcenter_target(vcenter, cluster)]
    if cluster:
        raise UsageError("--cluster needs --vcenter URL")
    if not hosts:
        raise UsageError(
            "no hosts: add --host https://root@ADDRESS/sdk for each host, or --vcenter with --cluster"
        )
    return [parse_host_url(url) for url in hosts]


def connect(args: argparse.Namespace, password: str | None = None) -> Any:
    """A connected HostsClient (raises the adapter's VSphereError on failure); ``password`` as
    read_password gave it, else read here."""
    from vmesh_tui.vsphere.client import HostsClient
    from vmesh_tui.vsphere.knownhosts import KnownHosts

    targets = targets_from(args)
    password = password if password is not None else read_password(targets)
    known_hosts = KnownHosts(paths.known_hosts_path())
    return HostsClient.connect(targets, password, known_hosts, accept_new=bool(args.accept_new_certs))


# adapter (and local file) error code -> exit code; any other adapter error is 5: the hosts could not be
# reached or read, and nothing was changed (the engine handles every failure after a change itself)
EXIT_FOR_CODE = {
    "certificate-unknown": 4,
    "certificate-changed": 4,
    "auth-failed": 2,
    "bad-target": 2,
    "cluster-not-found": 2,
    "not-vsphere": 2,
    "bad-reply": 2,
    "reply-too-large": 2,
    "known-hosts-damaged": 2,
    "unsafe-path": 2,
}
