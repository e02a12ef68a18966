"""A host's IP routing and DNS as HostNetworkSystem.networkInfo shows them, from its vmks.

Labs name no gateway and no DNS server, so the twin's hosts have neither: `ipRouteConfig` is present
with no default gateway, and each netstack's route table holds one connected route per subnet of its
vmks, through the lowest-numbered vmk in that subnet (the vmk the packet model sends through).
`dnsConfig` is static, with the host name split into host and domain.
"""

from __future__ import annotations

import ipaddress

from pyVmomi import vim

from vmesh_tui.sim.host.state import DEFAULT_NETSTACK, NETSTACKS, NetState

CONGESTION_CONTROL = "newreno"
MAX_CONNECTIONS = 11000


def dns_config(host_name: str) -> vim.host.DnsConfig:
    short, _, domain = host_name.partition(".")
    return vim.host.DnsConfig(
        dhcp=False, hostName=short, domainName=domain, searchDomain=[domain] if domain else []
    )


def routes(state: NetState, netstack: str) -> list[vim.host.IpRouteEntry]:
    """The connected routes of one netstack: per subnet, through its lowest-numbered vmk."""
    seen: set[ipaddress.IPv4Network] = set()
    entries = []
    for vnic in state.vnics_sorted():
        iface = vnic.interface
        if vnic.netstack != netstack or iface is None or iface.network in seen:
            continue
        seen.add(iface.network)
        entries.append(
            vim.host.IpRouteEntry(
                network=str(iface.network.network_address),
                prefixLength=iface.network.prefixlen,
                gateway="0.0.0.0",
                deviceName=vnic.device,
            )
        )
    return entries


def route_table_info(state: NetState) -> vim.host.IpRouteTableInfo:
    return vim.host.IpRouteTableInfo(ipRoute=routes(state, DEFAULT_NETSTACK))


def netstack_instances(state: NetState, host_name: str) -> list[vim.host.NetStackInstance]:
    """The default and vMotion netstacks, each with its DNS, routing and route table."""
    instances = []
    for key in NETSTACKS[:2]:
        default = key == DEFAULT_NETSTACK
        table = [vim.host.IpRouteOp(changeOperation="ignore", route=r) for r in routes(state, key)]
        instances.append(
            vim.host.NetStackInstance(
                key=key,
                name=key if default else None,
                dnsConfig=dns_config(host_name) if default else vim.host.DnsConfig(),
                ipRouteConfig=vim.host.IpRouteConfig(),
                requestedMaxNumberOfConnections=MAX_CONNECTIONS,
                congestionControlAlgorithm=CONGESTION_CONTROL,
                ipV6Enabled=False,
                routeTableConfig=vim.host.IpRouteTableConfig(ipRoute=table) if table else None,
            )
        )
    return instances


def netstack_runtime(state: NetState) -> vim.host.RuntimeInfo.NetworkRuntimeInfo:
    """runtime.networkRuntimeInfo: each netstack with its vmks."""
    runtime = vim.host.RuntimeInfo.NetStackInstanceRuntimeInfo
    return vim.host.RuntimeInfo.NetworkRuntimeInfo(
        netStackInstanceRuntimeInfo=[
            runtime(
                netStackInstanceKey=key,
                state="active",
                vmknicKeys=[v.device for v in state.vnics_sorted() if v.netstack == key],
                maxNumberOfConnections=MAX_CONNECTIONS,
                currentIpV6Enabled=False,
            )
            for key in NETSTACKS[:2]
        ]
    )
