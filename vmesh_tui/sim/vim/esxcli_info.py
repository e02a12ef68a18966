"""What `vim.CLIInfo.FetchCLIInfo` answers for the esxcli namespaces the twin serves.

govc's host.esxcli asks for a namespace's CLI info first (moid ha-dynamic-type-manager-local-cli-cliinfo),
maps its flags onto the method's parameters by their aliases, then calls the command on
ha-cli-handler-<namespace>. The names, aliases and output fields follow ESXi 8's esxcli.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

CLIINFO_MOID = "ha-dynamic-type-manager-local-cli-cliinfo"
CLIINFO_METHOD = "vim.CLIInfo.FetchCLIInfo"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XSD = "http://www.w3.org/2001/XMLSchema"
OBJ_START = f'<obj xmlns:xsd="{XSD}" xmlns:xsi="{XSI}" xmlns="urn:vim25" versionId="5.0"'


@dataclass(frozen=True)
class Param:
    name: str
    aliases: tuple[str, ...]
    help: str
    flag: bool = False


@dataclass(frozen=True)
class Method:
    name: str
    help: str
    params: tuple[Param, ...] = ()
    struct: str = ""  # the output's data object name (fields hint)
    fields: tuple[str, ...] = ()
    formatter: str = "table"


NETSTACK = Param(
    "netstack",
    ("-N", "--netstack"),
    "The network stack instance; if unspecified, use the default netstack instance",
)
NAMESPACES: dict[str, tuple[str, tuple[Method, ...]]] = {
    "network.nic": ("Operations having to do with the configuration of Network Interface Card.", (
        Method("list", "Lists the Physical NICs currently installed and loaded on the system.", (),
               "PhysicalNic", ("Name", "PCI Device", "Driver", "Admin Status", "Link Status", "Speed",
                               "Duplex", "MAC Address", "MTU", "Description")),
    )),
    "network.ip.interface": ("Operations for configuring VMkernel Network Interfaces", (
        Method("list", "List the VMkernel Network Interfaces currently known to the system.", (NETSTACK,),
               "NetworkInterface", ("Name", "MAC Address", "Enabled", "Portset", "Portgroup",
                                    "Netstack Instance", "VDS Name", "VDS UUID", "VDS Port", "VDS Connection",
                                    "Opaque Network ID", "Opaque Network Type", "External ID", "MTU",
                                    "TSO MSS", "RXDispQueue Size", "Port ID"), "simple"),
    )),
    "network.ip.interface.ipv4": ("Operations for configuring IPv4 addresses on VMkernel network "
                                  "interfaces.", (
        Method("get", "Get IPv4 settings for VMkernel Network Interfaces.", (
            Param("interfacename", ("-i", "--interface-name"),
                  "The name of the VMkernel Network Interface to limit the output of this command to."),
            NETSTACK,
        ), "IPv4Interface", ("Name", "IPv4 Address", "IPv4 Netmask", "IPv4 Broadcast", "Address Type",
                             "Gateway", "DHCP DNS")),
    )),
    "network.vswitch.standard": ("Commands to list and manipulate Virtual Standard Switches on an ESX "
                                 "host.", (
        Method("list", "List the Virtual Standard Switches current on the ESX host.", (
            Param("vswitchname", ("-v", "--vswitch-name"),
                  "Limit the output of this command to only virtual switches with the name given."),
        ), "VirtualSwitch", ("Name", "Class", "Num Ports", "Used Ports", "Configured Ports", "MTU",
                             "CDP Status", "Beacon Enabled", "Beacon Interval", "Beacon Threshold",
                             "Beacon Required By", "Uplinks", "Portgroups"), "simple"),
    )),
    "network.diag": ("Operations pertaining to network diagnostics", (
        Method("ping", "Send ICMP echo requests to network hosts.", (
            Param("count", ("-c", "--count"), "Specify the number of packets to send."),
            Param("debug", ("-D", "--debug"), "VMKPing debug mode.", flag=True),
            Param("df", ("-d", "--df"), "Set DF bit on IPv4 packets.", flag=True),
            Param("host", ("-H", "--host"), "Specify the host to send packets to. This parameter is "
                  "required when not executing ping in debug mode (-D)"),
            Param("interface", ("-I", "--interface"), "Specify the outgoing interface."),
            Param("interval", ("-i", "--interval"), "Set the interval for sending packets in seconds."),
            Param("ipv4", ("-4", "--ipv4"), "Ping with ICMPv4 echo requests.", flag=True),
            Param("ipv6", ("-6", "--ipv6"), "Ping with ICMPv6 echo requests.", flag=True),
            NETSTACK,
            Param("nexthop", ("--nexthop",), "Override the system's default route selection, in dotted "
                  "quad notation. (IPv4 only. Requires interface option)"),
            Param("size", ("-s", "--size"), "Set the payload size of the packets to send."),
            Param("ttl", ("-t", "--ttl"), "Set IPv4 Time To Live or IPv6 Hop Limit"),
            Param("wait", ("-W", "--wait"),
                  "Set the timeout to wait if no responses are received in seconds."),
        ), "Ping", (), "simple"),
    )),
}  # fmt: skip


def method_of(namespace: str, name: str) -> Method | None:
    found = NAMESPACES.get(namespace)
    return next((m for m in found[1] if m.name == name), None) if found else None


def _item(name: str, help_text: str, display: str | None = None) -> str:
    return (
        f"<name>{escape(name)}</name><displayName>{escape(display or name)}</displayName>"
        f"<help>{escape(help_text)}</help>"
    )


def _method_xml(method: Method) -> str:
    params = "".join(
        f"<param>{_item(p.name, p.help, p.aliases[-1].lstrip('-'))}"
        + "".join(f"<aliases>{escape(a)}</aliases>" for a in p.aliases)
        + f"<flag>{str(p.flag).lower()}</flag></param>"
        for p in method.params
    )
    hints = [("formatter", method.formatter)]
    if method.fields:
        hints.insert(0, (f"fields:{method.struct}", ",".join(method.fields)))
    hint_xml = "".join(f"<hints><key>{escape(k)}</key><value>{escape(v)}</value></hints>" for k, v in hints)
    return f"<method>{_item(method.name, method.help)}{params}{hint_xml}</method>"


def cli_info(type_name: str) -> str | None:
    """The CLI info document of `type_name` ("vim.EsxCLI.network.nic"), or None when unknown."""
    prefix = "vim.EsxCLI."
    namespace = type_name[len(prefix) :] if type_name.startswith(prefix) else ""
    found = NAMESPACES.get(namespace)
    if found is None:
        return None
    help_text, methods = found
    display = namespace.rsplit(".", 1)[-1]
    body = _item(namespace, help_text, display) + "".join(_method_xml(m) for m in methods)
    return f'{OBJ_START} xsi:type="VimCLIInfo">{body}</obj>'
