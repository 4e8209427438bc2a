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
from collections.abc import Callable
from urllib.parse import parse_qs

from starlette.types import Receive, Scope, Send

from luna.events.subscriber import Subscriber
from luna.runtime import Runtime
from luna.web.auth import EXTRA_HEADERS_SCOPE_KEY, SESSION_SCOPE_KEY

logger = logging.getLogger(__name__)

STREAM_HEADERS = [
    (b"content-type", b"text/event-stream; charset=utf-8"),
    # no-transform forbids proxies and CDNs to compress or rewrite the stream.
    (b"cache-control", b"no-cache, no-transform"),
    # nginx buffers proxied responses unless this header turns buffering off.
    (b"x-accel-buffering", b"no"),
    (b"x-content-type-options", b"nosniff"),
]


class _AbortedStreamFilter(logging.Filter):
    """Drop uvicorn's error line for a stream luna ended on purpose.

    A client that stopped reading is disconnected without the stream's final
    chunk, because its socket never drains; uvicorn then logs "ASGI callable
    returned without completing response" as an error. luna has already
    logged why, so one such line is dropped for each stream it aborted.
    """

    MESSAGE = "ASGI callable returned without completing response."

    def __init__(self) -> None:
        super().__init__()
        self.expected = 0

    def filter(self, record: logging.LogRecord) -> bool:
        if self.expected and record.getMessage() == self.MESSAGE:
            self.expected -= 1
            return False
        return True


_aborted_streams = _AbortedStreamFilter()
logging.getLogger("uvicorn.error").addFilter(_aborted_streams)


class EventStream:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self.runtime.dashboard.config.server.events.enabled:
            await _json(send, 404, {"error": "Live events are turned off (server.events.enabled: false)"})
            return

        subscriber = self.runtime.hub.subscribe(_last_event_id(scope))
        session = scope.get(SESSION_SCOPE_KEY)
        if session is not None:
            subscriber.session = session
            subscriber.expires_at = session.expires_at
        headers = STREAM_HEADERS + scope.get(EXTRA_HEADERS_SCOPE_KEY, [])
        await send({"type": "http.response.start", "status": 200, "headers": headers})
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
        """Copy queued messages to the client until the stream ends; False if the client stopped reading.

        A write waits while the client's socket is full. If the client stays
        behind until its queue overflows, the hub aborts the subscriber, which
        cancels that wait. The connection then closes without a proper end.
        """

        subscriber.writer = asyncio.current_task()
        subscriber.write_now = synchronous_writer(send)
        while True:
            chunk = await subscriber.get()
            if chunk is None:
                return True
            try:
                subscriber.sending = True
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            except asyncio.CancelledError:
                if not subscriber.closed:
                    raise
                task = asyncio.current_task()
                if task is not None:
                    task.uncancel()
                _aborted_streams.expected += 1
                return False
            finally:
                subscriber.sending = False


# uvicorn's HTTP protocols wait (for a full socket to drain) only before they
# write, never after, so a send that has not suspended has finished writing,
# and one that suspends can be closed having written nothing.
SYNCHRONOUS_SEND_MODULES = frozenset({"uvicorn.protocols.http.httptools_impl", "uvicorn.protocols.http.h11_impl"})


def synchronous_writer(send: Send) -> Callable[[bytes], bool] | None:
    """Return a function that writes a chunk without a task switch, for servers known to allow it."""

    owner = getattr(send, "__self__", None)
    if owner is None or type(owner).__module__ not in SYNCHRONOUS_SEND_MODULES:
        return None

    def write_now(chunk: bytes) -> bool:
        step = send({"type": "http.response.body", "body": chunk, "more_body": True})
        try:
            step.send(None)
        except StopIteration:
            return True
        step.close()
        return False

    return write_now


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
