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


def test_the_remedy_starts_its_own_sentence_with_a_capital() -> None:
    from vmesh_tui.vsphere.errors import CertificateUnknown

    error = CertificateUnknown("127.0.0.1", 443, "7f" * 32)
    assert error.remedy.startswith("compare")  # as written: the TUI shows it on a line of its own
    assert "(SHA-256 7F:7F:" in str(error) and "). Compare the fingerprint with the host's console" in str(
        error
    )
