"""Validation: prove every link with don't-fragment pings of the full MTU, both ways, and explain failures.

Per direction (core.validation.ping_checks): a warm-up ping (cold ARP drops the first), then pings of
MTU-28 bytes with df set through the link's vmk; on silence a small ping tells MTU from path problems;
then a routing check without an interface (the peer must answer through exactly one local vmk).
core.validation explains each failure in the admin's terms (link down, cables crossed, MTU too small and
where, addresses sharing a subnet); the engine adds what needs packets or tags: which cable a crossed
NIC really reaches, and a missing vMotion tag.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from vmesh_tui.core.addressing import Link
from vmesh_tui.core.design import DesignOptions
from vmesh_tui.core.model import HostState
from vmesh_tui.core.validation import PingCheck, explain_ping, explain_route, ping_checks
from vmesh_tui.engine import explain
from vmesh_tui.engine.events import Event, done
from vmesh_tui.engine.hostsapi import HostsApi, error_text
from vmesh_tui.engine.results import LinkCheck, ValidationResult
from vmesh_tui.engine.runner import stream

SMALL = 56


@dataclass(frozen=True)
class _Failed:
    """A ping whose call itself failed: counts as no reply, with the adapter's sentence."""

    error: str
    sent: int = 1
    received: int = 0


def _answered(reply: Any) -> bool:
    return not getattr(reply, "error", None) and getattr(reply, "received", 0) > 0


class LinkProber:
    """Runs the pings of one validation; ``ping`` calls block and go to threads."""

    def __init__(self, client: HostsApi, options: DesignOptions, states: Mapping[str, HostState]) -> None:
        self.client = client
        self.options = options
        self.states = states
        self.silent: set[int] = set()  # links with link-up NICs where not even small pings pass

    async def ping(self, check: PingCheck, ip: str, **kwargs: Any) -> Any:
        try:
            return await asyncio.to_thread(
                self.client.ping, check.src_host, ip, netstack=check.netstack, **kwargs
            )
        except Exception as exc:  # a failed call is a failed ping, explained below
            return _Failed(error_text(exc))

    async def direction(self, check: PingCheck) -> list[str]:
        """Problems found in one direction of a link (empty when it passes)."""
        state = self.states.get(check.src_host)
        vmk = state.vmk_on(check.src_portgroup) if state else None
        if state is None or vmk is None or vmk.ip != check.src_ip:
            return [f"{check.src_host} has no vmk with {check.src_ip} on {check.src_portgroup}: run apply"]
        problems = explain.tag_problems(state, vmk, self.options)
        device = vmk.device
        await self.ping(check, check.dst_ip, interface=device, size=SMALL, df=False, count=1)
        big = await self.ping(check, check.dst_ip, interface=device, size=check.size, df=True, count=3)
        if not _answered(big) or big.received < big.sent:
            small = await self.ping(check, check.dst_ip, interface=device, size=SMALL, df=True, count=2)
            why = explain_ping(check, big, self.states, small_ok=_answered(small))
            if why.code == "no-reply":
                self.silent.add(check.link_index)
            if not why.ok:
                problems.append(f"{why.reason} ({why.remedy})")
        route = explain_route(check, self.states)
        if not route.ok:
            problems.append(f"{route.reason} ({route.remedy})")
        elif not problems:
            routed = await self.ping(check, check.dst_ip, size=SMALL, df=True, count=2)
            if not _answered(routed):
                problems.append(explain.unrouted(check.src_host, check.dst_ip, device))
        return problems


async def validate_links(
    client: HostsApi, links: Sequence[Link], options: DesignOptions, states: Mapping[str, HostState]
) -> AsyncIterator[Event]:
    """Validate every link (all directions concurrently); yields ping and link_result events, then done."""
    prober = LinkProber(client, options, states)
    checks = ping_checks(links, states, options)
    queue: asyncio.Queue[Event] = asyncio.Queue()
    checked: dict[int, LinkCheck] = {}
    by_index = {link.index: link for link in links}

    async def direction(check: PingCheck) -> list[str]:
        problems = await prober.direction(check)
        verdict = "ok" if not problems else "failed"
        message = f"{check.src_host} -> {check.dst_ip}, {check.size} bytes: {verdict}"
        data = {
            "link_index": check.link_index,
            "forward": check.src_nic == by_index[check.link_index].cable.a,
            "ok": not problems,
            "src_host": check.src_host,
            "dst_ip": check.dst_ip,
        }
        await queue.put(Event("ping", check.src_host, check.link_index + 1, len(links), message, data))
        return problems

    async def check_link(link: Link) -> None:
        ways = [c for c in checks if c.link_index == link.index]
        found = await asyncio.gather(*(direction(way) for way in ways))
        named = f"link {link.index + 1}: "  # every reader shows the link beside its detail: say it there once
        problems = list(dict.fromkeys(p.removeprefix(named) for group in found for p in group))
        detail = "; ".join(problems) or f"{options.mtu}-byte frames pass both ways, routed through this cable"
        checked[link.index] = LinkCheck(link.index, link.cable.a, link.cable.b, not problems, detail)

    async for event in stream([check_link(link) for link in links], queue):
        yield event
    results = _name_crossings([checked[link.index] for link in links], links, prober.silent)
    for item in results:
        data = {"a": item.a, "b": item.b, "ok": item.ok}
        yield Event("link_result", index=item.index + 1, total=len(links), message=item.detail, data=data)
    ok = bool(results) and all(r.ok for r in results)
    summary = f"{sum(r.ok for r in results)} of {len(results)} links pass"
    yield done(ValidationResult(ok, tuple(results), summary))


def _name_crossings(checks: Sequence[LinkCheck], links: Sequence[Link], silent: set[int]) -> list[LinkCheck]:
    """Two silent links between the same two hosts, NICs up: their cables are swapped. Say which."""
    by_pair: dict[tuple[str, ...], list[Link]] = {}
    for link in links:
        if link.index in silent:
            by_pair.setdefault(tuple(sorted(link.cable.hosts)), []).append(link)
    crossed: dict[int, str] = {}
    for pair in by_pair.values():
        if len(pair) == 2:
            one, other = pair
            for link, swapped in ((one, other), (other, one)):
                crossed[link.index] = explain.crossed(link.cable.a, link.cable.b, swapped.cable.b)
    return [dataclasses.replace(c, detail=crossed[c.index]) if c.index in crossed else c for c in checks]
