"""govmomi, VMware's Go SDK (Debian's sources, unmodified), against the twin and against vcsim.

The battery (tests/govmomi/*.go, built by build.sh) uses the library as govc does and prints one JSON
line per check. On the twin every check passes, on two different labs; on vcsim -esx exactly the checks
docs/twin-model.md lists fail (the table is read from the page, so the page and this test agree).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import socket
import ssl
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.govmomi.conftest import BATTERY
from tests.vsphere.conftest import VCSIM_PASSWORD, start_vcsim

TWIN_MODEL = Path(__file__).parents[2] / "docs" / "twin-model.md"
VCSIM_SECTION = "## govmomi against vcsim"

CHECKS = (
    "session.govmomi_new_client", "tls.thumbprint_pinned_login", "tls.wrong_thumbprint_refused",
    "session.invalid_login_fault", "session.current_session_anonymous_unset", "session.current_session_user",
    "service_content.about_host_agent", "service_content.search_index",
    "finder.default_datacenter", "finder.default_host", "finder.host_by_path", "finder.host_not_found",
    "inventory.path_from_parents", "search_index.find_by_inventory_path", "search_index.find_child",
    "host.config_manager_references", "inventory.network_objects",
    "vswitch.add_mtu_read_back", "vswitch.update_mtu_read_back", "vswitch.duplicate_already_exists",
    "vswitch.uplink_in_use_fault", "vswitch.remove_missing_not_found",
    "portgroup.add_failover_order_read_back", "portgroup.update_failover_order_read_back",
    "portgroup.policy_objects_where_not_overridden", "portgroup.duplicate_already_exists",
    "portgroup.network_object_follows", "portgroup.remove_missing_not_found",
    "vmk.add_read_back", "vmk.update_ip_mtu_read_back", "vmk.vmotion_select_deselect",
    "vmk.missing_portgroup_not_found", "vmk.second_on_portgroup_already_exists",
    "hint.query_network_hint",
    "collector.single_references_typed", "collector.container_view_hosts", "collector.create_destroy",
    "collector.create_filter_invalid_property", "collector.wait_for_updates_sees_change",
    "collector.cancel_wait_for_updates",
    "esxcli.cli_info", "esxcli.network_nic_list", "esxcli.network_ip_interface_list",
    "esxcli.network_ip_interface_ipv4_get", "esxcli.network_vswitch_standard_list",
    "esxcli.network_diag_ping", "esxcli.network_diag_ping_unanswered", "esxcli.ping_error_in_result",
    "esxcli.unknown_namespace_fault",
    "portgroup.remove_with_vmk_in_use", "vmk.remove_read_back", "portgroup.remove_read_back",
    "vswitch.remove_read_back",
    "host.reboot_outside_maintenance_invalid_state", "host.enter_maintenance_mode",
    "host.reboot_in_maintenance_mode", "host.exit_maintenance_mode",
    "session.logout_not_authenticated", "session.logout_current_session_unset",
)  # fmt: skip

# A lab unlike the demo: another version, 10 GbE NICs with other names, management on two uplinks with
# a failover override and a VLAN, a VM portgroup with VLAN 4095, and a vmk on the vMotion netstack.
OTHER_LAB = """
[[host]]
name = "branch-esx1.corp.example"
password = "Branch-Secret-1"
version = "7.0.3"
  [[host.nic]]
  device = "vmnic0"
  driver = "ixgben"
  speed_mb = 10000
  [[host.nic]]
  device = "vmnic1"
  driver = "ixgben"
  speed_mb = 10000
  [[host.nic]]
  device = "vmnic2"
  driver = "i40en"
  speed_mb = 10000
  [[host.nic]]
  device = "vmnic3"
  driver = "i40en"
  speed_mb = 10000
  [[host.vswitch]]
  name = "vSwitch0"
  mtu = 1500
  uplinks = ["vmnic0", "vmnic1"]
  cdp = "both"
    [[host.vswitch.portgroup]]
    name = "Management Network"
    vlan = 20
    active = ["vmnic0"]
    standby = ["vmnic1"]
    [[host.vswitch.portgroup]]
    name = "VM Trunk"
    vlan = 4095
    [[host.vswitch.portgroup]]
    name = "vMotion-A"
    vlan = 30
  [[host.vmk]]
  device = "vmk0"
  portgroup = "Management Network"
  ip = "10.20.0.11/24"
  services = ["management"]
  [[host.vmk]]
  device = "vmk1"
  portgroup = "vMotion-A"
  ip = "10.30.0.11/24"
  mtu = 9000
  netstack = "vmotion"

[[host]]
name = "branch-esx2.corp.example"
  [[host.nic]]
  device = "vmnic0"
  speed_mb = 10000
  [[host.vswitch]]
  name = "vSwitch0"
  uplinks = ["vmnic0"]
    [[host.vswitch.portgroup]]
    name = "Management Network"

[[cable]]
a = "branch-esx1.corp.example/vmnic2"
b = "branch-esx2.corp.example/vmnic0"
"""


@pytest.fixture
def battery(govmomi_built: None) -> Path:
    return BATTERY


def sha1_pin(url: str, sha256: str) -> str:
    """The certificate's SHA-1 in govc's thumbprint form, after checking it is the announced SHA-256."""
    parts = urlsplit(url)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    address = (parts.hostname or "127.0.0.1", parts.port or 443)
    with socket.create_connection(address, timeout=10) as raw, context.wrap_socket(raw) as tls:
        der = tls.getpeercert(binary_form=True)
    assert der is not None, "no certificate"
    assert hashlib.sha256(der).hexdigest() == sha256.lower(), "the certificate is not the one announced"
    digest = hashlib.sha1(der).hexdigest().upper()  # the thumbprint form govmomi 0.24 pins
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def run_battery(binary: Path, url: str, user: str, password: str, sha256: str) -> dict[str, dict[str, Any]]:
    """Run the whole battery against one endpoint: check name -> {"ok", "detail"}."""
    command = [str(binary), "-url", url, "-user", user, "-sha1", sha1_pin(url, sha256)]
    return _battery_results(command, {"GOVMOMI_BATTERY_PASSWORD": password})


def _battery_results(command: list[str], env: dict[str, str]) -> dict[str, dict[str, Any]]:
    done = subprocess.run(command, capture_output=True, text=True, timeout=280, env={**os.environ, **env})
    assert done.returncode == 0, done.stderr
    results = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    names = [r["name"] for r in results]
    assert names == list(CHECKS), "the battery's checks changed: update CHECKS and docs/twin-model.md"
    return {r["name"]: r for r in results}


def failures(results: dict[str, dict[str, Any]]) -> dict[str, str]:
    return {name: r["detail"] for name, r in results.items() if not r["ok"]}


@pytest.fixture
def served_lab(tmp_path: Path) -> Iterator[Any]:
    """serve(lab_path or None for --demo) -> hosts of `vmesh-tui sim --json`, run as its own process."""
    processes: list[subprocess.Popen[str]] = []

    def serve(lab: Path | None, shown: str = "--json") -> Any:
        source = ["--demo"] if lab is None else [str(lab)]
        process = subprocess.Popen(
            [sys.executable, "-m", "vmesh_tui", "sim", *source, shown],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        processes.append(process)
        assert process.stdout is not None
        if shown == "--govc":  # comment and export lines per host, up to "# Serving ..."
            return list(iter(process.stdout.readline, "# Serving; press Ctrl+C to stop.\n"))
        line = process.stdout.readline()
        assert line, process.stderr.read() if process.stderr else "vmesh-tui sim did not start"
        return json.loads(line)["hosts"]

    yield serve
    for process in processes:
        process.terminate()
        process.wait(timeout=20)


def test_twin_demo_lab_passes_every_check(battery: Path, served_lab: Any) -> None:
    host = served_lab(None)[0]
    results = run_battery(battery, host["url"], host["user"], host["password"], host["thumbprint"])
    assert len(results) >= 30
    assert failures(results) == {}


def test_twin_other_lab_passes_every_check(battery: Path, served_lab: Any, tmp_path: Path) -> None:
    """Pointed at the twin as README says for govc: the GOVC_* variables `vmesh-tui sim --govc` prints."""
    lab = tmp_path / "branch.toml"
    lab.write_text(OTHER_LAB)
    comment, export = served_lab(lab, "--govc")[:2]
    assert comment.startswith("# branch-esx1.corp.example: ") and export.startswith("export ")
    env = dict(item.split("=", 1) for item in shlex.split(export)[1:])
    assert set(env) == {"GOVC_URL", "GOVC_USERNAME", "GOVC_PASSWORD", "GOVC_INSECURE"}
    pin = comment.rsplit(" ", 1)[1].strip('"\n')
    results = _battery_results([str(battery), "-sha1", pin], env)
    assert failures(results) == {}


def documented_vcsim_failures() -> dict[str, str]:
    """The checks docs/twin-model.md says fail on vcsim, with the reason given there."""
    text = TWIN_MODEL.read_text()
    assert VCSIM_SECTION in text, f"{TWIN_MODEL} has no section {VCSIM_SECTION!r}"
    section = text.split(VCSIM_SECTION, 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([a-z0-9_.]+)` \| (.+?) \|$", section, flags=re.MULTILINE)
    return dict(rows)


def test_vcsim_fails_exactly_the_documented_checks(battery: Path) -> None:
    vcsim = start_vcsim("esx")
    try:
        results = run_battery(battery, vcsim.url, "root", VCSIM_PASSWORD, vcsim.thumbprint)
    finally:
        vcsim.stop()
    documented = documented_vcsim_failures()
    assert set(documented) <= set(CHECKS), "docs/twin-model.md names checks the battery does not have"
    found = failures(results)
    assert set(found) == set(documented), {
        "fail on vcsim but are not documented": sorted(set(found) - set(documented)),
        "documented but pass on vcsim": sorted(set(documented) - set(found)),
    }
    assert not misexplained(found, documented), misexplained(found, documented)


def misexplained(found: dict[str, str], documented: dict[str, str]) -> dict[str, tuple[str, str]]:
    """Failures whose detail contradicts the page: "Not run" where the check ran, or "MethodNotFound"
    where vcsim answered something else (the battery prints "not run: ..." and vcsim "does not implement")."""
    wrong = {}
    for name, reason in documented.items():
        detail = found[name]
        skipped = reason.startswith("Not run") != detail.startswith("not run: ")
        missing = reason.startswith("MethodNotFound") and "does not implement" not in detail
        if skipped or missing:
            wrong[name] = (reason, detail)
    return wrong
