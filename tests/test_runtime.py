"""Reloads of the running dashboard: what carries over, what stops, and pages that never wait."""

from __future__ import annotations

import asyncio
import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import jinja2
import pytest

from luna.clock import ManualClock
from luna.dashboard import Dashboard
from luna.runtime import Runtime
from luna.scheduler import START_SPREAD
from luna.web.app import create_app
from luna.widgets import registry
from luna.widgets.base import Widget, WidgetContext, WidgetOptions, WidgetState
from luna.widgets.refresh import RefreshContext
from tests.support.dashboards import load_text, running_dashboard
from tests.support.servers import serve_in_thread


class FeedOptions(WidgetOptions):
    source: str = ""
    hang: bool = False


class FeedWidget(Widget):
    """A refreshing widget for these tests: each refresh returns a numbered value, or hangs when `hang` is set.

    It renders with the html template, so its `source` shows once it has data
    and the loading placeholder shows until then.
    """

    type = "test-feed"
    options_model = FeedOptions
    default_interval = 60.0

    def __init__(self, options: WidgetOptions, context: WidgetContext, children: list[Widget] | None = None) -> None:
        super().__init__(options, context, children)
        self.refreshes = 0
        self.started = asyncio.Event()
        self.cancelled = False

    @property
    def template_name(self) -> str:
        return "widgets/html.html"

    @property
    def source(self) -> str:
        """The HTML that widgets/html.html shows, as HtmlWidget.source is."""

        return self.options.source  # type: ignore[attr-defined]

    async def refresh(self, context: RefreshContext) -> Any:
        self.refreshes += 1
        self.started.set()
        options: FeedOptions = self.options  # type: ignore[assignment]
        if options.hang:
            try:
                await asyncio.Event().wait()
            except asyncio.CancelledError:
                self.cancelled = True
                raise
        return f"{options.source} #{self.refreshes}"

    def public_data(self) -> Any:
        return self.state.data


class UnrenderableWidget(Widget):
    """A static widget whose template does not exist, so building a dashboard with it fails."""

    type = "test-unrenderable"

    @property
    def template_name(self) -> str:
        return "widgets/test-unrenderable.html"


@pytest.fixture(autouse=True)
def test_widget_types(monkeypatch: pytest.MonkeyPatch) -> None:
    # Registered for each test only, so the list of real widget types stays clean.
    registry.type_names()
    monkeypatch.setitem(registry._types, FeedWidget.type, FeedWidget)
    monkeypatch.setitem(registry._types, UnrenderableWidget.type, UnrenderableWidget)


CONFIG = """
pages:
  - name: Home
    columns:
      - size: full
        widgets:
          - type: test-feed
            title: Kept
            source: <p>kept feed</p>
          - type: test-feed
            title: Changing
            source: <p>first version</p>
          - type: html
            source: <p id="static">static one</p>
"""

CHANGED = CONFIG.replace("first version", "second version")

WITH_HANGING = CONFIG + """\
          - type: test-feed
            title: Hanging
            hang: true
"""


def widget_titled(runtime: Runtime, title: str) -> Widget:
    return next(widget for widget in runtime.dashboard.all_widgets() if widget.title == title)


def widget_classes(page: str, widget: Widget) -> str:
    match = re.search(rf'<div class="([^"]*)" data-widget-id="{widget.id}"', page)
    assert match is not None, f"widget {widget.id} is not on the page"
    return match[1]


async def test_unchanged_widget_keeps_state_and_id(tmp_path: Path) -> None:
    clock = ManualClock()
    async with running_dashboard(tmp_path, CONFIG, clock=clock) as (runtime, client):
        await clock.advance(START_SPREAD)
        before = widget_titled(runtime, "Kept")

        await runtime.apply(load_text(tmp_path, CHANGED))
        after = widget_titled(runtime, "Kept")
        page = (await client.get("/")).text

    assert after is not before
    assert after.id == before.id
    assert after.state is before.state
    assert after.state.data == "<p>kept feed</p> #1"
    assert "widget-is-pending" not in widget_classes(page, after)


async def test_changed_widget_starts_fresh(tmp_path: Path) -> None:
    clock = ManualClock()
    async with running_dashboard(tmp_path, CONFIG, clock=clock) as (runtime, client):
        await clock.advance(START_SPREAD)
        before = widget_titled(runtime, "Changing")

        await runtime.apply(load_text(tmp_path, CHANGED))
        after = widget_titled(runtime, "Changing")
        page = (await client.get("/")).text

    assert before.state.loaded
    assert after.id != before.id
    assert before.id not in runtime.dashboard.widgets
    assert after.state == WidgetState()
    assert "widget-is-pending" in widget_classes(page, after)


async def test_reload_cancels_old_refresh_tasks(tmp_path: Path) -> None:
    async with running_dashboard(tmp_path, CONFIG) as (runtime, client):
        old_scheduler = runtime.scheduler
        assert old_scheduler is not None
        old_tasks = old_scheduler.tasks

        await runtime.apply(load_text(tmp_path, CHANGED))
        new_scheduler = runtime.scheduler
        assert new_scheduler is not None
        new_tasks = new_scheduler.tasks

        assert len(old_tasks) == 2
        assert all(task.cancelled() for task in old_tasks)
        assert new_scheduler is not old_scheduler
        assert len(new_tasks) == 2
        assert not any(task.done() for task in new_tasks)


async def test_reload_cancels_refresh_in_flight(tmp_path: Path) -> None:
    clock = ManualClock()
    async with running_dashboard(tmp_path, WITH_HANGING, clock=clock) as (runtime, client):
        await clock.advance(START_SPREAD)
        hanging_before = widget_titled(runtime, "Hanging")
        assert isinstance(hanging_before, FeedWidget)
        assert hanging_before.started.is_set()

        await runtime.apply(load_text(tmp_path, WITH_HANGING.replace("first version", "second version")))
        hanging_after = widget_titled(runtime, "Hanging")

    assert hanging_before.cancelled
    assert hanging_after.id == hanging_before.id
    assert not hanging_after.state.loaded


async def test_late_result_from_old_scheduler_ignored(tmp_path: Path) -> None:
    clock = ManualClock()
    updates: list[Widget] = []
    async with running_dashboard(tmp_path, CONFIG, clock=clock) as (runtime, client):
        runtime.update_listeners.append(lambda widget, old, new, changed: updates.append(widget))
        await clock.advance(START_SPREAD)
        old_scheduler, old_widget = runtime.scheduler, widget_titled(runtime, "Kept")
        assert old_scheduler is not None
        updates.clear()

        await runtime.apply(load_text(tmp_path, CHANGED))
        new_widget = widget_titled(runtime, "Kept")
        rendered_after_reload = new_widget.rendered
        # The old scheduler's refresh finishes only now, after the swap.
        await old_scheduler.refresh_once(old_widget)
        served = (await client.get(f"/api/widgets/{new_widget.id}/data")).json()

    assert old_widget.state.data == "<p>kept feed</p> #2"
    assert updates == []
    assert new_widget.state.data == "<p>kept feed</p> #1"
    assert new_widget.rendered is rendered_after_reload
    assert served["data"] == "<p>kept feed</p> #1"


async def test_refresh_after_reload_reaches_listeners(tmp_path: Path) -> None:
    updates: list[Widget] = []
    async with running_dashboard(tmp_path, CONFIG) as (runtime, client):
        runtime.update_listeners.append(lambda widget, old, new, changed: updates.append(widget))
        await runtime.apply(load_text(tmp_path, CHANGED))
        scheduler, widget = runtime.scheduler, widget_titled(runtime, "Kept")
        assert scheduler is not None

        await scheduler.refresh_once(widget)

    assert updates == [widget]


async def test_failed_reload_keeps_dashboard_object(tmp_path: Path) -> None:
    broken = CONFIG + "          - type: test-unrenderable\n"
    async with running_dashboard(tmp_path, CONFIG) as (runtime, client):
        dashboard, renderer, scheduler = runtime.dashboard, runtime.renderer, runtime.scheduler
        assert scheduler is not None

        with pytest.raises(jinja2.TemplateNotFound):
            await runtime.apply(load_text(tmp_path, broken))
        page = await client.get("/")

        assert runtime.dashboard is dashboard
        assert runtime.renderer is renderer
        assert runtime.scheduler is scheduler
        assert not any(task.done() for task in scheduler.tasks)
        assert '<p id="static">static one</p>' in page.text


async def test_reload_does_not_burst_refreshes(tmp_path: Path) -> None:
    clock = ManualClock()
    async with running_dashboard(tmp_path, CONFIG, clock=clock) as (runtime, client):
        await clock.advance(START_SPREAD)
        refreshed_at = widget_titled(runtime, "Kept").state.succeeded_at
        assert refreshed_at is not None
        await runtime.apply(load_text(tmp_path, CHANGED))
        kept, changed = widget_titled(runtime, "Kept"), widget_titled(runtime, "Changing")
        assert isinstance(kept, FeedWidget)
        assert isinstance(changed, FeedWidget)

        await clock.advance(START_SPREAD)
        kept_right_after_reload, changed_right_after_reload = kept.refreshes, changed.refreshes
        await clock.advance(refreshed_at + 60 + START_SPREAD - clock.now())

    assert kept_right_after_reload == 0
    assert changed_right_after_reload == 1
    assert kept.refreshes == 1


async def test_stop_during_reload_leaves_no_task(tmp_path: Path) -> None:
    before = asyncio.all_tasks()
    async with running_dashboard(tmp_path, CONFIG) as (runtime, client):
        # The stop starts first and is still stopping the scheduler when the reload begins.
        stopping = asyncio.create_task(runtime.stop())
        reloading = asyncio.create_task(runtime.apply(load_text(tmp_path, CHANGED)))
        await asyncio.gather(stopping, reloading)
        left_running = asyncio.all_tasks() - before

    assert left_running == set()


async def test_failing_reload_listener_logged(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    reloads: list[Dashboard] = []

    def broken_listener(old: Dashboard, new: Dashboard) -> None:
        raise RuntimeError("listener bug")

    async with running_dashboard(tmp_path, CONFIG) as (runtime, client):
        runtime.reload_listeners += [broken_listener, lambda old, new: reloads.append(new)]

        await runtime.apply(load_text(tmp_path, CHANGED))

        assert reloads == [runtime.dashboard]
        assert "failed" in caplog.text
        assert "RuntimeError: listener bug" in caplog.text


async def test_hanging_widget_does_not_hold_page(tmp_path: Path) -> None:
    clock = ManualClock()
    async with running_dashboard(tmp_path, WITH_HANGING, clock=clock) as (runtime, client):
        await clock.advance(START_SPREAD)
        hanging = widget_titled(runtime, "Hanging")
        assert isinstance(hanging, FeedWidget)
        assert hanging.started.is_set()

        # The limit only turns a page that waits on the refresh into a failure instead of a hung test.
        async with asyncio.timeout(10):
            response = await client.get("/")

    assert response.status_code == 200
    assert "widget-is-pending" in widget_classes(response.text, hanging)
    assert "<p>kept feed</p>" in response.text
    assert '<p id="static">static one</p>' in response.text


@contextmanager
def silent_server() -> Iterator[tuple[int, threading.Event]]:
    """Run a TCP server on 127.0.0.1 that accepts connections and never responds; yield its port and an accept flag."""

    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)
    accepted = threading.Event()
    stopping = threading.Event()
    connections: list[socket.socket] = []

    def accept_until_stopped() -> None:
        while not stopping.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            connections.append(connection)
            accepted.set()

    thread = threading.Thread(target=accept_until_stopped, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1], accepted
    finally:
        stopping.set()
        thread.join(timeout=5)
        listener.close()
        for connection in connections:
            connection.close()


def test_silent_monitor_target_does_not_hold_page(tmp_path: Path) -> None:
    with silent_server() as (port, accepted):
        config = f"""
pages:
  - name: Home
    columns:
      - size: full
        widgets:
          - type: monitor
            title: Services
            sites:
              - title: Silent
                url: http://127.0.0.1:{port}/
                timeout: 30s
          - type: html
            source: <p id="static">always here</p>
"""
        runtime = Runtime(load_text(tmp_path, config))
        monitor = widget_titled(runtime, "Services")
        with serve_in_thread(create_app(runtime)) as base_url:
            assert accepted.wait(timeout=10), "the monitor never connected to the silent server"
            response = httpx.get(f"{base_url}/", timeout=5)

    assert response.status_code == 200
    # A monitor knows its sites before any check, so it lists them as pending.
    assert "monitor-site-pending" in response.text
    assert "Checking" in response.text
    assert monitor.id in response.text
    assert '<p id="static">always here</p>' in response.text
