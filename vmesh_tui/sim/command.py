"""`vmesh-tui sim LAB.toml [--json] [--stats FILE]` and `vmesh-tui sim --demo`: serve a lab until stopped."""

from __future__ import annotations

import argparse
import json
import shlex
import signal
import sys
import threading
from typing import Any

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the `sim` subcommand to the top-level parser."""
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    sim = commands.add_parser(
        "sim",
        help="serve a lab of simulated ESXi hosts over HTTPS",
        description="Serve every host of a lab file as its own vSphere SOAP endpoint on 127.0.0.1 "
        "until Ctrl+C or SIGTERM.",
    )
    sim.add_argument("lab", nargs="?", metavar="LAB.toml", help="the lab file (format: docs/lab-format.md)")
    sim.add_argument("--demo", action="store_true", help="serve the built-in demo lab")
    shown = sim.add_mutually_exclusive_group()
    shown.add_argument("--json", action="store_true", help="print one JSON line of hosts once all listen")
    shown.add_argument(
        "--govc",
        action="store_true",
        help="print, per host, the GOVC_* variables that point govc-style tools (govmomi) at it",
    )
    sim.add_argument("--stats", metavar="FILE", help="write per-host request counts as JSON when stopping")


def run(args: argparse.Namespace) -> int:
    from vmesh_tui.sim.lab.load import LabError, demo_lab, load_lab
    from vmesh_tui.sim.runner import LabStartError, start_lab

    if bool(args.lab) == bool(args.demo):
        print("vmesh-tui sim: give either a lab file or --demo (not both).", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        spec = demo_lab() if args.demo else load_lab(args.lab)
    except LabError as exc:
        print(f"vmesh-tui sim: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    stop = threading.Event()
    previous = _install_stop_handlers(stop)
    try:
        try:
            lab = start_lab(spec)
        except LabStartError as exc:
            print(f"vmesh-tui sim: {exc}", file=sys.stderr)
            return EXIT_FAILED
        with lab:
            _announce(lab, args.json, getattr(args, "govc", False))
            while not stop.wait(0.5):
                pass
        if args.stats:
            try:
                lab.write_stats(args.stats)
            except OSError as exc:
                print(
                    f"vmesh-tui sim: cannot write the stats to {args.stats} ({exc.strerror}); "
                    "check that its directory exists and is writable.",
                    file=sys.stderr,
                )
                return EXIT_FAILED
    finally:
        _restore_handlers(previous)
    return EXIT_OK


def _announce(lab: Any, as_json: bool, govc: bool = False) -> None:
    if as_json:
        print(json.dumps({"hosts": [h.as_json() for h in lab.hosts]}), flush=True)
        return
    if govc:
        for host in lab.hosts:
            print(_govc_lines(lab, host), flush=True)
        print("# Serving; press Ctrl+C to stop.", flush=True)
        return
    for host in lab.hosts:
        print(f"{host.name}  {host.url}  user {host.user}  sha256 {host.thumbprint}", flush=True)
    print("Serving; press Ctrl+C to stop.", flush=True)


def _govc_lines(lab: Any, host: Any) -> str:
    """A comment with the host's SHA-1 pin (govc's GOVC_TLS_KNOWN_HOSTS form) and one export line."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    pem = lab.endpoint(host.name).certificate.cert_pem
    sha1 = x509.load_pem_x509_certificate(pem).fingerprint(hashes.SHA1()).hex().upper()
    pin = ":".join(sha1[i : i + 2] for i in range(0, len(sha1), 2))
    address = host.url.split("//", 1)[1].split("/", 1)[0]
    variables = {"GOVC_URL": host.url, "GOVC_USERNAME": host.user, "GOVC_PASSWORD": host.password}
    exports = " ".join(f"{name}={shlex.quote(value)}" for name, value in variables.items())
    return (
        f'# {host.name}: to pin rather than GOVC_INSECURE, a GOVC_TLS_KNOWN_HOSTS line "{address} {pin}"\n'
        f"export {exports} GOVC_INSECURE=1"
    )


def _install_stop_handlers(stop: threading.Event) -> dict[int, Any]:
    def handler(signum: int, frame: Any) -> None:
        stop.set()

    previous: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, handler)
    return previous


def _restore_handlers(previous: dict[int, Any]) -> None:
    for signum, handler in previous.items():
        signal.signal(signum, handler)
