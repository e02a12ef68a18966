"""The screens: the wizard's steps in order, plus status and recovery."""

from __future__ import annotations


def wizard_steps(read_only: bool) -> list[type]:
    """The wizard's screen classes in order; read-only mode has no Apply step."""
    from vmesh_tui.tui.screens.addressing import AddressingScreen
    from vmesh_tui.tui.screens.apply import ApplyScreen
    from vmesh_tui.tui.screens.cabling import CablingScreen
    from vmesh_tui.tui.screens.connect import ConnectScreen
    from vmesh_tui.tui.screens.discover import DiscoverScreen
    from vmesh_tui.tui.screens.preview import PreviewScreen
    from vmesh_tui.tui.screens.validate import ValidateScreen

    steps: list[type] = [ConnectScreen, DiscoverScreen, CablingScreen, AddressingScreen, PreviewScreen]
    if not read_only:
        steps.append(ApplyScreen)
    return [*steps, ValidateScreen]
