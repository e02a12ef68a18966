"""esxcli's read commands on what the twin models, answered from the host's networkInfo.

`network nic list`, `network ip interface list`, `network ip interface ipv4 get`, `network vswitch
standard list`: each answers an ArrayOfDataObject whose fields are the CLI info's field names without
spaces, as ESXi serializes them (govc prints them as a table).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from xml.sax.saxutils import escape

from pyVmomi import vim

from vmesh_tui.sim.vim.esxcli_info import OBJ_START, method_of

Row = dict[str, "str | list[str]"]
_DESCRIPTIONS = {
    "igb": "Intel Corporation 82580 Gigabit Network Connection",
    "tg3": "Broadcom Corporation NetXtreme BCM5719 Gigabit Ethernet",
    "ixgben": "Intel(R) 82599 10 Gigabit Dual Port Network Connection",
    "i40en": "Intel(R) Ethernet Controller X710 for 10GbE SFP+",
}


class CommandError(Exception):
    """An esxcli error, answered inside the result (not as a SOAP fault)."""


def _document(namespace: str, method: str, rows: list[Row]) -> str:
    info = method_of(namespace, method)
    struct = info.struct if info is not None else "Result"
    kind = "VimEsxCLI" + namespace.replace(".", "") + method + struct
    objects = []
    for row in rows:
        fields = []
        for name, value in row.items():
            for item in value if isinstance(value, list) else [value]:
                fields.append(f"<{name}>{escape(item)}</{name}>")
        objects.append(f'<DataObject xsi:type="{kind}">{"".join(fields)}</DataObject>')
    return f'{OBJ_START} xsi:type="ArrayOfDataObject">{"".join(objects)}</obj>'


def _nic_mtus(info: vim.host.NetworkInfo) -> dict[str, int]:
    """A NIC runs at its vSwitch's MTU; a NIC on no vSwitch at 1500."""
    mtus: dict[str, int] = {}
    for vs in info.vswitch or []:
        for key in vs.pnic or []:
            mtus[key] = vs.mtu or 1500
    return mtus


def nic_list(info: vim.host.NetworkInfo, args: dict[str, str]) -> list[Row]:
    mtus = _nic_mtus(info)
    rows: list[Row] = []
    for p in info.pnic or []:
        link = p.linkSpeed
        driver = str(p.driver or "")
        rows.append({
            "AdminStatus": "Up", "Description": _DESCRIPTIONS.get(driver, f"{driver} network adapter"),
            "Driver": driver, "Duplex": "Full" if link is None or link.duplex else "Half",
            "LinkStatus": "Up" if link else "Down",
            "MACAddress": p.mac or "", "MTU": str(mtus.get(str(p.key), 1500)), "Name": p.device,
            "PCIDevice": p.pci or "", "Speed": str(link.speedMb if link else 0),
        })  # fmt: skip
    return rows


def _netstack_filter(args: dict[str, str]) -> Callable[[Any], bool]:
    wanted = args.get("netstack")
    return lambda v: wanted is None or (v.spec.netStackInstanceKey or "defaultTcpipStack") == wanted


def interface_list(info: vim.host.NetworkInfo, args: dict[str, str]) -> list[Row]:
    vswitch_of = {pg.spec.name: pg.spec.vswitchName for pg in info.portgroup or []}
    keep = _netstack_filter(args)
    rows: list[Row] = []
    for v in info.vnic or []:
        if not keep(v):
            continue
        rows.append({
            "Name": v.device, "MACAddress": v.spec.mac or "", "Enabled": "true",
            "Portset": vswitch_of.get(v.portgroup, ""), "Portgroup": v.portgroup or "",
            "NetstackInstance": v.spec.netStackInstanceKey or "defaultTcpipStack",
            "VDSName": "N/A", "VDSUUID": "N/A", "VDSPort": "N/A", "VDSConnection": "-1",
            "OpaqueNetworkID": "N/A", "OpaqueNetworkType": "N/A", "ExternalID": "N/A",
            "MTU": str(v.spec.mtu), "TSOMSS": "65535", "RXDispQueueSize": "2",
            "PortID": (v.port or "").rsplit("-", 1)[-1],
        })  # fmt: skip
    return rows


def ipv4_get(info: vim.host.NetworkInfo, args: dict[str, str]) -> list[Row]:
    keep = _netstack_filter(args)
    wanted = args.get("interfacename")
    vnics = [v for v in info.vnic or [] if keep(v) and (wanted is None or v.device == wanted)]
    if wanted is not None and not vnics:
        raise CommandError(f"Unable to find vmknic {wanted}")
    rows: list[Row] = []
    for v in vnics:
        ip = v.spec.ip
        address, mask = (ip.ipAddress or "", ip.subnetMask or "") if ip else ("", "")
        rows.append({
            "Name": v.device, "IPv4Address": address, "IPv4Netmask": mask,
            "IPv4Broadcast": _broadcast(address, mask), "AddressType": "DHCP" if ip and ip.dhcp else "STATIC",
            "Gateway": "0.0.0.0", "DHCPDNS": "false",
        })  # fmt: skip
    return rows


def _broadcast(address: str, mask: str) -> str:
    try:
        a = [int(x) for x in address.split(".")]
        m = [int(x) for x in mask.split(".")]
    except ValueError:
        return ""
    if len(a) != 4 or len(m) != 4:
        return ""
    return ".".join(str(x | (~y & 255)) for x, y in zip(a, m))


def vswitch_list(info: vim.host.NetworkInfo, args: dict[str, str]) -> list[Row]:
    wanted = args.get("vswitchname")
    rows: list[Row] = []
    for vs in info.vswitch or []:
        if wanted is not None and vs.name != wanted:
            continue
        bridge = vs.spec.bridge
        cdp = getattr(getattr(bridge, "linkDiscoveryProtocolConfig", None), "operation", None) or "down"
        rows.append({
            "Name": vs.name, "Class": "cswitch", "NumPorts": str(vs.numPorts),
            "UsedPorts": str(vs.numPorts - (vs.numPortsAvailable or 0)),
            "ConfiguredPorts": str(vs.spec.numPorts),
            "MTU": str(vs.mtu), "CDPStatus": cdp, "BeaconEnabled": "false",
            "BeaconInterval": str(getattr(getattr(bridge, "beacon", None), "interval", 1) or 1),
            "BeaconThreshold": "3", "BeaconRequiredBy": "",
            "Uplinks": list(getattr(bridge, "nicDevice", None) or []),
            "Portgroups": [key.split("PortGroup-", 1)[-1] for key in vs.portgroup or []],
        })  # fmt: skip
    return rows


COMMANDS: dict[tuple[str, str], Callable[[vim.host.NetworkInfo, dict[str, str]], list[Row]]] = {
    ("network.nic", "list"): nic_list,
    ("network.ip.interface", "list"): interface_list,
    ("network.ip.interface.ipv4", "get"): ipv4_get,
    ("network.vswitch.standard", "list"): vswitch_list,
}


def run(sim: Any, namespace: str, method: str, args: dict[str, str]) -> str | None:
    """The response document of one command, or None when the twin has no such command."""
    command = COMMANDS.get((namespace, method))
    if command is None:
        return None
    return _document(namespace, method, command(sim.network_info(), args))
