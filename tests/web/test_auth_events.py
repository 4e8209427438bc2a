"""Event streams and sessions over real HTTP: a stream needs a session, and ends with it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from luna.auth.sessions import SESSION_LIFETIME
from luna.clock import ManualClock
from luna.runtime import Runtime
from luna.web.app import create_app
from tests.support.auth import OTHER_PASSWORD_HASH, auth_config, cookie_attributes, log_in
from tests.support.dashboards import load_text
from tests.support.servers import serve_in_thread

STREAM_TIMEOUT = 10.0


@dataclass
class ServedDashboard:
    url: str
    runtime: Runtime
    loop: asyncio.AbstractEventLoop

    async def on_server_loop(self, coroutine: object) -> object:
        """Run a coroutine on the server's loop, from the test's loop."""

        future = asyncio.run_coroutine_threadsafe(coroutine, self.loop)  # type: ignore[arg-type]
        return await asyncio.wrap_future(future)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[ServedDashboard]:
    # Started at the real time, since the stream's session is checked against it.
    daily_pings = "  events:\n    ping-interval: 1d\n"
    runtime = Runtime(load_text(tmp_path, auth_config(server_extra=daily_pings)), clock=ManualClock(start=time.time()))
    loops: list[asyncio.AbstractEventLoop] = []

    async def remember_loop(runtime: Runtime) -> None:
        loops.append(asyncio.get_running_loop())

    with ExitStack() as stack:
        url = stack.enter_context(serve_in_thread(create_app(runtime, on_startup=[remember_loop]), runtime=runtime))
        yield ServedDashboard(url, runtime, loops[0])


@asynccontextmanager
async def logged_in(served: ServedDashboard) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=served.url, timeout=STREAM_TIMEOUT) as client:
        response = await log_in(client)
        assert response.status_code == 200
        yield client


async def read_until_closed(chunks: AsyncIterator[bytes]) -> bytes:
    received = b""
    async for chunk in chunks:
        received += chunk
    return received


async def test_stream_without_session_401(served: ServedDashboard) -> None:
    async with httpx.AsyncClient(base_url=served.url, timeout=STREAM_TIMEOUT) as client:
        response = await client.get("/api/events")

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/json"


async def test_stream_with_session_opens(served: ServedDashboard) -> None:
    async with logged_in(served) as client, client.stream("GET", "/api/events") as response:
        chunks = response.aiter_raw()
        first = await anext(chunks)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert b": connected" in first


async def test_logout_closes_open_stream(served: ServedDashboard) -> None:
    async with logged_in(served) as client, client.stream("GET", "/api/events") as response:
        chunks = response.aiter_raw()
        await anext(chunks)

        await client.get("/logout")
        rest = await asyncio.wait_for(read_until_closed(chunks), STREAM_TIMEOUT)

    assert b"data:" not in rest
    assert served.runtime.hub.subscribers == set()


async def test_other_sessions_stream_stays(served: ServedDashboard) -> None:
    async with logged_in(served) as staying, logged_in(served) as leaving:
        async with staying.stream("GET", "/api/events") as response:
            # Kept in a variable: a discarded iterator closes the stream when collected.
            chunks = response.aiter_raw()
            await anext(chunks)

            await leaving.get("/logout")
            await asyncio.sleep(0.2)
            subscribers = len(served.runtime.hub.subscribers)

    assert subscribers == 1


async def test_password_change_closes_stream(served: ServedDashboard, tmp_path: Path) -> None:
    users = f'    alice:\n      password-hash: "{OTHER_PASSWORD_HASH}"\n'
    changed = auth_config(users=users, server_extra="  events:\n    ping-interval: 1d\n")
    async with logged_in(served) as client, client.stream("GET", "/api/events") as response:
        chunks = response.aiter_raw()
        await anext(chunks)

        await served.on_server_loop(served.runtime.apply(load_text(tmp_path, changed)))
        await asyncio.wait_for(read_until_closed(chunks), STREAM_TIMEOUT)

    assert served.runtime.hub.subscribers == set()


async def test_stream_renews_old_session(served: ServedDashboard) -> None:
    clock: ManualClock = served.runtime.clock  # type: ignore[assignment]
    async with logged_in(served) as client:
        await served.on_server_loop(clock.advance(2 * 24 * 3600))
        async with client.stream("GET", "/api/events") as response:
            chunks = response.aiter_raw()
            await anext(chunks)

    assert response.status_code == 200
    assert cookie_attributes(response.headers["set-cookie"])["max-age"] == str(int(SESSION_LIFETIME))
