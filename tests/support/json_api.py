"""A fake JSON API on 127.0.0.1 for custom-api and extension tests: set its replies, read back its requests."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from tests.support.servers import serve_in_thread

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


@dataclass
class Reply:
    """The response to one path. A body that is not text or bytes is sent as JSON."""

    body: Any = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    # Send the body in chunks without a Content-Length, as a streaming API does.
    streamed: bool = False
    # Respond only once the test releases the API (when the `with` block ends).
    hang: bool = False

    def content(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode()
        return json.dumps(self.body).encode()


@dataclass(frozen=True)
class ReceivedRequest:
    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    body: bytes
    # Every header line as received, in order, so a test can see a name sent twice.
    raw_headers: tuple[tuple[str, str], ...] = ()

    def header_values(self, name: str) -> list[str]:
        """Return the value of every header line with this name, in any case."""

        return [value for key, value in self.raw_headers if key.lower() == name.lower()]

    @property
    def json(self) -> Any:
        return json.loads(self.body)


class JsonApi:
    """The replies by path (404 for any other) and every request received, in order."""

    def __init__(self) -> None:
        self.replies: dict[str, Reply] = {}
        self.requests: list[ReceivedRequest] = []
        self.base_url = ""
        self.released = threading.Event()

    def url(self, path: str) -> str:
        return self.base_url + path

    def reply(self, path: str, body: Any = None, **options: Any) -> Reply:
        self.replies[path] = Reply(body, **options)
        return self.replies[path]

    def received(self, path: str) -> list[ReceivedRequest]:
        return [request for request in self.requests if request.path == path]

    async def wait_for_request(self, path: str) -> None:
        """Wait until a request for `path` has arrived; the test's own timeout bounds it."""

        while not self.received(path):
            await asyncio.sleep(0.01)

    async def _handle(self, request: Request) -> Response:
        body = await request.body()
        self.requests.append(
            ReceivedRequest(
                request.method,
                request.url.path,
                list(request.query_params.multi_items()),
                {name.lower(): value for name, value in request.headers.items()},
                body,
                tuple((name.decode("latin-1"), value.decode("latin-1")) for name, value in request.headers.raw),
            )
        )
        reply = self.replies.get(request.url.path, Reply({"error": "not found"}, status=404))
        if reply.hang:
            while not self.released.is_set():
                await asyncio.sleep(0.01)
        if reply.streamed:
            return StreamingResponse(_chunks(reply.content()), status_code=reply.status, headers=reply.headers)
        return Response(reply.content(), status_code=reply.status, headers=reply.headers)


async def _chunks(content: bytes, size: int = 256) -> AsyncIterator[bytes]:
    for start in range(0, len(content), size):
        yield content[start : start + size]


@contextmanager
def json_api() -> Iterator[JsonApi]:
    api = JsonApi()
    app = Starlette(routes=[Route("/{path:path}", api._handle, methods=METHODS)])
    with serve_in_thread(app) as base_url:
        api.base_url = base_url
        try:
            yield api
        finally:
            api.released.set()
