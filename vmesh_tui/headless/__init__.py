"""Headless commands for scripts: discover, plan, apply, validate, revert, recover, status.

``add_arguments(parser)`` registers the subcommands on the top-level parser; ``run(args)`` runs one and
returns its exit code (0 done, 1 failed and rolled back, 2 bad input, 3 validation failed, 4 refused,
including a no at the confirmation prompt, 5 could not connect or read the hosts (nothing changed), 6 failed
with changes left (run revert)).
"""

from __future__ import annotations

from vmesh_tui.headless.arguments import add_arguments
from vmesh_tui.headless.main import run

__all__ = ["add_arguments", "run"]
