"""Validation: prove every link with don't-fragment pings of the full MTU, both ways, and explain failures.

Per direction: a warm-up ping (cold ARP drops the first), then pings of MTU-28 bytes with df set through
the link's vmk; then a routing check without an interface (the peer must answer through exactly one local
vmk). Failures are explained in the admin's terms: link down, cables crossed (which), MTU too small
(where), addresses sharing a subnet, no vMotion tag.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from vmesh_tui.core.addressing import Link
from vmesh_tui.core.design import DesignOptions
from vmesh_tui.core.model import VMOTION_NETSTACK, HostState, Vmk, split_ref
from vmesh_tui.engine import explain
from vmesh_tui.engine.events import Event, done
from vmesh_tui.engine.hostsapi import HostsApi, error_text
from vmesh_tui.engine.results import LinkCheck, ValidationResult

SMALL = 56


@dataclass(frozen=True)
class Direction:
    link: Link
    src_ref: str
    src_ip: str
    dst_ref: str
    dst_ip: str

    @property
    def src_host(self) -> str:
        return split_ref(self.src_ref)[0]


def _answered(reply: Any) -> bool:
    return reply is not None and not getattr(reply, "error", None) and getattr(reply, "received", 0) > 0


class LinkProber:
    """Runs the pings of one validation; ``ping`` calls are blocking and go to threads."""

    def __init__(self, client: HostsApi, options: DesignOptions, states: Mapping[str, HostState]) -> None:
        self.client = client
        self.options = options
        self.states = states
        self.netstack = VMOTION_NETSTACK if options.netstack == "vmotion" else None
        self.size = options.mtu - 28

    async def ping(self, host: str, ip: str, **kwargs: Any) -> Any:
        try:
            return await asyncio.to_thread(self.client.ping, host, ip, netstack=self.netstack, **kwargs)
        except Exception as exc:  # a failed call is a failed ping, explained below
            return _Failed(error_text(exc))

    async def direction(self, way: Direction, links: Sequence[Link]) -> list[str]:
        """Problems found in one direction of a link (empty when it passes)."""
        state = self.states.get(way.src_host)
        vmk = _vmk_with_ip(state, way.src_ip)
        if state is None or vmk is None:
            return [f"{way.src_host} has no vmk with {way.src_ip}: the change is not applied (run apply)"]
        problems = explain.config_problems(state, vmk, way.dst_ip, self.options)
        await self.ping(way.src_host, way.dst_ip, interface=vmk.device, size=SMALL, df=False, count=1)
        big = await self.ping(
            way.src_host, way.dst_ip, interface=vmk.device, size=self.size, df=True, count=3
        )
        if not _answered(big):
            small = await self.ping(way.src_host, way.dst_ip, interface=vmk.device, size=SMALL, count=2)
            if _answered(small):
                problems.append(explain.mtu_problem(self.states, way.src_ref, way.dst_ref, big, self.size))
            else:
                problems.append(await self._no_path(way, vmk, links))
        routed = await self.ping(way.src_host, way.dst_ip, size=SMALL, df=True, count=2)
        if not _answered(routed) and not problems:
            problems.append(explain.routing_problem(state, way.dst_ip, vmk))
        return problems

    async def _no_path(self, way: Direction, vmk: Vmk, links: Sequence[Link]) -> str:
        down = explain.link_down(self.states, (way.src_ref, way.dst_ref))
        if down:
            return down
        for other in links:
            for ref, ip in ((other.cable.a, other.a_ip), (other.cable.b, other.b_ip)):
                if ref == way.dst_ref or split_ref(ref)[0] == way.src_host:
                    continue
                reply = await self.ping(way.src_host, ip, interface=vmk.device, size=SMALL, df=False, count=1)
                if _answered(reply):
                    return explain.crossed(way.src_ref, way.dst_ref, ref)
        return f"{way.src_ref} gets no answer from {way.dst_ip}: check the cable to {way.dst_ref}"


@dataclass(frozen=True)
class _Failed:
    error: str
    received: int = 0


def _vmk_with_ip(state: HostState | None, ip: str) -> Vmk | None:
    return None if state is None else next((v for v in state.vmks if v.ip == ip), None)


async def validate_links(
    client: HostsApi, links: Sequence[Link], options: DesignOptions, states: Mapping[str, HostState]
) -> AsyncIterator[Event]:
    """Validate every link (directions concurrently); yields link_result events then done."""
    prober = LinkProber(client, options, states)

    async def check(link: Link) -> LinkCheck:
        ways = (
            Direction(link, link.cable.a, link.a_ip, link.cable.b, link.b_ip),
            Direction(link, link.cable.b, link.b_ip, link.cable.a, link.a_ip),
        )
        found = await asyncio.gather(*(prober.direction(way, links) for way in ways))
        problems = list(dict.fromkeys(p for group in found for p in group))
        detail = "; ".join(problems) or f"{options.mtu}-byte frames pass both ways, routed through this cable"
        return LinkCheck(link.index, link.cable.a, link.cable.b, not problems, detail)

    checks = await asyncio.gather(*(check(link) for link in links))
    for item in checks:
        yield Event(
            "link_result",
            index=item.index + 1,
            total=len(links),
            message=item.detail,
            data={"a": item.a, "b": item.b, "ok": item.ok},
        )
    ok = bool(checks) and all(c.ok for c in checks)
    message = f"{sum(c.ok for c in checks)} of {len(checks)} links pass"
    yield done(ValidationResult(ok, tuple(checks), message))
