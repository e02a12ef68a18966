"""The adapter's error remedies name only what the admin can do: no option that does not exist."""

from __future__ import annotations

import socket

from vmesh_tui.vsphere.faultmap import network_error
from vmesh_tui.vsphere.targets import parse_host_url


def test_a_timeout_says_check_and_try_again_without_a_timeout_option() -> None:
    error = network_error(parse_host_url("https://root@esx-a/sdk"), socket.timeout("timed out"), "logging in")
    assert error.code == "timeout" and "esx-a" in error.message
    assert error.remedy == "check that the host is up and reachable from here, then try again"
    assert "timeout" not in error.remedy  # neither the TUI nor the headless commands have such an option
