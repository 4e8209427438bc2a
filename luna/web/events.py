"""`GET /api/events`: the Server-Sent Events stream, written as a plain ASGI endpoint.

Plain ASGI rather than a Starlette response keeps the per-client cost to one
subscriber queue and two small tasks, and lets the stream be flushed message
by message: nothing here buffers or compresses.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from urllib.parse import parse_qs

from starlette.types import Receive, Scope, Send

from luna.events.subscriber import Subscriber
from luna.runtime import Runtime

logger = logging.getLogger(__name__)

# A client whose socket accepts nothing for this long is treated as gone.
SEND_TIMEOUT = 30.0

STREAM_HEADERS = [
    (b"content-type", b"text/event-stream; charset=utf-8"),
    # no-transform asks proxies and CDNs not to compress or rewrite the stream.
    (b"cache-control", b"no-cache, no-transform"),
    # nginx buffers proxied responses unless told otherwise.
    (b"x-accel-buffering", b"no"),
    (b"x-content-type-options", b"nosniff"),
]


class EventStream:
    def __init__(self, runtime: Runtime, send_timeout: float = SEND_TIMEOUT) -> None:
        self.runtime = runtime
        self.send_timeout = send_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self.runtime.dashboard.config.server.events.enabled:
            await _json(send, 404, {"error": "Live events are turned off (server.events.enabled: false)"})
            return

        subscriber = self.runtime.hub.subscribe(_last_event_id(scope))
        await send({"type": "http.response.start", "status": 200, "headers": STREAM_HEADERS})
        watcher = asyncio.create_task(_close_on_disconnect(receive, subscriber))
        try:
            completed = await self._pump(subscriber, send)
        finally:
            watcher.cancel()
            self.runtime.hub.unsubscribe(subscriber)

        if completed:
            with contextlib.suppress(OSError):
                await send({"type": "http.response.body", "body": b"", "more_body": False})

    async def _pump(self, subscriber: Subscriber, send: Send) -> bool:
        """Copy queued messages to the client until the stream ends; False if the client stopped reading."""

        while True:
            chunk = await subscriber.get()
            if chunk is None:
                return True
            try:
                await asyncio.wait_for(
                    send({"type": "http.response.body", "body": chunk, "more_body": True}), self.send_timeout
                )
            except TimeoutError:
                logger.info("event stream client read nothing for %gs; closing its connection", self.send_timeout)
                return False


async def _close_on_disconnect(receive: Receive, subscriber: Subscriber) -> None:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            subscriber.close()
            return


def _last_event_id(scope: Scope) -> str | None:
    """Read the id the client last saw: the browser's header, or a query parameter for manual reconnects."""

    for name, value in scope.get("headers", []):
        if name == b"last-event-id" and value:
            return value.decode("latin-1")

    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    values = query.get("last-event-id")
    return values[0] if values else None


async def _json(send: Send, status: int, body: dict[str, str]) -> None:
    payload = json.dumps(body).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
