"""Where the Textual CSS lives: inside the installed package, else in the checkout's styles/ folder."""

from __future__ import annotations

from pathlib import Path

STYLE_FILES = ("base.tcss", "wizard.tcss", "cabling.tcss", "operations.tcss")


def styles_dir() -> Path:
    """The folder holding the .tcss files.

    The wheel force-includes styles/ as vmesh_tui/styles; an editable install or a checkout keeps them at
    the repository root, next to the package.
    """
    package_dir = Path(__file__).resolve().parent.parent
    installed = package_dir / "styles"
    if installed.is_dir():
        return installed
    return package_dir.parent / "styles"


def css_paths() -> list[Path]:
    """The stylesheets the app loads, in order (base first, so screen families can refine it)."""
    folder = styles_dir()
    missing = [name for name in STYLE_FILES if not (folder / name).is_file()]
    if missing:
        raise FileNotFoundError(
            f"vmesh-tui styles missing from {folder}: {', '.join(missing)}; reinstall the package"
        )
    return [folder / name for name in STYLE_FILES]
