"""Against vcsim (the independent reference): discovery, login faults, unsupported calls."""

from __future__ import annotations

import http.client
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pyVmomi import SoapStubAdapter, vim, vmodl

from tests.hostview.reader import Endpoint, read_endpoint
from tests.vsphere.conftest import VCSIM_PASSWORD, Vcsim, start_vcsim
from vmesh_tui.core.model import CdpMode, Portgroup, Vmk, VSwitch
from vmesh_tui.core.steps import Action, Step
from vmesh_tui.vsphere.client import HostsClient
from vmesh_tui.vsphere.errors import (
    AuthFailed,
    ClusterNotFound,
    HostUnavailable,
    NotSupported,
    NotVSphere,
    StepFailed,
    VSphereError,
)
from vmesh_tui.vsphere.hostread import list_clusters
from vmesh_tui.vsphere.knownhosts import KnownHosts
from vmesh_tui.vsphere.session import Session, fault_error
from vmesh_tui.vsphere.targets import parse_host_url, vcenter_target

pytestmark = pytest.mark.vcsim


def _known(tmp_path: Path) -> KnownHosts:
    return KnownHosts(tmp_path / "known_hosts")


def test_vcenter_cluster_hosts_map_to_host_state(vcsim_vc: Vcsim, tmp_path: Path) -> None:
    target = vcenter_target(vcsim_vc.url_for(), "DC0_C0")
    client = HostsClient.connect([target], VCSIM_PASSWORD, _known(tmp_path), accept_new=True)
    try:
        assert sorted(client.host_names()) == ["DC0_C0_H0", "DC0_C0_H1"]
        states = client.read_all()
    finally:
        client.close()
    assert sorted(states) == ["DC0_C0_H0", "DC0_C0_H1"]
    for state in states.values():
        assert state.version.startswith("6.")
        assert state.boot_time is not None
        assert [(p.device, p.speed_mb, p.link_up) for p in state.pnics] == [
            ("vmnic0", 10000, True),
            ("vmnic1", 10000, True),
        ]
        assert state.vswitch("vSwitch0") == VSwitch(
            "vSwitch0", 1500, ("vmnic0",), ("vmnic0",), (), CdpMode.LISTEN, 128
        )
        management = state.portgroup("Management Network")
        assert management == Portgroup(
            "Management Network", "vSwitch0", 0, ("vmnic0",), (), "loadbalance_srcid"
        )
        vm_network = state.portgroup("VM Network")
        assert vm_network is not None and not vm_network.has_override
        vmk0 = state.vmk("vmk0")
        assert vmk0 is not None and vmk0.portgroup == "Management Network"
        assert vmk0.services == frozenset({"management"})
        assert state.uplink_owner("vmnic1") is None


def test_esx_host_maps_to_host_state(vcsim_esx: Vcsim, tmp_path: Path) -> None:
    client = HostsClient.connect(
        [parse_host_url(vcsim_esx.url_for())], VCSIM_PASSWORD, _known(tmp_path), True
    )
    try:
        (name,) = client.host_names()
        state = client.read_all()[name]
    finally:
        client.close()
    assert [p.device for p in state.pnics] == ["vmnic0", "vmnic1"]
    assert [v.name for v in state.vswitches] == ["vSwitch0"]
    assert state.vmk_on("Management Network") == state.vmk("vmk0")


def test_wrong_password_is_a_clear_error_without_the_password(vcsim_esx: Vcsim, tmp_path: Path) -> None:
    with pytest.raises(AuthFailed) as caught:
        HostsClient.connect([parse_host_url(vcsim_esx.url_for())], "not-the-password", _known(tmp_path), True)
    text = str(caught.value)
    assert "user name or password" in text and "root" in text
    assert "not-the-password" not in text and "not-the-password" not in repr(caught.value.args)


def test_unknown_cluster_names_the_existing_ones(vcsim_vc: Vcsim, tmp_path: Path) -> None:
    target = vcenter_target(vcsim_vc.url_for(), "Production")
    with pytest.raises(ClusterNotFound) as caught:
        HostsClient.connect([target], VCSIM_PASSWORD, _known(tmp_path), accept_new=True)
    assert "'Production'" in str(caught.value) and "DC0_C0" in str(caught.value)


def test_vcenter_given_as_an_esxi_host_is_refused(vcsim_vc: Vcsim, tmp_path: Path) -> None:
    with pytest.raises(NotVSphere, match="is a vCenter"):
        HostsClient.connect([parse_host_url(vcsim_vc.url_for())], VCSIM_PASSWORD, _known(tmp_path), True)


def test_steps_vcsim_implements_and_those_it_does_not(vcsim_vc: Vcsim, tmp_path: Path) -> None:
    client = HostsClient.connect(
        [vcenter_target(vcsim_vc.url_for(), "DC0_C0")], VCSIM_PASSWORD, _known(tmp_path), True
    )
    host = "DC0_C0_H1"
    switch = VSwitch("vmesh-1", 9000, ("vmnic1",), ("vmnic1",), (), CdpMode.LISTEN)
    group = Portgroup("vmesh-1", "vmesh-1", 0, ("vmnic1",), (), "failover_explicit")
    vmk = Vmk("", "vmesh-1", "10.99.0.1", 30, 9000, frozenset({"vmotion"}))
    start = _names_on(vcsim_vc, host)
    assert "vmesh-1" not in start["vswitches"] and "vmesh-1" not in start["portgroups"]
    try:
        assert client.run_step(Step(host, Action.ADD, None, switch)) is None
        assert _names_on(vcsim_vc, host)["vswitches"] == [*start["vswitches"], "vmesh-1"]
        assert client.run_step(Step(host, Action.ADD, None, group)) is None
        added = _names_on(vcsim_vc, host)
        assert added["portgroups"] == [*start["portgroups"], "vmesh-1"]
        with pytest.raises(StepFailed) as duplicate:
            client.run_step(Step(host, Action.ADD, None, group))
        assert duplicate.value.fault_type == "DuplicateName"
        assert "add_portgroup 'vmesh-1' on DC0_C0_H1" in str(duplicate.value)
        with pytest.raises(NotSupported) as unsupported:
            client.run_step(Step(host, Action.ADD, None, vmk))
        assert unsupported.value.fault_type == "MethodNotFound"
        assert unsupported.value.step is not None and unsupported.value.step.kind == "add_vmk"
        assert _names_on(vcsim_vc, host) == added  # the refused calls changed nothing
        with pytest.raises(NotSupported):
            client.ping(host, "10.99.0.2")
        client.run_step(Step(host, Action.REMOVE, group, None))
        assert _names_on(vcsim_vc, host)["portgroups"] == start["portgroups"]
        client.run_step(Step(host, Action.REMOVE, switch, None))
        assert _names_on(vcsim_vc, host) == start
        with pytest.raises(StepFailed) as gone:
            client.run_step(Step(host, Action.REMOVE, switch, None))
        assert gone.value.fault_type == "NotFound"
    finally:
        client.close()


def _names_on(sim: Vcsim, host_name: str) -> dict[str, list[str]]:
    """vSwitches, portgroups and vmks of one host, in the host's order, as the independent reader
    (tests/hostview: stock pyVmomi on HostNetworkSystem.networkInfo, which vcsim keeps current) sees them."""
    view = read_endpoint(Endpoint(sim.url, "root", VCSIM_PASSWORD, "DC0_C0"))[host_name]
    return {kind: list(view[kind]) for kind in ("vswitches", "portgroups", "vmks")}


def test_host_in_maintenance_mode_is_a_clear_error(tmp_path: Path) -> None:
    sim = start_vcsim("vc")  # its own instance: this test changes the inventory
    try:
        known = _known(tmp_path)
        target = vcenter_target(sim.url_for(), "DC0_C0")
        admin = Session(target, VCSIM_PASSWORD, known, accept_new=True).open()
        hosts = list_clusters(admin.content)["DC0_C0"]
        hosts[0].EnterMaintenanceMode_Task(timeout=0)
        deadline = time.monotonic() + 5
        while not hosts[0].runtime.inMaintenanceMode and time.monotonic() < deadline:
            time.sleep(0.05)
        admin.close()
        with pytest.raises(HostUnavailable, match="DC0_C0_H0 is in maintenance mode") as caught:
            HostsClient.connect([target], VCSIM_PASSWORD, known)
        assert "exit maintenance mode" in caught.value.remedy
    finally:
        sim.stop()


def test_two_endpoints_with_one_host_name_are_refused(tmp_path: Path) -> None:
    first, second = start_vcsim("esx"), start_vcsim("esx")  # both call themselves localhost.localdomain
    try:
        targets = [parse_host_url(first.url_for()), parse_host_url(second.url_for())]
        with pytest.raises(VSphereError, match=r"same host name 'localhost\.localdomain'"):
            HostsClient.connect(targets, VCSIM_PASSWORD, _known(tmp_path), accept_new=True)
    finally:
        first.stop()
        second.stop()


def _wait_for(predicate: Callable[[], object], seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.05)


def test_a_host_removed_after_connect_is_host_unavailable_not_a_raw_fault(tmp_path: Path) -> None:
    sim = start_vcsim("vc")  # its own instance: this test removes a host
    try:
        known = _known(tmp_path)
        target = vcenter_target(sim.url_for(), "DC0_C0")
        client = HostsClient.connect([target], VCSIM_PASSWORD, known, accept_new=True)
        try:
            client.read_all()  # serves the connect read; the next read asks vcsim again
            admin = Session(target, VCSIM_PASSWORD, known).open()
            host = next(h for h in list_clusters(admin.content)["DC0_C0"] if h.name == "DC0_C0_H0")
            host.EnterMaintenanceMode_Task(timeout=0)
            _wait_for(lambda: host.runtime.inMaintenanceMode)
            task = host.Destroy_Task()
            _wait_for(lambda: task.info.state in ("success", "error"))
            assert task.info.state == "success"
            admin.close()
            with pytest.raises(HostUnavailable) as caught:
                client.read_all()
            with pytest.raises(HostUnavailable) as refreshing:
                client.handle("DC0_C0_H0").refresh_network()
        finally:
            client.close()
    finally:
        sim.stop()
    for error in (caught.value, refreshing.value):
        assert "DC0_C0_H0" in error.message and "removed" in error.message
        assert error.remedy == "discover again"
        assert error.__cause__ is None and "vmodl" not in str(error)


def test_other_read_faults_become_clear_errors(tmp_path: Path) -> None:
    target = vcenter_target("https://admin@vc.example:443", "DC0_C0")
    denied = fault_error(
        target,
        vim.fault.NoPermission(msg="denied", privilegeId="Host.Config.Network", object=None),
        "reading the hosts",
    )
    assert isinstance(denied, AuthFailed) and denied.code == "auth-failed"  # the CLI's exit code 2
    assert "Host.Config.Network" in denied.message and "'admin'" in denied.message
    assert "Host.Config.Network" in denied.remedy
    other = fault_error(target, vmodl.fault.InvalidArgument(msg="bad spec"), "reading the hosts")
    assert type(other) is VSphereError
    assert other.message.startswith("InvalidArgument: bad spec") and other.remedy


def test_connect_and_read_all_through_a_vcenter_cost_five_requests_and_a_hint_per_host(
    vcsim_vc: Vcsim, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Counted on the client: every SOAP call passes the stub's InvokeMethod (or InvokeAccessor for a
    property fetch), and the version check is one GET of vimServiceVersions.xml."""
    sent: list[str] = []
    invoke, fetch, request = (
        SoapStubAdapter.InvokeMethod,
        SoapStubAdapter.InvokeAccessor,
        http.client.HTTPConnection.request,
    )

    def counting_invoke(stub: Any, mo: Any, info: Any, args: Any, outerStub: Any = None) -> Any:
        sent.append(info.wsdlName)
        return invoke(stub, mo, info, args, outerStub)

    def counting_fetch(stub: Any, mo: Any, info: Any) -> Any:
        sent.append(f"Fetch {info.name}")
        return fetch(stub, mo, info)

    def counting_request(conn: Any, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        if method == "GET":
            sent.append(f"GET {url}")
        return request(conn, method, url, *args, **kwargs)

    target = vcenter_target(vcsim_vc.url_for(), "DC0_C0")
    known = _known(tmp_path)
    # pin the certificate first: trust on first use makes one more TLS handshake (which sends nothing)
    HostsClient.connect([target], VCSIM_PASSWORD, known, accept_new=True).close()
    monkeypatch.setattr(SoapStubAdapter, "InvokeMethod", counting_invoke)
    monkeypatch.setattr(SoapStubAdapter, "InvokeAccessor", counting_fetch)
    monkeypatch.setattr(http.client.HTTPConnection, "request", counting_request)
    client = HostsClient.connect([target], VCSIM_PASSWORD, known)
    try:
        states = client.read_all()
        counted = list(sent)
    finally:
        client.close()
    assert sorted(states) == ["DC0_C0_H0", "DC0_C0_H1"]
    hints = [name for name in counted if name == "QueryNetworkHint"]
    others = [name for name in counted if name != "QueryNetworkHint"]
    assert len(hints) == len(states)  # one hint per host
    assert sorted(others) == sorted(
        [
            "GET /sdk/vimServiceVersions.xml",
            "RetrieveServiceContent",
            "Login",
            "RetrievePropertiesEx",  # the clusters
            "RetrievePropertiesEx",  # the cluster's hosts, served again by read_all
        ]
    )
    assert len(others) <= 5
