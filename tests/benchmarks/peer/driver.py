"""The Ansible peer: its own venv, an inventory from the twin's hosts and the tool's plan, one playbook run.

The peer makes the same change as `vmesh-tui apply` (the links and addresses of `vmesh-tui plan --json`,
the same object names) with community.vmware's vmware_vswitch, vmware_portgroup and vmware_vmkernel.
It is installed at run time into its own venv, never into the project's environment.
"""

from __future__ import annotations

import ipaddress
import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

if sys.version_info >= (3, 11):
    import tomllib
else:  # the backport on Python 3.9 and 3.10
    import tomli as tomllib

from common import BenchError, ChildRun, TwinHost, run_child  # noqa: E402

PLAYBOOK = HERE / "playbook.yml"
REVERT_PLAYBOOK = HERE / "revert.yml"
PYPROJECT = HERE.parents[2] / "pyproject.toml"
DEFAULT_VENV = Path(os.environ.get("VMESH_PEER_VENV", "/tmp/venv-peer"))
NAME_PREFIX = "vmesh"  # the tool's default prefix, so both sides produce the same objects

# What the peer's modules cannot express, read from their sources (docs/peer-api-calls.md section 7).
PEER_GAPS: tuple[tuple[str, str, str], ...] = (
    ("CDP on link vSwitches", "listen (option: advertise/both)", "no option in vmware_vswitch: host default"),
    ("failover: one active, others unused", "yes", "yes (active_adapters, standby_adapters: [])"),
    ("/30 per cable, pairing, preflight", "computed and checked", "none: addresses hand-written"),
    ("rollback when a step fails", "every completed step undone", "none: half-done change stays"),
    ("validation ping at full MTU", "both ways, every link", "none in these modules"),
    ("reboot recovery (active/standby toggle)", "recover command", "two edited runs by hand"),
    ("sessions per host", "one", "one per task and loop item"),
)


@dataclass
class PeerResult:
    """One playbook run: the child process and what Ansible reported per host."""

    run: ChildRun
    failures: list[str] = field(default_factory=list)
    changed: dict[str, int] = field(default_factory=dict)
    changed_by_task: dict[str, int] = field(default_factory=dict)  # task name -> loop items it changed

    @property
    def ok(self) -> bool:
        return self.run.returncode == 0 and not self.failures


def ensure_venv(venv: Path = DEFAULT_VENV) -> Path:
    """The peer's venv with ansible 11 and pyVmomi, created once (a few minutes) and then reused."""
    python = venv / "bin" / "python"
    ready = python.exists() and (venv / "bin" / "ansible-playbook").exists()
    if ready and _imports(python, "pyVmomi", "requests", "ansible_collections.community.vmware"):
        return venv
    base = os.environ.get("VMESH_PEER_PYTHON", "python3")
    steps = (
        [base, "-m", "venv", str(venv)],
        [str(python), "-m", "pip", "install", "-q", *peer_requirements()],
    )
    for argv in steps:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=900)
        if done.returncode != 0:
            raise BenchError(
                f"could not set up the Ansible peer in {venv} ({' '.join(argv[:3])} failed: "
                f"{done.stderr.strip()[-300:]}); check network access to PyPI or set VMESH_PEER_VENV"
            )
    return venv


def peer_requirements() -> list[str]:
    """The `peer` extra of pyproject.toml (ansible 11, requests) plus pyVmomi, which the modules import."""
    extras = tomllib.loads(PYPROJECT.read_text())["project"]["optional-dependencies"]
    return [*extras["peer"], "pyvmomi"]


def _imports(python: Path, *modules: str) -> bool:
    code = "; ".join(f"import {m}" for m in modules)
    return subprocess.run([str(python), "-c", code], capture_output=True).returncode == 0


def links_per_host(plan_doc: Mapping[str, Any], prefix: str = NAME_PREFIX) -> dict[str, list[dict[str, str]]]:
    """The tool's planned links as the peer's per-host work: vSwitch, portgroup, NIC, IP, mask."""
    per_host: dict[str, list[dict[str, str]]] = {}
    for link in plan_doc["links"]:
        number = link["index"]
        mask = str(ipaddress.ip_network(link["subnet"]).netmask)
        for end, ip in ((link["a"], link["a_ip"]), (link["b"], link["b_ip"])):
            host, nic = end.split("/", 1)
            per_host.setdefault(host, []).append(
                {
                    "vswitch": f"{prefix}-{number}",
                    "portgroup": f"{prefix}-vmotion-{number}",
                    "nic": nic,
                    "ip": ip,
                    "mask": mask,
                }
            )
    return per_host


def write_inventory(
    path: Path,
    hosts: Sequence[TwinHost],
    work: Mapping[str, list[dict[str, str]]],
    venv: Path,
    mtu: int = 9000,
) -> Path:
    """The inventory (JSON is YAML) in the shape of peer/inventory.template.yml."""
    entries = {
        h.name: {
            "ansible_connection": "local",
            "ansible_python_interpreter": str(venv / "bin" / "python"),
            "esxi_address": h.address,
            "esxi_port": h.port,
            "esxi_user": h.user,
            "peer_mtu": mtu,
            "peer_links": work.get(h.name, []),
        }
        for h in hosts
    }
    path.write_text(json.dumps({"all": {"children": {"esxi": {"hosts": entries}}}}, indent=2))
    return path


def peer_env(workdir: Path, venv: Path, password: str) -> dict[str, str]:
    """Environment for ansible-playbook: the password in VMWARE_PASSWORD, JSON output, private dirs."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    env.update(
        PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
        VMWARE_PASSWORD=password,
        ANSIBLE_STDOUT_CALLBACK="ansible.posix.json",
        ANSIBLE_HOME=str(workdir / "ansible-home"),
        ANSIBLE_LOCAL_TEMP=str(workdir / "ansible-tmp"),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_DEPRECATION_WARNINGS="False",
        ANSIBLE_RETRY_FILES_ENABLED="False",
        ANSIBLE_HOST_KEY_CHECKING="False",
        ANSIBLE_CONFIG=str(workdir / "ansible.cfg"),
    )
    return env


def run_playbook(
    hosts: Sequence[TwinHost],
    plan_doc: Mapping[str, Any],
    password: str,
    workdir: Path,
    venv: Path,
    playbook: Path = PLAYBOOK,
) -> PeerResult:
    """Run a peer playbook (the change or its revert) against the twin's hosts; Ansible's verdict per host."""
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "ansible.cfg").write_text("[defaults]\n")
    inventory = write_inventory(workdir / "inventory.json", hosts, links_per_host(plan_doc), venv)
    argv = [str(venv / "bin" / "ansible-playbook"), "-i", str(inventory), str(playbook)]
    run = run_child(argv, peer_env(workdir, venv, password), workdir, timeout_s=900)
    result = PeerResult(run)
    try:
        report = json.loads(run.stdout[run.stdout.index("{") :])
    except ValueError:
        result.failures.append(f"ansible-playbook exit {run.returncode}: {run.stderr.strip()[-500:]}")
        return result
    result.changed = {h: s.get("changed", 0) for h, s in report.get("stats", {}).items()}
    result.changed_by_task = _changed_by_task(report)
    result.failures.extend(_failures(report))
    return result


def _changed_by_task(report: Mapping[str, Any]) -> dict[str, int]:
    """Per task, how many loop items (over all hosts) Ansible reported as changed."""
    counts: dict[str, int] = {}
    for play in report.get("plays", []):
        for task in play.get("tasks", []):
            name = task.get("task", {}).get("name", "?")
            items = [i for o in task.get("hosts", {}).values() for i in (o.get("results") or [o])]
            counts[name] = counts.get(name, 0) + sum(1 for i in items if i.get("changed"))
    return counts


def _failures(report: Mapping[str, Any]) -> list[str]:
    found = []
    for play in report.get("plays", []):
        for task in play.get("tasks", []):
            name = task.get("task", {}).get("name", "?")
            for host, outcome in task.get("hosts", {}).items():
                items = outcome.get("results") or [outcome]
                for item in items:
                    if item.get("failed") or item.get("unreachable"):
                        detail = item.get("msg") or item.get("module_stderr") or "failed"
                        found.append(f"{host}: {name}: {str(detail).strip()[-400:]}")
    return found
