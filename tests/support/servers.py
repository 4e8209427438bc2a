"""Real servers on 127.0.0.1 for tests: luna under uvicorn, and fake upstreams."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from urllib.parse import urlsplit

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.background import BackgroundTask
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp

from luna.runtime import Runtime
from luna.server import LunaServer


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serve_in_thread(app: ASGIApp, port: int | None = None, runtime: Runtime | None = None) -> Iterator[str]:
    """Run an ASGI app under uvicorn in a background thread; yield its base URL.

    With a runtime, the server is luna's own, which ends event streams at shutdown.
    """

    port = port or free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False, lifespan="on")
    server = LunaServer(config, runtime) if runtime is not None else uvicorn.Server(config)
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()

    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the test server on port {port} did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def status_app() -> Starlette:
    """A fake upstream: `/status/{code}` responds with that HTTP status."""

    async def status(request: Request) -> Response:
        code = request.path_params["code"]
        return PlainTextResponse(f"status {code}", status_code=code)

    return Starlette(routes=[Route("/status/{code:int}", status)])


def unused_url() -> str:
    """A URL on 127.0.0.1 where nothing listens, so connecting is refused."""

    return f"http://127.0.0.1:{free_port()}/"


def raw_get(base_url: str, target: str) -> tuple[int, bytes]:
    """GET a request target exactly as written, since HTTP clients resolve `..` before sending.

    Returns the status code and the body.
    """

    parts = urlsplit(base_url)
    request = f"GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\nConnection: close\r\n\r\n"
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as connection:
        connection.sendall(request.encode("ascii"))
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)

    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, body


# Headers that describe one connection or one encoding of the body, not the
# response itself, so a proxy does not pass them on.
HOP_BY_HOP = frozenset({"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding"})


def prefix_proxy_app(upstream: str, prefix: str, strip: bool) -> Starlette:
    """A reverse proxy that serves `upstream` under `prefix`, as nginx or Caddy would.

    With `strip`, `/prefix/x` reaches the upstream as `/x`; without it, as
    `/prefix/x`. Requests outside the prefix get the proxy's own 404, so a
    page URL that forgot the prefix fails loudly.
    """

    async def forward(request: Request) -> Response:
        path = request.url.path
        if path != prefix and not path.startswith(prefix + "/"):
            return PlainTextResponse(f"{path} is outside the proxied prefix {prefix}", status_code=404)

        if strip:
            path = path[len(prefix) :] or "/"
        query = f"?{request.url.query}" if request.url.query else ""
        headers = [(name, value) for name, value in request.headers.items() if name not in ("host", "content-length")]
        client: httpx.AsyncClient = request.app.state.client
        outgoing = client.build_request(request.method, upstream + path + query, headers=headers, content=await request.body())
        # Streamed, so an event stream passes through as it is written.
        reply = await client.send(outgoing, stream=True)

        response = StreamingResponse(reply.aiter_raw(), status_code=reply.status_code, background=BackgroundTask(reply.aclose))
        response.raw_headers = [
            (name.encode("latin-1"), value.encode("latin-1"))
            for name, value in reply.headers.multi_items()
            if name.lower() not in HOP_BY_HOP
        ]
        return response

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with httpx.AsyncClient(timeout=None) as client:
            app.state.client = client
            yield

    methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
    return Starlette(routes=[Route("/{path:path}", forward, methods=methods)], lifespan=lifespan)
