"""A small HTTP service on loopback that goes down and comes back, for the built-in demo.

It gives a newcomer's monitor widget something to watch that changes within
a minute, without reaching the internet.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import socket

from luna.clock import Clock, SystemClock

logger = logging.getLogger(__name__)

# Each phase (up or down) lasts a random time in this range, in seconds.
PHASE_RANGE = (20.0, 40.0)


class DemoService:
    def __init__(self, clock: Clock | None = None, rng: random.Random | None = None) -> None:
        self.clock = clock or SystemClock()
        self.rng = rng or random.Random()
        self.up = True
        self.requests = 0
        # Bound now, so the demo configuration can name the port before the server starts.
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self._server: asyncio.Server | None = None
        self._flipper: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        host, port = self._socket.getsockname()[:2]
        return f"http://{host}:{port}/"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._answer, sock=self._socket)
        self._flipper = asyncio.create_task(self._flip_forever(), name="demo service flips")
        logger.info("demo service listening on %s; it goes down and comes back every 20-40 s", self.url)

    async def stop(self) -> None:
        if self._flipper is not None:
            self._flipper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flipper
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _flip_forever(self) -> None:
        while True:
            await self.clock.sleep(self.rng.uniform(*PHASE_RANGE))
            self.up = not self.up
            logger.debug("demo service is now %s", "up" if self.up else "down")

    async def _answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=5)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError, ConnectionError):
            writer.close()
            return

        self.requests += 1
        if self.up:
            status, body = "200 OK", b"The demo service is up.\n"
        else:
            status, body = "503 Service Unavailable", b"The demo service is down for a while.\n"
        head = f"HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        writer.write(head.encode() + body)
        with contextlib.suppress(ConnectionError):
            await writer.drain()
        writer.close()
