"""Against the twin: request budget, pinning before Login, re-login after a reboot, esxcli ping."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from tests.vsphere.twinhelp import connect_twin, requests_of, twin_targets
from vmesh_tui.core.model import CdpMode, VSwitch
from vmesh_tui.core.steps import Action, Step
from vmesh_tui.vsphere.client import HostsClient
from vmesh_tui.vsphere.errors import CertificateChanged, Unreachable
from vmesh_tui.vsphere.knownhosts import KnownHosts

A, B = "esx-a.lab.local", "esx-b.lab.local"


def test_connect_and_discovery_cost_at_most_five_requests_per_host(twin: Any, tmp_path: Path) -> None:
    client = connect_twin(twin, tmp_path)
    try:
        states = client.read_all()
    finally:
        counts = requests_of(twin)
        client.close()
    assert sorted(states) == [A, B]
    assert states[A].pnic("vmnic0") is not None and states[A].vmk("vmk0") is not None
    for host in (A, B):
        soap = counts[host]
        # + 1 GET /sdk/vimServiceVersions.xml per host, which is not a SOAP method
        assert sum(soap.values()) + 1 <= 5, soap
        assert soap.get("RetrievePropertiesEx") == 1 and soap.get("QueryNetworkHint", 0) <= 1
        assert soap.get("Login") == 1 and "Fetch" not in soap


def test_changed_certificate_is_refused_before_login(twin: Any, tmp_path: Path) -> None:
    known = KnownHosts(tmp_path / "known_hosts")
    for target in twin_targets(twin):
        known.remember(target.address, target.port, "0f" * 32)
    with pytest.raises(CertificateChanged):
        HostsClient.connect(twin_targets(twin), twin.hosts[0].password, known, accept_new=True)
    for host in (A, B):
        assert requests_of(twin).get(host, {}).get("Login", 0) == 0
        assert sum(requests_of(twin).get(host, {}).values()) == 0


def test_after_the_host_restarts_the_next_read_logs_in_again(twin: Any, tmp_path: Path) -> None:
    client = connect_twin(twin, tmp_path)
    try:
        booted = client.read_all()[A].boot_time
        twin.reboot(A)  # ends every session of esx-a and restarts its endpoint on the same port
        after = client.read_all()
    finally:
        client.close()
    assert after[A].boot_time is not None and booted is not None and after[A].boot_time > booted
    assert requests_of(twin)[A].get("Login") == 2
    assert requests_of(twin)[B].get("Login") == 1


def test_a_change_right_after_a_restart_is_not_mistaken_for_a_lost_reply(twin: Any, tmp_path: Path) -> None:
    client = connect_twin(twin, tmp_path)
    switch = VSwitch("vmesh-3", 9000, ("vmnic5",), ("vmnic5",), (), CdpMode.LISTEN)
    sent: list[str] = []
    try:
        client.read_all()
        stub = client.handle(A).session.stub
        invoke = stub.InvokeMethod

        def counting(mo: Any, info: Any, args: Any, outerStub: Any = None) -> Any:
            sent.append(info.wsdlName)
            return invoke(mo, info, args, outerStub)

        stub.InvokeMethod = counting  # counts what the client sends (the twin counts what it accepts)
        twin.reboot(A)  # the pooled keep-alive connection to esx-a is now dead
        client.run_step(Step(A, Action.ADD, None, switch))
        state = client.read_all()[A]
    finally:
        client.close()
    assert state.vswitch("vmesh-3") == switch
    # the first AddVirtualSwitch met the ended session (NotAuthenticated); the one after Login applied it
    assert sent.count("AddVirtualSwitch") == 2 and sent.index("Login") > sent.index("AddVirtualSwitch")
    # the twin counts only calls that pass its session check: the applied one
    assert requests_of(twin)[A].get("AddVirtualSwitch") == 1 and requests_of(twin)[A].get("Login") == 2


def test_an_expired_session_is_renewed_once(twin: Any, tmp_path: Path) -> None:
    client = connect_twin(twin, tmp_path)
    try:
        client.read_all()
        session = client.handle(A).session
        session.content.sessionManager.Logout()  # as if vCenter's idle timeout had ended it
        states = client.read_all()  # NotAuthenticated -> log in again -> read again
    finally:
        client.close()
    assert sorted(states) == [A, B]
    assert requests_of(twin)[A].get("Login") == 2 and requests_of(twin)[B].get("Login") == 1


def test_threads_that_all_find_the_session_gone_log_in_once(twin: Any, tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from vmesh_tui.vsphere.hostread import read_hosts_from_root

    client = connect_twin(twin, tmp_path)
    try:
        session = client.handle(A).session
        session.content.sessionManager.Logout()
        with ThreadPoolExecutor(max_workers=4) as pool:
            reads = list(
                pool.map(lambda _: session.call(lambda: read_hosts_from_root(session.content)), range(8))
            )
    finally:
        client.close()
    assert [raw.name for found in reads for raw in found] == [A] * 8
    assert requests_of(twin)[A].get("Login") == 2


def test_reboot_through_the_api_then_carry_on(twin: Any, tmp_path: Path) -> None:
    client = connect_twin(twin, tmp_path)
    try:
        booted = client.read_all()[A].boot_time
        client.reboot(A)
        deadline = time.monotonic() + 5
        while True:
            try:
                after = client.read_all()
                break
            except Unreachable:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
    finally:
        client.close()
    assert after[A].boot_time is not None and booted is not None and after[A].boot_time > booted
    served = requests_of(twin)[A]
    assert served.get("RebootHost_Task") == 1
    assert served.get("EnterMaintenanceMode_Task") == served.get("ExitMaintenanceMode_Task") == 1
    assert twin.endpoint(A).sim.in_maintenance is False, "back out of maintenance mode after the reboot"
    assert served.get("Login") == 2
