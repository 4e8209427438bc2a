"""Fixtures for browser tests: Debian's Chromium driven by sync Playwright, and luna on loopback.

Requests to any host other than 127.0.0.1 are aborted and recorded in
`page_problems.blocked_requests`, so nothing leaves the machine.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Route, sync_playwright

from luna.clock import ManualClock
from luna.demo.service import DemoService
from luna.server import Services, load_demo
from tests.browser.support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    LOCALE,
    TIMEZONE,
    LiveDashboard,
    PageProblems,
    serve_live,
)
from tests.support.dashboards import load_text
from tests.support.servers import free_port, unused_url

# The seed fixes the demo service's phase lengths; its first "up" phase ends before 40 s.
DEMO_SEED = 7


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the browser tests after all others.

    Between its calls, sync Playwright leaves its event loop marked as running
    in the main thread, so an async test that ran while the session's browser
    is open would fail with "Cannot run the event loop while another loop is
    running". The sort is stable, so each group keeps its order.
    """

    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture
def serve_dashboard(tmp_path: Path) -> Iterator[Callable[[str], LiveDashboard]]:
    """Serve a luna.yml given as text. Every server stops when the test ends.

    The text may use `${LUNA_SELF_URL}`, luna's own health endpoint (a site
    that is up), and `${LUNA_CLOSED_URL}`, a loopback port where no server
    listens (a site that is down).
    """

    with ExitStack() as stack:

        def serve(text: str) -> LiveDashboard:
            port = free_port()
            environ = {
                "LUNA_SELF_URL": f"http://127.0.0.1:{port}/api/healthz",
                "LUNA_CLOSED_URL": unused_url(),
            }
            return serve_live(stack, load_text(tmp_path, text, environ), port)

        yield serve


@pytest.fixture
def demo_dashboard() -> Iterator[LiveDashboard]:
    """The built-in demo, its service on a manual clock with a fixed seed."""

    demo_clock = ManualClock()
    port = free_port()
    loaded, demo = load_demo("127.0.0.1", port, demo=DemoService(clock=demo_clock, rng=random.Random(DEMO_SEED)))
    with ExitStack() as stack:
        dashboard = serve_live(stack, loaded, port, Services(demo=demo))
        dashboard.demo, dashboard.demo_clock = demo, demo_clock
        yield dashboard


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium package to run the browser tests")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page_problems() -> PageProblems:
    return PageProblems()


@pytest.fixture
def new_page(browser: Browser, page_problems: PageProblems) -> Iterator[Callable[..., Page]]:
    """Open a page in a fresh context (no cookies) on a desktop or phone viewport."""

    with ExitStack() as stack:

        def open_page(device: dict[str, Any] = DESKTOP, **context_options: Any) -> Page:
            options = {"timezone_id": TIMEZONE, "locale": LOCALE, **device, **context_options}
            context = browser.new_context(**options)
            stack.callback(context.close)

            def keep_on_loopback(route: Route) -> None:
                if urlsplit(route.request.url).hostname == "127.0.0.1":
                    route.continue_()
                    return
                page_problems.blocked_requests.append(route.request.url)
                route.abort()

            context.route("**/*", keep_on_loopback)
            page = context.new_page()
            page.on("console", page_problems.record_console)
            page.on("pageerror", page_problems.record_exception)
            return page

        yield open_page
