"""The headless commands' argparse definitions (the contract in DESIGN.md "Headless commands")."""

from __future__ import annotations

import argparse

from vmesh_tui.headless.probing import add_probe_arguments

DEFAULT_DEADLINE_S = 1800.0


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 1 <= value <= 86_400:
        raise argparse.ArgumentTypeError(f"{text} is out of range: use 1 to 86400 seconds")
    return value


HOSTS_HELP = "an ESXi host as https://USER@ADDR[:PORT]/sdk (repeat for each host)"


def _hosts(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("hosts")
    group.add_argument("--host", action="append", default=[], metavar="URL", help=HOSTS_HELP)
    group.add_argument("--vcenter", metavar="URL", help="a vCenter as https://USER@ADDR[:PORT]/sdk")
    group.add_argument("--cluster", metavar="NAME", help="the vCenter cluster whose hosts to use")
    group.add_argument(
        "--deadline",
        type=_seconds,
        default=DEFAULT_DEADLINE_S,
        metavar="SECONDS",
        help=f"stop the whole command after SECONDS (default {DEFAULT_DEADLINE_S:.0f}); each call to a host"
        " has its own deadline of 20 s",
    )
    group.add_argument(
        "--accept-new-certs",
        action="store_true",
        help="trust hosts whose certificate is not pinned yet, and pin it (a changed one is always refused)",
    )


def _json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON document on stdout")


def _yes(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")


def _plan_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--supernet", required=True, metavar="CIDR", help="e.g. 172.31.250.0/24")
    parser.add_argument("--prefix", type=int, choices=(30, 31), default=30, help="subnet size per link")
    parser.add_argument("--mtu", type=int, default=9000, help="MTU of the vSwitches and vmks (default 9000)")
    parser.add_argument("--layout", choices=("per-link", "shared"), default="per-link")
    parser.add_argument("--netstack", choices=("default", "vmotion"), default="default")
    parser.add_argument("--name-prefix", default="vmesh", help="prefix of the objects the tool creates")
    parser.add_argument(
        "--cdp",
        choices=("none", "listen", "advertise", "both"),
        default="listen",
        help="CDP on link vSwitches",
    )
    parser.add_argument(
        "--link",
        action="append",
        default=[],
        metavar="HOST/vmnicX=HOST/vmnicY",
        help="use exactly these cables instead of the detected ones (repeat)",
    )
    add_probe_arguments(parser)
    parser.add_argument(
        "--speed",
        action="append",
        default=[],
        metavar="HOST/vmnicN=MB|auto",
        help="force a link NIC's speed (full duplex), or back to auto-negotiate (repeat)",
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the headless subcommands to the top-level parser."""
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    discover = sub.add_parser("discover", help="read the hosts: NICs and proposed cables")
    _hosts(discover)
    _json(discover)
    add_probe_arguments(discover)
    discover.add_argument("--name-prefix", default="vmesh", help="prefix of the objects the tool creates")

    plan = sub.add_parser("plan", help="show what apply would change")
    _hosts(plan)
    _plan_options(plan)
    output = plan.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    output.add_argument("--esxcli", action="store_true", help="print the equivalent esxcli commands per host")

    apply = sub.add_parser("apply", help="plan, then change the hosts (journaled, rolled back on failure)")
    _hosts(apply)
    _plan_options(apply)
    _yes(apply)
    _json(apply)
    apply.add_argument(
        "--confirm-timeout",
        type=float,
        metavar="SECONDS",
        help="commit-confirmed: validate after applying, again every 2 s, and revert by itself unless "
        "every link passes within SECONDS",
    )

    for name, text in (
        ("validate", "ping every link of the applied configuration, both ways, at full MTU"),
        ("revert", "undo what the journal says the tool did on these hosts"),
        ("recover", "after a reboot or failing links: toggle the failover order, validate again"),
    ):
        command = sub.add_parser(name, help=text)
        _hosts(command)
        if name != "validate":
            _yes(command)
        _json(command)

    status = sub.add_parser("status", help="what was applied where, from the journals")
    _json(status)
