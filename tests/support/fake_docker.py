"""A fake Docker Engine API, on a unix socket or on 127.0.0.1, for docker-containers tests.

It serves `GET /containers/json`, and the same path under each prefix in
`prefixes` such as `/v1.47`, with the containers the test put in
`containers`. Everything else gets 403 with an HTML page, as a socket proxy
returns for API sections it is not configured to allow.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from tests.support.servers import free_port

PROXY_FORBIDDEN_PAGE = "<html><body><h1>403 Forbidden</h1>Request forbidden by administrative rules.</body></html>"


def container(
    name: str,
    state: str = "running",
    status: str = "Up 3 minutes",
    labels: dict[str, str] | None = None,
    image: str = "nginx:1.27",
    health: str | None = None,
) -> dict[str, Any]:
    """One entry of `GET /containers/json`, with the fields docker-containers reads."""

    entry: dict[str, Any] = {
        "Id": f"{name}-{'0' * 52}"[:64],
        "Names": [f"/{name}"],
        "Image": image,
        "State": state,
        "Status": status,
        "Labels": labels or {},
        "Created": 1_700_000_000,
    }
    if health is not None:
        entry["Health"] = {"Status": health, "FailingStreak": 0}
    return entry


@dataclass
class FakeDocker:
    containers: list[dict[str, Any]] = field(default_factory=list)
    prefixes: tuple[str, ...] = ("",)
    # Status and HTML body for the container list instead of the list itself.
    status: int = 200
    body: str | None = None
    # Seconds to wait before sending the container list.
    delay: float = 0.0
    requests: list[str] = field(default_factory=list)

    def app(self) -> Starlette:
        async def answer(request: Request) -> Response:
            self.requests.append(f"{request.url.path}?{request.url.query}")
            allowed = {f"{prefix}/containers/json" for prefix in self.prefixes}
            if request.url.path not in allowed:
                return HTMLResponse(PROXY_FORBIDDEN_PAGE, status_code=403)
            if self.delay:
                await asyncio.sleep(self.delay)
            if self.status != 200 or self.body is not None:
                return HTMLResponse(self.body or "", status_code=self.status)
            return Response(json.dumps(self._listed(request)), media_type="application/json")

        return Starlette(routes=[Route("/{path:path}", answer)])

    def _listed(self, request: Request) -> list[dict[str, Any]]:
        if request.query_params.get("all") == "true":
            return self.containers
        return [entry for entry in self.containers if entry["State"] == "running"]


@contextmanager
def serve_docker(fake: FakeDocker, socket_path: Path | None = None) -> Iterator[str]:
    """Serve the fake on a unix socket, or on a free port of 127.0.0.1; yield the value for `sock-path`."""

    if socket_path is not None:
        config = uvicorn.Config(fake.app(), uds=str(socket_path), log_config=None, access_log=False, timeout_graceful_shutdown=1)
        address = str(socket_path)
    else:
        port = free_port()
        config = uvicorn.Config(
            fake.app(), host="127.0.0.1", port=port, log_config=None, access_log=False, timeout_graceful_shutdown=1
        )
        address = f"tcp://127.0.0.1:{port}"

    server = uvicorn.Server(config)
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the fake Docker API on {address} did not start")
        time.sleep(0.02)
    try:
        yield address
    finally:
        server.should_exit = True
        thread.join(timeout=10)
