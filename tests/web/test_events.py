"""The live-events stream over real HTTP: uvicorn on a free port, fake services on 127.0.0.1."""

from __future__ import annotations

import asyncio
import logging
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from luna.config.loader import load_config
from luna.runtime import Runtime
from luna.web.app import create_app
from tests.support.dashboards import write_config
from tests.support.fake_http import FakeHTTP, Reply
from tests.support.servers import serve_in_thread

MONITOR = """
server:
  events:
    coalesce-window: 200ms
    ping-interval: 1s
pages:
  - name: Home
    columns:
      - size: full
        widgets:
          - type: monitor
            interval: 200ms
            timeout: 1s
            sites:
              - title: NAS
                url: {url}
"""


class EventReader:
    """Reads an event stream in the background and collects its messages."""

    def __init__(self, client: httpx.AsyncClient, url: str, headers: dict[str, str] | None = None) -> None:
        self.client = client
        self.url = url
        self.headers = headers or {}
        self.messages: list[dict] = []
        self.comments: list[str] = []
        self.response: httpx.Response | None = None
        self.opened = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> EventReader:
        self._task = asyncio.create_task(self._read())
        await asyncio.wait_for(self.opened.wait(), 10)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _read(self) -> None:
        async with self.client.stream("GET", self.url, headers=self.headers, timeout=None) as response:
            self.response = response
            self.opened.set()
            event_id = None
            async for line in response.aiter_lines():
                if line.startswith("id: "):
                    event_id = line[4:]
                elif line.startswith("data: "):
                    self.messages.append({"id": event_id, **json.loads(line[6:])})
                elif line.startswith(":"):
                    self.comments.append(line)

    async def wait_for(self, predicate, timeout: float = 10.0) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.messages:
                if predicate(message):
                    return message
            await asyncio.sleep(0.02)
        raise AssertionError(f"no matching event within {timeout}s; got {self.messages}")


@pytest.fixture
async def service() -> AsyncIterator[FakeHTTP]:
    async with FakeHTTP() as fake:
        yield fake


def start_luna(path: Path) -> tuple[Runtime, object]:
    runtime = Runtime(load_config(path, environ={}), start_spread=0.0)
    return runtime, create_app(runtime)


async def test_service_stop_reaches_stream(tmp_path: Path, service: FakeHTTP) -> None:
    path = write_config(tmp_path, MONITOR.format(url=service.url))
    runtime, app = start_luna(path)

    with serve_in_thread(app, runtime=runtime) as base:
        async with httpx.AsyncClient() as client, EventReader(client, f"{base}/api/events") as reader:
            await reader.wait_for(lambda message: message["type"] == "widget:updated")
            service.default = Reply(status=503)
            changed = await reader.wait_for(lambda message: message["type"] == "monitor:site_changed")

    assert changed["data"]["title"] == "NAS"
    assert changed["data"]["status"] == 1
    assert changed["data"]["code"] == 503


async def test_widget_content_matches_event(tmp_path: Path, service: FakeHTTP) -> None:
    path = write_config(tmp_path, MONITOR.format(url=service.url))
    runtime, app = start_luna(path)

    with serve_in_thread(app, runtime=runtime) as base:
        async with httpx.AsyncClient() as client, EventReader(client, f"{base}/api/events") as reader:
            await reader.wait_for(lambda message: message["type"] == "widget:updated")
            service.default = Reply(status=500)
            event = await reader.wait_for(lambda message: message["type"] == "monitor:site_changed")
            widget = await client.get(f"{base}/api/widgets/{event['data']['widget_id']}/content/")
            page = await client.get(f"{base}/")

    assert "Internal Server Error" in widget.text
    assert widget.text in page.text


async def test_reconnect_replays_missed(tmp_path: Path, service: FakeHTTP) -> None:
    path = write_config(tmp_path, MONITOR.format(url=service.url))
    runtime, app = start_luna(path)

    with serve_in_thread(app, runtime=runtime) as base:
        async with httpx.AsyncClient() as client:
            async with EventReader(client, f"{base}/api/events") as reader:
                first = await reader.wait_for(lambda message: message["type"] == "widget:updated")

            service.default = Reply(status=503)
            deadline = time.monotonic() + 10
            while runtime.hub.stats.events_by_type.get("monitor:site_changed", 0) == 0:
                assert time.monotonic() < deadline, "the service change was never published"
                await asyncio.sleep(0.05)

            headers = {"Last-Event-ID": first["id"]}
            async with EventReader(client, f"{base}/api/events", headers) as again:
                replayed = await again.wait_for(lambda message: message["type"] == "monitor:site_changed")

    assert replayed["data"]["status"] == 1


async def test_stream_headers_never_compressed(tmp_path: Path, service: FakeHTTP) -> None:
    path = write_config(tmp_path, MONITOR.format(url=service.url))
    runtime, app = start_luna(path)

    with serve_in_thread(app, runtime=runtime) as base:
        async with httpx.AsyncClient() as client:
            headers = {"Accept-Encoding": "gzip, br"}
            async with EventReader(client, f"{base}/api/events", headers) as reader:
                response = reader.response
                await reader.wait_for(lambda message: message["type"] == "widget:updated")

    assert response is not None
    assert response.headers["content-type"].startswith("text/event-stream")
    assert "no-cache" in response.headers["cache-control"]
    assert "no-transform" in response.headers["cache-control"]
    assert response.headers["x-accel-buffering"] == "no"
    assert "content-encoding" not in response.headers


async def test_pings_keep_idle_stream(tmp_path: Path, service: FakeHTTP) -> None:
    path = write_config(tmp_path, MONITOR.format(url=service.url))
    runtime, app = start_luna(path)

    with serve_in_thread(app, runtime=runtime) as base:
        async with httpx.AsyncClient() as client, EventReader(client, f"{base}/api/events") as reader:
            deadline = time.monotonic() + 5
            while ": ping" not in reader.comments:
                assert time.monotonic() < deadline, f"no ping; comments were {reader.comments}"
                await asyncio.sleep(0.05)


async def test_reload_sends_page_update(tmp_path: Path, service: FakeHTTP) -> None:
    path = write_config(tmp_path, MONITOR.format(url=service.url))
    runtime, app = start_luna(path)

    with serve_in_thread(app, runtime=runtime) as base:
        async with httpx.AsyncClient() as client, EventReader(client, f"{base}/api/events") as reader:
            changed = MONITOR.format(url=service.url).replace("title: NAS", "title: Storage")
            write_config(tmp_path, changed)
            loaded = load_config(path, environ={})
            future = asyncio.run_coroutine_threadsafe(runtime.apply(loaded), _server_loop(runtime))
            await asyncio.wrap_future(future)
            update = await reader.wait_for(lambda message: message["type"] == "page:update")
            page = await client.get(f"{base}/api/pages/home/content/")

    assert update["data"] == {"slug": "home"}
    assert "Storage" in page.text


async def test_shutdown_with_open_streams_fast(tmp_path: Path, service: FakeHTTP) -> None:
    path = write_config(tmp_path, MONITOR.format(url=service.url))
    runtime, app = start_luna(path)
    readers: list[EventReader] = []

    limits = httpx.Limits(max_connections=200)
    async with httpx.AsyncClient(limits=limits) as client:
        with serve_in_thread(app, runtime=runtime) as base:
            for _ in range(100):
                reader = EventReader(client, f"{base}/api/events")
                await reader.__aenter__()
                readers.append(reader)
            assert len(runtime.hub.subscribers) == 100
            started = time.monotonic()
        stopped = time.monotonic() - started

        for reader in readers:
            await reader.__aexit__(None, None, None)

    assert stopped < 5.0


def _server_loop(runtime: Runtime) -> asyncio.AbstractEventLoop:
    if runtime.loop is None:
        raise AssertionError("the runtime has not started")
    return runtime.loop


async def test_aborted_streams_leave_no_subscribers(tmp_path: Path, service: FakeHTTP) -> None:
    path = write_config(tmp_path, MONITOR.format(url=service.url))
    runtime, app = start_luna(path)

    with serve_in_thread(app, runtime=runtime) as base:
        port = int(base.rsplit(":", 1)[1])
        for _ in range(1000):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"GET /api/events HTTP/1.1\r\nHost: luna\r\n\r\n")
            await reader.readuntil(b"\r\n\r\n")
            writer.transport.abort()

        deadline = time.monotonic() + 10
        while runtime.hub.subscribers:
            assert time.monotonic() < deadline, f"{len(runtime.hub.subscribers)} subscribers left behind"
            await asyncio.sleep(0.05)
        remaining = len(runtime.hub.subscribers)

    assert remaining == 0


def test_aborted_stream_log_dropped_once() -> None:
    from luna.web.events import _AbortedStreamFilter

    log_filter = _AbortedStreamFilter()
    record = logging.LogRecord("uvicorn.error", logging.ERROR, __file__, 1, _AbortedStreamFilter.MESSAGE, None, None)
    other = logging.LogRecord("uvicorn.error", logging.ERROR, __file__, 1, "Exception in ASGI application", None, None)

    log_filter.expected = 1
    first = log_filter.filter(record)
    second = log_filter.filter(record)
    unrelated = log_filter.filter(other)

    assert first is False
    assert second is True
    assert unrelated is True
