"""The TUI's front door: the bare command (guided setup) and ``demo`` (the built-in lab, in-process).

Only this module joins the TUI to the vSphere adapter and the twin: the TUI gets a ``connector`` that
builds an engine, so it never imports pyVmomi. Heavy imports happen inside ``run``, so --help is quick.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

if TYPE_CHECKING:
    from vmesh_tui.tui.draft import ConnectSpec

DEMO_SUPERNET = "172.16.90.0/24"
DEMO_PREFIX = "vmesh-demo-"  # the demo's temporary VMESH_HOME, removed when it ends
DEMO_PID = "demo.pid"  # inside it: the demo's process, so a later demo can remove a killed one's folder


READ_ONLY_HELP = "never change a host: stop at the preview (validate only hosts that already match the plan)"
ASCII_HELP = "draw with ASCII only (automatic when the locale is not UTF-8)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of the bare command, and the ``demo`` subcommand."""
    parser.add_argument(
        "--host",
        action="append",
        default=[],
        metavar="URL",
        help="an ESXi host, https://USER@ADDR[:PORT]/sdk (repeat for each host)",
    )
    parser.add_argument("--vcenter", metavar="URL", help="a vCenter instead of hosts (with --cluster)")
    parser.add_argument("--cluster", metavar="NAME", help="the vCenter cluster whose hosts to cable")
    parser.add_argument("--read-only", action="store_true", help=READ_ONLY_HELP)
    parser.add_argument("--ascii", action="store_true", help=ASCII_HELP)
    sub = parser.add_subparsers(dest="command")
    demo = sub.add_parser("demo", help="the TUI on the built-in lab, served in-process by the ESXi twin")
    demo.add_argument("--read-only", action="store_true", dest="demo_read_only", help=READ_ONLY_HELP)
    demo.add_argument("--ascii", action="store_true", dest="demo_ascii", help=ASCII_HELP)


def make_connector() -> Any:
    """A Connector for the TUI: targets -> pinned, logged-in HostsClient -> Engine."""

    def connect(spec: Any, password: str, ask: Any) -> Any:
        from vmesh_tui.engine import paths
        from vmesh_tui.engine.session import Engine
        from vmesh_tui.tui.backend import CertPrompt, EngineLike
        from vmesh_tui.vsphere.client import HostsClient
        from vmesh_tui.vsphere.knownhosts import KnownHosts
        from vmesh_tui.vsphere.targets import parse_host_url, vcenter_target

        if spec.uses_vcenter:
            targets = [vcenter_target(spec.vcenter, spec.cluster, spec.user)]
        else:
            targets = [parse_host_url(url, spec.user) for url in spec.hosts]

        def accept(exc: Any) -> bool:
            return bool(ask(CertPrompt(exc.host, exc.port, exc.sha256)))

        known = KnownHosts(paths.known_hosts_path())
        client = HostsClient.connect(targets, password, known, accept_new=accept)
        engine: EngineLike = Engine(client, paths.state_dir())  # mypy holds the engine to the TUI's seam
        return engine

    return connect


def run(args: argparse.Namespace) -> int:
    if getattr(args, "command", None) == "demo":
        return run_demo(args)
    from vmesh_tui.engine import paths
    from vmesh_tui.tui.app import VmeshApp
    from vmesh_tui.tui.draft import Draft

    if args.vcenter and not args.cluster:
        print("vmesh-tui: --vcenter needs --cluster NAME (the cluster whose hosts to cable)", file=sys.stderr)
        return 2
    spec = connect_spec(args)
    password = os.environ.get("VMESH_PASSWORD") or None
    app = VmeshApp(
        make_connector(),
        Draft(connect=spec),
        password=password,
        config_dir=paths.config_dir(),
        read_only=args.read_only,
        ascii_only=args.ascii,
        auto_connect=bool(args.host or args.vcenter),
    )
    return app.run() or 0


class DemoLab:
    """The built-in lab, served from the first connect on: the first screen appears before pyVmomi loads."""

    def __init__(self, spec: Any) -> None:
        self.spec = spec
        self.running: Any = None
        self._lock = threading.Lock()

    def ensure(self) -> Any:
        """Start the lab once and pin its certificates (replacing pins a former demo left on its ports)."""
        with self._lock:
            if self.running is None:
                from vmesh_tui.engine import paths
                from vmesh_tui.sim.runner import start_lab
                from vmesh_tui.vsphere.knownhosts import KnownHosts

                running = start_lab(self.spec)
                known = KnownHosts(paths.known_hosts_path())
                for host in running.hosts:
                    address, port = _address_port(host.url)
                    known.forget(address, port)
                    known.remember(address, port, host.thumbprint)
                self.running = running
            return self.running

    def connector(self, connect: Any) -> Any:
        """``connect`` with the lab's host names (as the form shows them) mapped to their local URLs."""

        def demo_connect(spec: Any, password: str, ask: Any) -> Any:
            lab_hosts = self.ensure().hosts
            urls = {h.name: h.url.replace("https://", f"https://{h.user}@", 1) for h in lab_hosts}
            hosts = tuple(urls.get(_address_port(url)[0], url) for url in spec.hosts)
            try:
                return connect(dataclasses.replace(spec, hosts=hosts), password, ask)
            except Exception as exc:  # name the hosts as the form does, not by their local ports
                for host in lab_hosts:
                    address, port = _address_port(host.url)
                    for attribute in ("message", "remedy"):
                        text = getattr(exc, attribute, None)
                        if isinstance(text, str):
                            setattr(exc, attribute, text.replace(f"{address}:{port}", host.name))
                raise

        return demo_connect

    def stop(self) -> None:
        with self._lock:
            if self.running is not None:
                self.running.stop()


def run_demo(args: argparse.Namespace) -> int:
    """Open the wizard pre-filled with the demo lab's hosts; the lab is served in-process. Unless
    VMESH_HOME is set, pins and journals live in a temporary folder that goes with the demo."""
    scratch = None
    if not os.environ.get("VMESH_HOME"):
        sweep_demo_folders()
        scratch = tempfile.mkdtemp(prefix=DEMO_PREFIX)  # keep demo runs out of real state
        Path(scratch, DEMO_PID).write_text(str(os.getpid()), encoding="utf-8")
        os.environ["VMESH_HOME"] = scratch
    try:
        return _run_demo_app(args)
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
            os.environ.pop("VMESH_HOME", None)


def sweep_demo_folders() -> None:
    """Remove the folders of demos that were killed (their pid file names a process that is gone)."""
    for folder in Path(tempfile.gettempdir()).glob(f"{DEMO_PREFIX}*"):
        try:
            pid = int((folder / DEMO_PID).read_text(encoding="utf-8"))
            os.kill(pid, 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)  # its demo is gone
        except (OSError, ValueError):
            continue  # not ours to judge: no pid file, another user's, or a process alive


def _run_demo_app(args: argparse.Namespace) -> int:
    from vmesh_tui.engine import paths
    from vmesh_tui.sim.lab.load import demo_lab
    from vmesh_tui.tui.app import VmeshApp
    from vmesh_tui.tui.draft import ConnectSpec, Draft

    spec = demo_lab()
    first = spec.hosts[0]
    urls = tuple(f"https://{h.user}@{h.name}/sdk" for h in spec.hosts)
    draft = Draft(connect=ConnectSpec(hosts=urls, user=first.user), supernet=DEMO_SUPERNET)
    demo = DemoLab(spec)
    try:
        app = VmeshApp(
            demo.connector(make_connector()),
            draft,
            password=first.password,
            config_dir=paths.config_dir(),
            read_only=args.read_only or args.demo_read_only,
            ascii_only=args.ascii or args.demo_ascii,
            auto_connect=True,
            demo=True,
        )
        return app.run() or 0
    finally:
        demo.stop()


def connect_spec(args: argparse.Namespace) -> ConnectSpec:
    """What the Connect form starts with: the command line's hosts, with any password typed into a URL
    masked (the form never draws it; connecting refuses the URL and says why)."""
    from vmesh_tui.tui.draft import ConnectSpec
    from vmesh_tui.vsphere.targets import masked_url

    return ConnectSpec(
        hosts=tuple(masked_url(url) for url in args.host),
        vcenter=masked_url(args.vcenter or ""),
        cluster=args.cluster or "",
        user=_user_of(args.host[0]) if args.host else "root",
    )


def _user_of(url: str) -> str:
    """The user the Connect form shows for ``url``: never a password given in it (root:secret@)."""
    userinfo, at, _ = url.split("://", 1)[-1].split("/", 1)[0].rpartition("@")
    user = unquote(userinfo).split(":", 1)[0] if at else ""
    return user or "root"


def _address_port(url: str) -> tuple[str, int]:
    netloc = url.split("://", 1)[-1].split("/", 1)[0].rsplit("@", 1)[-1]
    address, _, port = netloc.rpartition(":")
    return (address, int(port)) if address else (netloc, 443)
