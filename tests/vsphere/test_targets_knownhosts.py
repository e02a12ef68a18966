"""Host URLs and the known-hosts file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from vmesh_tui.vsphere.errors import CertificateChanged, VSphereError
from vmesh_tui.vsphere.knownhosts import KnownHosts, default_known_hosts_path
from vmesh_tui.vsphere.targets import parse_host_url, vcenter_target


@pytest.mark.parametrize(
    ("url", "user", "address", "port"),
    [
        ("https://root@esx-a.lab.local/sdk", "root", "esx-a.lab.local", 443),
        ("esx-b:8443", "root", "esx-b", 8443),
        ("https://admin%40corp@10.0.0.5:443/sdk", "admin@corp", "10.0.0.5", 443),
        ("https://[fd00::5]:9443/sdk", "root", "fd00::5", 9443),
    ],
)
def test_parse_host_url(url: str, user: str, address: str, port: int) -> None:
    target = parse_host_url(url)
    assert (target.user, target.address, target.port, target.cluster) == (user, address, port, None)
    assert parse_host_url(target.url) == target


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://root:pw@esx-a/sdk", "contains a password"),
        ("http://esx-a/sdk", "must be https"),
        ("https://esx-a/api", "path must be /sdk"),
        ("https://esx-a:99999/sdk", "port"),
        ("", "empty"),
    ],
)
def test_bad_host_urls_say_why(url: str, problem: str) -> None:
    with pytest.raises(VSphereError, match=problem) as caught:
        parse_host_url(url)
    assert caught.value.code == "bad-target" and "pw" not in caught.value.message.replace(url, "")


def test_vcenter_target_needs_a_cluster() -> None:
    target = vcenter_target("https://vc.lab.local/sdk", " Cluster A ")
    assert (target.cluster, target.user, target.is_vcenter) == (
        "Cluster A",
        "administrator@vsphere.local",
        True,
    )
    with pytest.raises(VSphereError, match="no cluster"):
        vcenter_target("https://vc.lab.local/sdk", "  ")


def test_known_hosts_round_trip_and_atomic_rewrite(tmp_path: Path) -> None:
    path = tmp_path / "config" / "known_hosts"
    known = KnownHosts(path)
    assert known.get("esx-a", 443) is None
    known.remember("ESX-A", 443, "AA:" * 31 + "AA")
    known.remember("fd00::1", 443, "bb" * 32)
    assert known.get("esx-a", 443) == "aa" * 32
    assert KnownHosts(path).get("fd00::1", 443) == "bb" * 32
    assert known.get("esx-a", 8443) is None
    known.remember("esx-a", 443, "cc" * 32)
    lines = [line for line in path.read_text().splitlines() if not line.startswith("#")]
    assert lines == [f"[fd00::1]:443 {'bb' * 32}", f"esx-a:443 {'cc' * 32}"]
    assert sorted(os.listdir(path.parent)) == [".known_hosts.lock", "known_hosts"]  # no temp files left
    assert known.forget("esx-a", 443) and not known.forget("esx-a", 443)
    with pytest.raises(ValueError, match="not a SHA-256"):
        known.remember("esx-a", 443, "1234")


def test_default_path_follows_vmesh_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("VMESH_HOME", str(tmp_path))
    assert default_known_hosts_path() == tmp_path / "config" / "known_hosts"


def test_changed_certificate_names_the_line_as_the_file_writes_it(tmp_path: Path) -> None:
    known = KnownHosts(tmp_path / "known_hosts")
    known.remember("fd00::5", 443, "aa" * 32)
    lines = known.path.read_text(encoding="utf-8").splitlines()
    (pinned,) = [line.split()[0] for line in lines if not line.startswith("#")]
    assert pinned == "[fd00::5]:443"
    changed = CertificateChanged("fd00::5", 443, "aa" * 32, "bb" * 32, str(known.path))
    assert f"remove the line '{pinned}' from {known.path}" in changed.remedy
    assert "[fd00::5]:443 has changed" in changed.message
    ipv4 = CertificateChanged("10.0.0.5", 443, "aa" * 32, "bb" * 32)
    assert "remove the line '10.0.0.5:443' from the known-hosts file" in ipv4.remedy


def test_ipv6_endpoints_print_in_brackets() -> None:
    target = parse_host_url("https://root@[fd00::5]:9443/sdk")
    assert target.endpoint == "[fd00::5]:9443" and target.url == "https://root@[fd00::5]:9443/sdk"
    assert parse_host_url("esx-a:8443").endpoint == "esx-a:8443"
