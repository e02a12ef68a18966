"""The twin tests' small labs as TOML: one host block, and SMALL_LAB (two hosts, a cable, a switch)."""

from __future__ import annotations


def host_toml(name: str, ip: str, password: str = "") -> str:
    """One [[host]] of the small labs: vmnic0-2, vSwitch0 on vmnic0 with the management vmk0 at ``ip``."""
    secret = f'password = "{password}"\n' if password else ""
    return f"""
[[host]]
name = "{name}"
{secret}  [[host.nic]]
  device = "vmnic0"
  [[host.nic]]
  device = "vmnic1"
  [[host.nic]]
  device = "vmnic2"
  [[host.vswitch]]
  name = "vSwitch0"
  uplinks = ["vmnic0"]
    [[host.vswitch.portgroup]]
    name = "Management Network"
  [[host.vmk]]
  device = "vmk0"
  portgroup = "Management Network"
  ip = "{ip}"
  services = ["management"]
"""


SMALL_LAB = (
    host_toml("esx-a.test", "192.168.10.11/24", "secret-a")
    + host_toml("esx-b.test", "192.168.10.12/24", "secret-b")
    + """
[[cable]]
a = "esx-a.test/vmnic1"
b = "esx-b.test/vmnic1"

[[switch]]
name = "core"
ports = ["esx-a.test/vmnic0", "esx-b.test/vmnic0"]
"""
)
