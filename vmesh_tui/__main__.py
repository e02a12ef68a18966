"""``python -m vmesh_tui``: the same as the ``vmesh-tui`` console script."""

from vmesh_tui.cli import main

raise SystemExit(main())
