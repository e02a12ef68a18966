"""The lab file parser: the LAB_FORMAT.md example, the demo lab, and one test per class of error."""

from __future__ import annotations

from pathlib import Path

import pytest

from vmesh_tui.sim.lab.load import LabError, demo_lab, derived_mac, load_lab, parse_lab
from vmesh_tui.sim.lab.spec import FaultSpec

FORMAT_EXAMPLE = """
[[host]]
name = "esx-a.lab.local"
user = "root"
password = "vmware"
version = "8.0.3"
port = 0

  [[host.nic]]
  device = "vmnic1"
  driver = "igb"
  speed_mb = 1000
  max_mtu = 9000
  mac = "00:50:56:aa:00:01"

  [[host.nic]]
  device = "vmnic0"
  [[host.nic]]
  device = "vmnic4"

  [[host.vswitch]]
  name = "vSwitch0"
  mtu = 1500
  uplinks = ["vmnic0", "vmnic4"]
  standby = []
  cdp = "listen"

    [[host.vswitch.portgroup]]
    name = "Management Network"
    vlan = 0
    active = ["vmnic0"]
    standby = ["vmnic4"]

  [[host.vmk]]
  device = "vmk0"
  portgroup = "Management Network"
  ip = "192.168.10.11/24"
  mtu = 1500
  services = ["management"]
  netstack = "defaultTcpipStack"

[[host]]
name = "esx-b.lab.local"
  [[host.nic]]
  device = "vmnic0"
  [[host.nic]]
  device = "vmnic1"

[[cable]]
a = "esx-a.lab.local/vmnic1"
b = "esx-b.lab.local/vmnic1"

[[switch]]
name = "core"
mtu = 1500
ports = ["esx-a.lab.local/vmnic0", "esx-b.lab.local/vmnic0"]

[[fault]]
host = "esx-b.lab.local"
method = "AddVirtualNic"
nth = 3
kind = "fault"
"""


def test_format_example_parses_into_full_spec() -> None:
    spec = parse_lab(FORMAT_EXAMPLE, "lab.toml")
    a, b = spec.hosts
    assert (a.name, a.user, a.password, a.version, a.port) == (
        "esx-a.lab.local",
        "root",
        "vmware",
        "8.0.3",
        0,
    )
    nic = a.nics[0]
    assert (nic.device, nic.driver, nic.speed_mb, nic.max_mtu, nic.mac) == (
        "vmnic1",
        "igb",
        1000,
        9000,
        "00:50:56:aa:00:01",
    )
    vswitch = a.vswitches[0]
    assert vswitch.uplinks == ("vmnic0", "vmnic4") and vswitch.cdp == "listen" and vswitch.mtu == 1500
    pg = vswitch.portgroups[0]
    assert (pg.name, pg.vlan, pg.active, pg.standby) == ("Management Network", 0, ("vmnic0",), ("vmnic4",))
    vmk = a.vmks[0]
    assert (vmk.device, vmk.ip, vmk.services, vmk.netstack) == (
        "vmk0",
        "192.168.10.11/24",
        ("management",),
        "defaultTcpipStack",
    )
    assert b.user == "root" and b.password == "vmware" and b.version == "8.0.3" and b.vswitches == ()
    assert spec.cables[0].a == "esx-a.lab.local/vmnic1" and spec.switches[0].name == "core"
    assert spec.faults == (FaultSpec("esx-b.lab.local", "AddVirtualNic", 3, "fault", "HostConfigFault", 0.0),)
    assert "vmware" not in repr(a), "the password must not show in reprs (logs)"


def test_mac_is_derived_stably_when_absent() -> None:
    spec = parse_lab(FORMAT_EXAMPLE, "lab.toml")
    b_nic0 = spec.hosts[1].nics[0]
    assert b_nic0.mac == derived_mac("esx-b.lab.local", "vmnic0")
    assert b_nic0.mac.startswith("00:50:56:")
    assert derived_mac("esx-a.lab.local", "vmnic0") != b_nic0.mac


def test_demo_lab_has_two_hosts_of_eight_nics() -> None:
    spec = demo_lab()
    assert [h.name for h in spec.hosts] == ["esx-a.lab.local", "esx-b.lab.local"]
    for host, ip in zip(spec.hosts, ("192.168.10.11/24", "192.168.10.12/24")):
        assert [n.device for n in host.nics] == [f"vmnic{i}" for i in range(8)]
        assert [n.driver for n in host.nics] == ["igb"] * 4 + ["tg3"] * 4
        assert host.vmks[0].ip == ip and host.vmks[0].portgroup == "Management Network"
        assert [v.uplinks for v in host.vswitches] == [("vmnic0", "vmnic4"), ("vmnic3", "vmnic7")]
    assert sorted(c.a.split("/")[1] for c in spec.cables) == ["vmnic1", "vmnic2", "vmnic5", "vmnic6"]
    assert spec.switches[0].mtu == 1500


def test_load_lab_reads_a_file_and_names_a_missing_one(tmp_path: Path) -> None:
    path = tmp_path / "lab.toml"
    path.write_text(FORMAT_EXAMPLE, encoding="utf-8")
    assert load_lab(path).source == str(path)
    with pytest.raises(LabError, match=r"nope\.toml: cannot read the lab file"):
        load_lab(tmp_path / "nope.toml")


def _broken(old: str, new: str) -> str:
    assert old in FORMAT_EXAMPLE
    return FORMAT_EXAMPLE.replace(old, new, 1)


ERROR_CASES = [
    ("[[host]\n", r"lab\.toml: not valid TOML"),
    ("", r"no \[\[host\]\] table"),
    ('[host]\nname = "x"\n', r"write \[\[host\]\]"),
    (
        _broken("speed_mb = 1000", 'speed_mb = 1000\n  colour = "red"'),
        r"host\[1\]\.nic\[1\]: unknown key 'colour'",
    ),
    (_broken("speed_mb = 1000", 'speed_mb = "fast"'), r"host\[1\]\.nic\[1\]: speed_mb must be an integer"),
    (_broken("mtu = 1500\n  uplinks", "mtu = 99999\n  uplinks"), r"host\[1\]\.vswitch\[1\]: mtu = 99999"),
    (_broken('cdp = "listen"', 'cdp = "loud"'), r"vswitch\[1\]: cdp = 'loud' is not one of"),
    (_broken('"192.168.10.11/24"', '"192.168.10.300/24"'), r"host\[1\]\.vmk\[1\]: ip .* not an IPv4"),
    (_broken('"192.168.10.11/24"', '"192.168.10.11"'), r"vmk\[1\]: ip .* with a prefix"),
    (_broken('"192.168.10.11/24"', '"192.168.10.0/24"'), r"vmk\[1\]: .*network or broadcast"),
    (
        _broken('portgroup = "Management Network"', 'portgroup = "Nope"'),
        r"vmk\[1\]: portgroup 'Nope' does not",
    ),
    (_broken('["vmnic0", "vmnic4"]', '["vmnic0", "vmnic9"]'), r"vswitch\[1\]: uplink 'vmnic9' is not a NIC"),
    (_broken('active = ["vmnic0"]', 'active = ["vmnic1"]'), r"portgroup\[1\]: 'vmnic1' .* not an uplink"),
    (_broken('device = "vmnic4"', 'device = "vmnic0"'), r"host\[1\]\.nic\[3\]: duplicate name 'vmnic0'"),
    (_broken('name = "esx-b.lab.local"', 'name = "esx-a.lab.local"'), r"host\[2\]: duplicate host name"),
    (
        _broken('b = "esx-b.lab.local/vmnic1"', 'b = "esx-b.lab.local/vmnic7"'),
        r"cable\[1\]: .*vmnic7' is not a NIC",
    ),
    (_broken('b = "esx-b.lab.local/vmnic1"', 'b = "esx-c/vmnic1"'), r"cable\[1\]: .*host 'esx-c'"),
    (
        _broken('b = "esx-b.lab.local/vmnic1"', 'b = "vmnic1"'),
        r"cable\[1\]: b = 'vmnic1' is not a NIC reference",
    ),
    (
        _broken('"esx-b.lab.local/vmnic0"]', '"esx-b.lab.local/vmnic1"]'),
        r"switch\[1\]: esx-b.lab.local/vmnic1 is already on cable\[1\]",
    ),
    (
        FORMAT_EXAMPLE + '[[cable]]\na = "esx-a.lab.local/vmnic1"\nb = "esx-b.lab.local/vmnic0"\n',
        r"cable\[2\]: esx-a.lab.local/vmnic1 is already on cable\[1\]",
    ),
    (_broken('kind = "fault"', 'kind = "boom"'), r"fault\[1\]: kind"),
    (_broken("nth = 3", 'nth = 3\nfault_type = "Nonsense"'), r"fault\[1\]: fault_type 'Nonsense'"),
    (_broken('host = "esx-b.lab.local"\nmethod', 'host = "esx-z"\nmethod'), r"fault\[1\]: host 'esx-z'"),
    (
        _broken('"AddVirtualNic"', '"AddVirtualNIC"'),
        r"fault\[1\]: method 'AddVirtualNIC' is not a vSphere API",
    ),
    (
        FORMAT_EXAMPLE
        + '[[fault]]\nhost = "esx-b.lab.local"\nmethod = "AddVirtualNic"\nnth = 3\nkind = "lost"\n',
        r"fault\[2\]: esx-b.lab.local/AddVirtualNic/3 already has a fault \(fault\[1\]\)",
    ),
    (_broken('kind = "fault"', 'kind = "delay"'), r'fault\[1\]: kind = "delay" needs delay_s > 0'),
    # a non-ASCII host name (seen: a traceback from the certificate builder) and other non-names
    (
        _broken('name = "esx-b.lab.local"', 'name = "ésx-b.lab.local"'),
        r"host\[2\]: name = 'ésx-b.lab.local' is not a host",
    ),
    (_broken('name = "esx-b.lab.local"', 'name = "esx b"'), r"host\[2\]: name = 'esx b' is not a host name"),
    (
        _broken('name = "esx-b.lab.local"', f'name = "{"x" * 64}.lab"'),
        r"host\[2\]: name = 'x+\.lab' is not a host",
    ),
    (
        _broken('kind = "fault"', 'kind = "delay"\ndelay_s = 0'),
        r'fault\[1\]: kind = "delay" needs delay_s > 0',
    ),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    ERROR_CASES,
    ids=[f"case{i}" for i in range(len(ERROR_CASES))],
)
def test_errors_name_file_table_and_problem(text: str, expected: str) -> None:
    with pytest.raises(LabError, match=expected) as caught:
        parse_lab(text, "lab.toml")
    assert str(caught.value).startswith("lab.toml: ")


def test_nic_on_two_vswitches_is_an_error() -> None:
    text = _broken(
        '  [[host.vmk]]\n  device = "vmk0"',
        '  [[host.vswitch]]\n  name = "vSwitch9"\n  uplinks = ["vmnic4"]\n\n'
        '  [[host.vmk]]\n  device = "vmk0"',
    )
    with pytest.raises(LabError, match=r"host\[1\]\.vswitch\[2\]: vmnic4 is already an uplink of vSwitch0"):
        parse_lab(text, "lab.toml")


def test_a_malformed_password_is_not_echoed() -> None:
    with pytest.raises(LabError, match=r"host\[1\]: password must be a non-empty string") as caught:
        parse_lab(_broken('password = "vmware"', "password = 918273645"), "lab.toml")
    assert "918273645" not in str(caught.value)


def test_fault_defaults_and_delay() -> None:
    text = (
        FORMAT_EXAMPLE
        + '[[fault]]\nhost = "esx-a.lab.local"\nmethod = "AddPortGroup"\nkind = "delay"\ndelay_s = 2\n'
    )
    fault = parse_lab(text, "lab.toml").faults[1]
    assert (fault.nth, fault.kind, fault.delay_s, fault.fault_type) == (1, "delay", 2.0, "HostConfigFault")


def test_one_fault_per_call_counting_an_absent_nth_as_1() -> None:
    twice = '[[fault]]\nhost = "esx-a.lab.local"\nmethod = "AddPortGroup"\n'
    with pytest.raises(LabError, match=r"fault\[3\]: esx-a.lab.local/AddPortGroup/1 already has a fault"):
        parse_lab(FORMAT_EXAMPLE + twice + twice.replace("\n", "\nnth = 1\n", 1), "lab.toml")
    other_calls = (
        twice + '[[fault]]\nhost = "esx-a.lab.local"\nmethod = "AddPortGroup"\nnth = 2\n'
        '[[fault]]\nhost = "esx-b.lab.local"\nmethod = "AddPortGroup"\n'
    )
    assert len(parse_lab(FORMAT_EXAMPLE + other_calls, "lab.toml").faults) == 4


def test_fault_plan_refuses_two_faults_for_one_call() -> None:
    from vmesh_tui.sim.wire.stats import FaultPlan

    specs = [
        FaultSpec("esx-a.lab.local", "AddVirtualNic", 2, "fault"),
        FaultSpec("esx-a.lab.local", "AddVirtualNic", 2, "lost"),
    ]
    with pytest.raises(ValueError, match=r"esx-a.lab.local/AddVirtualNic/2 already has a fault"):
        FaultPlan("esx-a.lab.local", specs)
    assert FaultPlan("esx-b.lab.local", specs).for_call("AddVirtualNic", 2) is None
