"""vmesh-tui: cable ESXi hosts back to back for multi-NIC, jumbo-frame vMotion, safely."""

__version__ = "0.1.0"
