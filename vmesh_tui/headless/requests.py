"""The plan options on the command line, checked before any host is contacted, as the engine's PlanRequest."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import Any

from vmesh_tui.core.design import DesignOptions, NicSpeed
from vmesh_tui.core.model import CdpMode
from vmesh_tui.headless import probing
from vmesh_tui.headless.connect import UsageError


def _links(args: argparse.Namespace) -> list[tuple[str, str]]:
    """``--link A=B`` pairs; a NIC named in two of them is refused (it would silently lose one cable)."""
    links: list[tuple[str, str]] = []
    first: dict[str, str] = {}
    for text in args.link:
        a, sep, b = text.partition("=")
        if not sep or not a.strip() or not b.strip():
            raise UsageError(f"--link {text!r} is not HOST/vmnicX=HOST/vmnicY")
        for ref in (a.strip(), b.strip()):
            if ref in first:
                raise UsageError(
                    f"{ref} is in two --link options ({first[ref]} and {text}): a NIC takes one cable; "
                    "drop one of them"
                )
            first[ref] = text
        links.append((a.strip(), b.strip()))
    return links


def _speeds(args: argparse.Namespace) -> list[NicSpeed]:
    speeds = []
    for text in args.speed:
        ref, sep, value = text.partition("=")
        if not sep or not (value.isdigit() or value == "auto"):
            raise UsageError(
                f"--speed {text!r} is not HOST/vmnicN=MB or HOST/vmnicN=auto, e.g. esx-a/vmnic1=1000"
            )
        speeds.append(NicSpeed(ref, None if value == "auto" else int(value)))
    return speeds


def plan_request(args: argparse.Namespace) -> Any:
    """The PlanRequest the plan options describe; CoreError/UsageError on bad values, before connecting."""
    from vmesh_tui.core.addressing import parse_supernet
    from vmesh_tui.engine.planning import PlanRequest

    probing.check_probe_arguments(args)
    links, speeds = _links(args), _speeds(args)
    options = DesignOptions(
        name_prefix=args.name_prefix,
        mtu=args.mtu,
        layout=args.layout,
        netstack=args.netstack,
        cdp=CdpMode(args.cdp),
        nic_speeds=tuple(speeds),
    )
    parse_supernet(args.supernet)  # its syntax, at once: no login to learn of a typo
    hosts = list(getattr(args, "host", []) or [])
    if len(hosts) == 1 and not getattr(args, "vcenter", None):
        raise UsageError(
            f"{args.command} needs two or more hosts to cable: add another --host, or use --vcenter "
            "with --cluster"
        )
    return PlanRequest(args.supernet, args.prefix, options, tuple(links))


def needs_two_hosts(args: argparse.Namespace, observed: Mapping[str, Any]) -> None:
    """A vCenter cluster may hold a single host: say so instead of planning nothing."""
    if len(observed) < 2:
        names = ", ".join(sorted(observed)) or "no host"
        raise UsageError(
            f"{args.command} needs two or more hosts to cable, but only {names} answered; "
            "name another --host, or a cluster with two or more hosts"
        )
