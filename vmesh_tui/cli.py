"""The front door: argparse, then a lazy import of only the part a command needs.

Headless commands never import textual; the TUI is imported only for ``demo`` and the bare command.
Each part registers its own subcommands:
- ``vmesh_tui.sim.command``: ``sim``
- ``vmesh_tui.headless``: ``discover``, ``plan``, ``apply``, ``validate``, ``revert``, ``recover``, ``status``
- ``vmesh_tui.launch``: the TUI (bare command) and ``demo``
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys
from collections.abc import Callable, Sequence

# subcommand -> module that provides ``add_parser(subparsers)`` and ``run(args) -> int``
COMMAND_MODULES: dict[str, str] = {
    "sim": "vmesh_tui.sim.command",
    "discover": "vmesh_tui.headless",
    "plan": "vmesh_tui.headless",
    "apply": "vmesh_tui.headless",
    "validate": "vmesh_tui.headless",
    "revert": "vmesh_tui.headless",
    "recover": "vmesh_tui.headless",
    "status": "vmesh_tui.headless",
    "demo": "vmesh_tui.launch",
}

EXIT_BAD_INPUT = 2

# Commands that serve the twin, whose self-signed certificates need `cryptography` (the [demo] extra);
# talking to real hosts never does.
TWIN_COMMANDS = ("demo", "sim")
DEMO_EXTRA_MISSING = """vmesh-tui {command}: the simulated hosts need the 'cryptography' package, which only
the demo and `vmesh-tui sim` use (real hosts do not). Install the demo extra:
  pip install 'vmesh-tui[demo]'              (from a checkout: pip install -e '.[demo]')
  pipx inject vmesh-tui cryptography         (when installed with pipx)"""


def _module_for(argv: Sequence[str]) -> str:
    first = next((a for a in argv if not a.startswith("-")), None)
    return COMMAND_MODULES.get(first or "", "vmesh_tui.launch")


def build_parser(module_name: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vmesh-tui",
        description="Cable ESXi hosts back to back for multi-NIC, jumbo-frame vMotion, safely.",
    )
    module = importlib.import_module(module_name)
    module.add_arguments(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list in (["--version"], ["-V"]):
        from vmesh_tui.about import version_report

        print(version_report())
        return 0
    if args_list and args_list[0] in ("-h", "--help"):
        print(_overview())
        return 0
    module_name = _module_for(args_list)
    parser = build_parser(module_name)
    args = parser.parse_args(args_list)
    command = getattr(args, "command", None)
    if command in TWIN_COMMANDS and importlib.util.find_spec("cryptography") is None:
        print(DEMO_EXTRA_MISSING.format(command=command), file=sys.stderr)
        return EXIT_BAD_INPUT
    run: Callable[[argparse.Namespace], int] = importlib.import_module(module_name).run
    try:
        return run(args)
    except KeyboardInterrupt:
        print(
            "vmesh-tui: interrupted. Calls still running were given a moment to end; the journal records "
            "every step that ran or may have happened: `vmesh-tui status` shows it, `vmesh-tui revert` "
            "undoes it (or apply again to finish)",
            file=sys.stderr,
        )
        return 130


def _overview() -> str:
    return """usage: vmesh-tui [COMMAND] ...

  vmesh-tui [--host URL ...]   the guided setup (TUI)
  vmesh-tui demo               the TUI on the built-in lab, served by the ESXi twin
  vmesh-tui sim LAB.toml       serve a lab of simulated ESXi hosts (--demo for the built-in lab)
  vmesh-tui discover|plan|apply|validate|revert|recover|status ...   headless, for scripts

Run `vmesh-tui COMMAND --help` for a command's options."""
