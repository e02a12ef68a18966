"""Network objects of standard portgroups: HostSystem.network, Datacenter.network and the network folder.

A standalone ESXi host shows one Network ("HaNetwork-<portgroup>") per portgroup that VMs can use; a
portgroup that carries a VMkernel NIC is a VMkernel portgroup and has none (govmomi's capture of a real
host lists "VM Network" but not "Management Network", which holds vmk0). They follow the host's
configuration: a new portgroup appears at once, a removed one is gone.
"""

from __future__ import annotations

from typing import Any

from pyVmomi import vim

from vmesh_tui.sim.vim.hostprops import HOST_ID, ref
from vmesh_tui.sim.vim.objects import Inventory, ManagedEntry, mo_array

PREFIX = "HaNetwork-"
FOLDER_ID = "ha-folder-network"


def network_refs(sim: Any) -> Any:
    return mo_array(vim.Network, [ref(vim.Network, PREFIX + name) for name in sim.vm_portgroups()])


def network_entry(sim: Any, moid: str) -> ManagedEntry | None:
    """The Network `moid` names, while its portgroup exists and carries no vmk."""
    name = moid[len(PREFIX) :]
    if not moid.startswith(PREFIX) or name not in sim.vm_portgroups():
        return None
    this = ref(vim.Network, moid)
    return ManagedEntry(
        moid,
        vim.Network,
        {
            "name": lambda: name,
            "parent": lambda: ref(vim.Folder, FOLDER_ID),
            "host": lambda: mo_array(vim.HostSystem, [ref(vim.HostSystem, HOST_ID)]),
            "vm": lambda: mo_array(vim.VirtualMachine, []),
            "summary": lambda: vim.Network.Summary(network=this, name=name, accessible=True),
            "overallStatus": lambda: vim.ManagedEntity.Status.green,
        },
    )


def install(inventory: Inventory) -> None:
    """Serve the Network objects and list them where a host lists its networks."""
    sim = inventory.sim
    inventory.resolvers.append(lambda moid: network_entry(sim, moid))
    for moid in ("ha-datacenter", "ha-compute-res", HOST_ID):
        inventory.entry(moid).props["network"] = lambda: network_refs(sim)
    inventory.entry(FOLDER_ID).props["childEntity"] = lambda: mo_array(
        vim.ManagedEntity, list(network_refs(sim))
    )
