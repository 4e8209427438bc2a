"""The built-in demo in a real browser, on a desktop and on a phone."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.support import DESKTOP, PHONE, LiveDashboard, PageProblems, load
from tests.support.servers import free_port

pytestmark = pytest.mark.browser

DEMO_WIDGET_TYPES = ["clock", "bookmarks", "search", "monitor", "html"]
# With the demo's seed the service is up for the first 26.5 s, then down for 23 s.
INTO_FIRST_OUTAGE = 30.0
# How long the luna started from the command line may take to start and to check its sites.
CLI_START_TIMEOUT = 20.0


def widget(page: Page, widget_type: str) -> Locator:
    return page.locator(f".widget.widget-type-{widget_type}")


def assert_on_screen(page: Page, element: Locator) -> None:
    """Scroll to the element and check that it is drawn inside the viewport's width."""

    element.scroll_into_view_if_needed()
    expect(element).to_be_in_viewport()
    box = element.bounding_box()
    viewport = page.viewport_size
    assert box is not None
    assert viewport is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= viewport["width"]


def horizontal_overflow(page: Page) -> int:
    """How many pixels the page is wider than the viewport; a phone page should scroll only down."""

    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_desktop_shows_every_widget(
    demo_dashboard: LiveDashboard, new_page: Callable[..., Page], page_problems: PageProblems
) -> None:
    demo_dashboard.refresh(demo_dashboard.widget("monitor"))
    page = new_page(DESKTOP)

    load(page, demo_dashboard.url)

    for widget_type in DEMO_WIDGET_TYPES:
        assert_on_screen(page, widget(page, widget_type))
    assert horizontal_overflow(page) == 0
    assert page_problems.console_errors == []
    assert page_problems.blocked_requests == []


def test_phone_shows_full_column_first(demo_dashboard: LiveDashboard, new_page: Callable[..., Page]) -> None:
    demo_dashboard.refresh(demo_dashboard.widget("monitor"))
    page = new_page(PHONE)

    load(page, demo_dashboard.url)

    for widget_type in ["search", "monitor", "html"]:
        assert_on_screen(page, widget(page, widget_type))
    expect(widget(page, "clock")).to_be_hidden()
    expect(widget(page, "bookmarks")).to_be_hidden()
    assert horizontal_overflow(page) == 0


def test_phone_bottom_bar_switches_column(
    demo_dashboard: LiveDashboard, new_page: Callable[..., Page], page_problems: PageProblems
) -> None:
    page = new_page(PHONE)
    load(page, demo_dashboard.url)

    page.locator(".mobile-column-pill").nth(0).tap()

    assert_on_screen(page, widget(page, "clock"))
    assert_on_screen(page, widget(page, "bookmarks"))
    expect(widget(page, "search")).to_be_hidden()
    assert horizontal_overflow(page) == 0
    assert page_problems.console_errors == []


def test_phone_bottom_bar_leaves_last_widget_visible(demo_dashboard: LiveDashboard, new_page: Callable[..., Page]) -> None:
    page = new_page(PHONE)
    load(page, demo_dashboard.url)

    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")

    last_widget = widget(page, "html").bounding_box()
    bar = page.locator(".mobile-navigation").bounding_box()
    assert last_widget is not None
    assert bar is not None
    assert last_widget["y"] + last_widget["height"] <= bar["y"]


def test_monitor_shows_each_site_status(demo_dashboard: LiveDashboard, new_page: Callable[..., Page]) -> None:
    monitor = demo_dashboard.widget("monitor")
    demo_dashboard.refresh(monitor)
    page = new_page(DESKTOP)

    load(page, demo_dashboard.url)

    sites = widget(page, "monitor").locator(".monitor-site")
    expect(sites).to_have_count(2)
    expect(sites.nth(0).locator(".monitor-site-title")).to_have_text("Demo service")
    expect(sites.nth(0)).to_have_class("monitor-site monitor-site-up")
    expect(sites.nth(0).locator(".monitor-site-label")).to_have_text("OK")
    expect(sites.nth(1).locator(".monitor-site-title")).to_have_text("luna itself")
    expect(sites.nth(1)).to_have_class("monitor-site monitor-site-up")


def test_monitor_shows_demo_service_down(demo_dashboard: LiveDashboard, new_page: Callable[..., Page]) -> None:
    monitor = demo_dashboard.widget("monitor")
    demo_dashboard.advance_demo(INTO_FIRST_OUTAGE)
    demo_dashboard.refresh(monitor)
    page = new_page(DESKTOP)

    load(page, demo_dashboard.url)

    demo_site = widget(page, "monitor").locator(".monitor-site").nth(0)
    expect(demo_site).to_have_class("monitor-site monitor-site-down")
    expect(demo_site.locator(".monitor-site-label")).to_have_text("Service Unavailable")
    expect(demo_site.locator(".monitor-site-status")).to_have_attribute("aria-label", "Service Unavailable")


@pytest.fixture
def demo_from_cli(tmp_path: Path) -> Iterator[str]:
    """`luna --port P` started in an empty folder, as a newcomer would; stopped by its pid."""

    port = free_port()
    environment = {key: value for key, value in os.environ.items() if not key.startswith("LUNA_")}
    log_path = tmp_path / "luna.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "luna", "--host", "127.0.0.1", "--port", str(port)],
            cwd=tmp_path,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_healthy(url, process, log_path)
            yield url
        finally:
            process.terminate()
            process.wait(timeout=10)


def _wait_until_healthy(url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + CLI_START_TIMEOUT
    with httpx.Client(timeout=1.0) as client:
        while time.monotonic() < deadline:
            try:
                if client.get(f"{url}/api/healthz").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            try:
                process.wait(timeout=0.1)
            except subprocess.TimeoutExpired:
                continue
            log = log_path.read_text(errors="replace")
            raise RuntimeError(f"luna exited with status {process.returncode} before serving {url}:\n{log}")
    raise RuntimeError(f"luna did not answer on {url} within {CLI_START_TIMEOUT:g}s")


def test_cli_demo_fills_in_monitor(
    demo_from_cli: str, new_page: Callable[..., Page], page_problems: PageProblems
) -> None:
    page = new_page(DESKTOP)

    load(page, demo_from_cli)

    for widget_type in DEMO_WIDGET_TYPES:
        assert_on_screen(page, widget(page, widget_type))
    # The real scheduler checks the sites within its two-second start spread.
    sites = widget(page, "monitor").locator(".monitor-site")
    expect(sites).to_have_count(2, timeout=CLI_START_TIMEOUT * 1000)
    assert page_problems.console_errors == []
    assert page_problems.blocked_requests == []
