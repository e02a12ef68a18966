"""Network latency for the benchmarks: a TCP relay that holds every response back by a round-trip time.

The twin answers on loopback in microseconds; real hosts sit behind a network and hostd. With `run.py
--rtt-ms N` every client talks to the twin through this relay, which forwards bytes untouched (TLS stays
end to end) and delays the first bytes of each answer by N ms: each request, TLS handshake and new
connection then costs what it costs over a real link, so request and session counts show in wall time.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterable


class LatencyRelay:
    """One listening port on 127.0.0.1 per upstream port; stop() closes them all."""

    def __init__(self, upstream_ports: Iterable[int], rtt_s: float) -> None:
        self.rtt_s = rtt_s
        self.upstream_ports = list(upstream_ports)
        self.ports: dict[int, int] = {}  # upstream port -> relay port
        self._loop = asyncio.new_event_loop()
        self._servers: list[asyncio.Server] = []
        self._thread = threading.Thread(target=self._loop.run_forever, name="latency-relay", daemon=True)

    def start(self) -> dict[int, int]:
        self._thread.start()
        for upstream in self.upstream_ports:
            server = asyncio.run_coroutine_threadsafe(self._listen(upstream), self._loop).result(timeout=10)
            self._servers.append(server)
            self.ports[upstream] = server.sockets[0].getsockname()[1]
        return self.ports

    def stop(self) -> None:
        async def close_all() -> None:
            for server in self._servers:
                server.close()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        if self._thread.is_alive():
            asyncio.run_coroutine_threadsafe(close_all(), self._loop).result(timeout=10)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)

    async def _listen(self, upstream: int) -> asyncio.Server:
        async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await self._relay(reader, writer, upstream)

        return await asyncio.start_server(accept, "127.0.0.1", 0)

    async def _relay(
        self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter, upstream: int
    ) -> None:
        try:
            server_r, server_w = await asyncio.open_connection("127.0.0.1", upstream)
        except (
            OSError
        ):  # the host is down (rebooting): the client sees a closed connection, as over a network
            client_w.close()
            return
        asked = asyncio.Event()  # the client sent something the server has not begun to answer

        async def upstream_leg() -> None:
            while data := await client_r.read(65536):
                asked.set()
                server_w.write(data)
                await server_w.drain()
            server_w.close()

        async def downstream_leg() -> None:
            while data := await server_r.read(65536):
                if asked.is_set():
                    asked.clear()
                    await asyncio.sleep(self.rtt_s)
                client_w.write(data)
                await client_w.drain()
            client_w.close()

        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(upstream_leg(), downstream_leg(), return_exceptions=True)
        for writer in (client_w, server_w):
            writer.close()
