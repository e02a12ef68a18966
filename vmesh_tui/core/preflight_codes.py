"""The preflight's finding codes: how several findings of one code read together, and their makers."""

from __future__ import annotations

from vmesh_tui.core.errors import Finding, Severity

# How several findings of one code read together (the reader lists their subjects): {n} is the count.
GROUPS = {
    "host-missing": "{n} cable ends name hosts that were not read",
    "nic-missing": "{n} cable ends name NICs their hosts do not have",
    "nic-in-use": "{n} NICs are uplinks of vSwitches this tool did not create",
    "mtu-slow-nic": "{n} NICs run below 1 Gb/s; such links often do not pass jumbo frames",
    "peer-mtu": "{n} NICs have neighbours reporting an MTU below the planned one",
    "link-down": "{n} NICs have no link",
    "one-sided": "{n} cables have link on one side only",
    "cable-crossed": "{n} NICs hear another peer than their cable names (CDP/LLDP)",
    "speed-mismatch": "{n} cables are set to different speeds at their two ends",
    "speed-unsupported": "{n} NICs cannot run the forced speed",
    "unverified-cable": "{n} cables are assumed from NIC names or by hand, not seen by CDP/LLDP",
    "unverified-applied": "{n} cables are configured by vmesh-tui, not seen by CDP/LLDP",
    "duplicate-nic": "{n} NICs are in two cables",
    "same-host": "{n} cables join a host to itself",
    "not-addressed": "{n} cables have no subnet",
    "other-vmotion-vmk": "{n} other vmks are also tagged for vMotion; vMotion may use them besides the links",
    "foreign-on-owned": "{n} portgroups of yours sit on vSwitches this tool manages",
    "owned-name-foreign": "{n} portgroups are named like this tool's objects but sit on other vSwitches",
    "management-vmk-owned": "{n} management vmks sit on portgroups this tool manages",
}


def error(code: str, subject: str, message: str, remedy: str) -> Finding:
    """A finding that blocks an apply."""
    return Finding(code, Severity.ERROR, message, remedy, subject, GROUPS.get(code, ""))


def warning(code: str, subject: str, message: str, remedy: str) -> Finding:
    """A finding the admin should know before an apply; it does not block."""
    return Finding(code, Severity.WARNING, message, remedy, subject, GROUPS.get(code, ""))
