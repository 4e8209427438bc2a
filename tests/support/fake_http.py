"""A scriptable HTTP server on 127.0.0.1 standing in for a monitored service or an API."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass


@dataclass
class Reply:
    status: int = 200
    body: bytes = b"ok"
    content_type: str = "text/plain"
    delay: float = 0.0


class FakeHTTP:
    """Answers every request from `replies[path]` (or `default`); tests change them as they go."""

    def __init__(self) -> None:
        self.default = Reply()
        self.replies: dict[str, Reply] = {}
        self.requests: list[str] = []
        self._server: asyncio.Server | None = None

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the fake server is not started")
        return self._server.sockets[0].getsockname()[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    async def start(self) -> FakeHTTP:
        self._server = await asyncio.start_server(self._answer, "127.0.0.1", 0)
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def __aenter__(self) -> FakeHTTP:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def _answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()
            return

        path = head.split(b" ", 2)[1].decode() if head.count(b" ") >= 2 else "/"
        self.requests.append(path)
        reply = self.replies.get(path.split("?", 1)[0], self.default)
        if reply.delay:
            await asyncio.sleep(reply.delay)

        status_line = f"HTTP/1.1 {reply.status} Status\r\n"
        headers = f"Content-Type: {reply.content_type}\r\nContent-Length: {len(reply.body)}\r\nConnection: close\r\n\r\n"
        writer.write(status_line.encode() + headers.encode() + reply.body)
        with contextlib.suppress(ConnectionError):
            await writer.drain()
        writer.close()
