"""Live events in a real browser: changes appear without a reload, and survive restarts."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from luna.config.loader import load_config
from luna.runtime import Runtime
from luna.web.app import create_app
from luna.widgets.html import HtmlOptions, HtmlWidget
from luna.widgets import registry
from tests.support.dashboards import write_config
from tests.support.servers import free_port, serve_in_thread
from tests.support.threaded_http import threaded_service

pytestmark = pytest.mark.browser

MONITOR = """
server:
  events:
    coalesce-window: 200ms
pages:
  - name: Home
    columns:
      - size: full
        widgets:
          - type: monitor
            title: Services
            interval: 250ms
            timeout: 2s
            sites:
              - title: NAS
                url: {url}
"""

LIST = """
server:
  events:
    coalesce-window: 100ms
pages:
  - name: Home
    columns:
      - size: full
        widgets:
          - type: live-test-list
            cache: 400ms
"""


class GrowingListWidget(HtmlWidget):
    """A list that gains an item on every refresh and collapses after three items."""

    type = "live-test-list"
    default_interval = 1.0

    @property
    def template_name(self) -> str:
        return "widgets/html.html"

    @property
    def options(self) -> HtmlOptions:
        count = self.state.data or 0
        items = "".join(f"<li>item {number}</li>" for number in range(count + 5))
        source = f'<ul class="test-items" data-collapse-after="3">{items}</ul><p class="refresh-count">{count}</p>'
        return self._options.model_copy(update={"source": source})

    @options.setter
    def options(self, value: HtmlOptions) -> None:
        self._options = value

    async def refresh(self, context: object) -> int:
        return (self.state.data or 0) + 1


@pytest.fixture
def growing_list_type(monkeypatch: pytest.MonkeyPatch) -> None:
    # Registered for one test only, so the list of real widget types stays clean.
    registry.type_names()
    monkeypatch.setitem(registry._types, GrowingListWidget.type, GrowingListWidget)


def start(path: Path) -> tuple[Runtime, object]:
    runtime = Runtime(load_config(path, environ={}), start_spread=0.0)
    return runtime, create_app(runtime)


def wait_until(condition, timeout: float = 10.0, message: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{message} not met within {timeout}s")
        time.sleep(0.05)


def test_service_stop_shown_without_reload(tmp_path: Path, browser) -> None:
    with threaded_service() as service:
        runtime, app = start(write_config(tmp_path, MONITOR.format(url=service.url)))
        with serve_in_thread(app, runtime=runtime) as base:
            page = browser.new_page()
            page.goto(base)
            page.wait_for_selector(".monitor-site-up")
            page.evaluate("window.loadedOnce = true")

            service.status = 503
            page.wait_for_selector(".monitor-site-down", timeout=10000)

            assert page.evaluate("window.loadedOnce") is True
            assert "Service Unavailable" in page.inner_text(".widget-type-monitor")
            assert page.inner_text("[data-live-indicator]") == "Live"
            announced = page.inner_text("[data-live-announcer]")
            page.close()

    assert "NAS is down" in announced


def test_recovers_after_server_restart(tmp_path: Path, browser) -> None:
    port = free_port()
    with threaded_service() as service:
        path = write_config(tmp_path, MONITOR.format(url=service.url))
        runtime, app = start(path)
        page = browser.new_page()
        with serve_in_thread(app, port=port, runtime=runtime) as base:
            page.goto(base)
            page.wait_for_selector(".monitor-site-up")
            page.evaluate("window.loadedOnce = true")

        service.status = 500
        runtime, app = start(path)
        with serve_in_thread(app, port=port, runtime=runtime):
            page.wait_for_selector(".monitor-site-down", timeout=20000)
            wait_until(lambda: page.inner_text("[data-live-indicator]") == "Live", message="live again")
            assert page.evaluate("window.loadedOnce") is True
        page.close()


def test_eight_tabs_share_one_stream(tmp_path: Path, browser) -> None:
    with threaded_service() as service:
        runtime, app = start(write_config(tmp_path, MONITOR.format(url=service.url)))
        with serve_in_thread(app, runtime=runtime) as base:
            context = browser.new_context()
            tabs = [context.new_page() for _ in range(8)]
            for tab in tabs:
                tab.goto(base)
                tab.wait_for_selector(".monitor-site-up")
            for tab in tabs:
                wait_until(lambda tab=tab: tab.inner_text("[data-live-indicator]") == "Live", message="every tab live")

            streams = len(runtime.hub.subscribers)
            service.status = 503
            for tab in tabs:
                tab.wait_for_selector(".monitor-site-down", timeout=10000)
            context.close()

    assert streams == 1


def test_next_tab_takes_over_stream(tmp_path: Path, browser) -> None:
    with threaded_service() as service:
        runtime, app = start(write_config(tmp_path, MONITOR.format(url=service.url)))
        with serve_in_thread(app, runtime=runtime) as base:
            context = browser.new_context()
            first, second = context.new_page(), context.new_page()
            first.goto(base)
            first.wait_for_selector(".monitor-site-up")
            second.goto(base)
            second.wait_for_selector(".monitor-site-up")

            first.close()
            service.status = 503
            second.wait_for_selector(".monitor-site-down", timeout=10000)
            subscribers = len(runtime.hub.subscribers)
            context.close()

    assert subscribers == 1


def test_config_edit_updates_page_in_place(tmp_path: Path, browser) -> None:
    with threaded_service() as service:
        path = write_config(tmp_path, MONITOR.format(url=service.url))
        runtime, app = start(path)
        with serve_in_thread(app, runtime=runtime) as base:
            page = browser.new_page()
            page.goto(base)
            page.wait_for_selector(".monitor-site-up")
            wait_until(lambda: page.inner_text("[data-live-indicator]") == "Live", message="live")
            page.evaluate("window.loadedOnce = true")

            write_config(tmp_path, MONITOR.format(url=service.url).replace("title: NAS", "title: Storage box"))
            loaded = load_config(path, environ={})
            asyncio.run_coroutine_threadsafe(runtime.apply(loaded), runtime.loop).result(10)

            page.wait_for_selector("text=Storage box", timeout=10000)
            assert page.evaluate("window.loadedOnce") is True
            page.close()


def test_collapsible_list_survives_updates(tmp_path: Path, browser, growing_list_type: None) -> None:
    runtime, app = start(write_config(tmp_path, LIST))
    with serve_in_thread(app, runtime=runtime) as base:
        page = browser.new_page()
        page.goto(base)
        page.wait_for_selector(".expand-toggle-button")
        page.click(".expand-toggle-button")
        start_count = int(page.inner_text(".refresh-count"))

        wait_until(lambda: int(page.inner_text(".refresh-count")) >= start_count + 3, message="three updates")
        buttons = page.locator(".expand-toggle-button")
        button_count = buttons.count()
        expanded = buttons.first.get_attribute("aria-expanded")
        hidden_items = page.locator(".test-items li[hidden]").count()
        page.close()

    assert button_count == 1
    assert expanded == "true"
    assert hidden_items == 0
