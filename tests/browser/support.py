"""Helpers for browser tests: luna served on loopback and driven from the test thread, and devices.

Every luna started here runs on a `ManualClock`, so no widget refreshes on
its own: a test calls `LiveDashboard.refresh` when it wants data, and the
refresh has finished when the call returns.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Coroutine
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import ConsoleMessage, Page

from luna.clock import ManualClock
from luna.config.loader import LoadedConfig
from luna.demo.service import DemoService
from luna.runtime import Runtime
from luna.server import Services
from luna.web.app import create_app
from luna.web.rendering import render_with_ancestors
from luna.widgets.base import Widget, WidgetState
from tests.support.servers import serve_in_thread

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

DESKTOP: dict[str, Any] = {"viewport": {"width": 1400, "height": 900}}
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
# Fixed so clock tests and screenshots read the same on every machine.
TIMEZONE = "UTC"
LOCALE = "en-US"

# Seconds a call into the server's event loop may take, such as one monitor refresh.
LOOP_CALL_TIMEOUT = 30.0
# Milliseconds of Playwright's fake clock that pass pending.js's first poll (at 500 ms) but not its second.
PAST_FIRST_POLL_MS = 1_000


@dataclass
class LiveDashboard:
    """luna serving one configuration on 127.0.0.1, driven from the test thread."""

    url: str
    runtime: Runtime
    clock: ManualClock
    loop: asyncio.AbstractEventLoop
    demo: DemoService | None = None
    demo_clock: ManualClock | None = None

    def run(self, coroutine: Coroutine[Any, Any, Any]) -> Any:
        """Run a coroutine on the server's event loop and return its result."""

        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=LOOP_CALL_TIMEOUT)

    def widget(self, widget_type: str, index: int = 0) -> Widget:
        """The `index`-th widget of this type, in page and column order."""

        found = [widget for widget in self.runtime.dashboard.all_widgets() if widget.type == widget_type]
        return found[index]

    def widget_titled(self, title: str) -> Widget:
        return next(widget for widget in self.runtime.dashboard.all_widgets() if widget.title == title)

    def refresh(self, widget: Widget) -> None:
        """Refresh a widget now, as its scheduled task would, and return once the result is rendered."""

        scheduler = self.runtime.scheduler
        if scheduler is None:
            raise RuntimeError("the dashboard is not running: its scheduler is missing")
        # A monitor confirms a failure after a delay on the dashboard's clock,
        # which only moves when a test moves it: confirm at once instead.
        if hasattr(widget, "retry_delay"):
            widget.retry_delay = 0.0
        self.run(scheduler.refresh_once(widget))

    def set_state(self, widget: Widget, state: WidgetState) -> None:
        """Put a widget into a state no real upstream gives on demand, such as a failed first refresh."""

        async def apply() -> None:
            widget.state = state
            render_with_ancestors(widget, self.runtime.renderer)

        self.run(apply())

    def advance_demo(self, seconds: float) -> None:
        """Move the demo service's clock, so it goes down or comes back."""

        if self.demo_clock is None:
            raise RuntimeError("this dashboard does not run the demo service")
        self.run(self.demo_clock.advance(seconds))


def serve_live(stack: ExitStack, loaded: LoadedConfig, port: int, services: Services | None = None) -> LiveDashboard:
    """Serve a configuration in a background thread until `stack` closes."""

    # Started at the real time, because the browser compares check times with its own clock.
    clock = ManualClock(start=time.time())
    runtime = Runtime(loaded, clock=clock)
    loops: list[asyncio.AbstractEventLoop] = []

    async def remember_loop(runtime: Runtime) -> None:
        loops.append(asyncio.get_running_loop())

    on_startup = [remember_loop] + ([services.start] if services else [])
    on_shutdown = [services.stop] if services else []
    app = create_app(runtime, on_startup=on_startup, on_shutdown=on_shutdown)
    url = stack.enter_context(serve_in_thread(app, port=port))
    return LiveDashboard(url=url, runtime=runtime, clock=clock, loop=loops[0])


@dataclass
class PageProblems:
    """What went wrong in the pages of one test: console errors, uncaught exceptions, blocked requests."""

    console_errors: list[str] = field(default_factory=list)
    blocked_requests: list[str] = field(default_factory=list)

    def record_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append(f"{message.text} ({message.location.get('url', '')})")

    def record_exception(self, error: Exception) -> None:
        self.console_errors.append(f"uncaught: {error}")


def load(page: Page, url: str) -> None:
    """Go to a luna page and wait until its scripts have set everything up."""

    page.goto(url)
    page.wait_for_selector("html.page-ready", state="attached")


# Scripts for `page.evaluate` that do what page.js does on a live update. A
# dynamic import returns the module instance the page already loaded.

# Runs page.js's setupContent on the whole document again.
SET_UP_AGAIN = """
async () => {
  const entry = document.querySelector('script[type="module"]').src;
  const page = await import(entry);
  page.setupContent(document);
}
"""

# Fetches one widget's content and swaps it in; takes the widget id.
REPLACE_WIDGET = """
async (widgetId) => {
  const entry = document.querySelector('script[type="module"]').src;
  const widgets = await import(new URL("widgets.js", entry));
  const html = await widgets.fetchWidget(`/api/widgets/${widgetId}/content/`);
  widgets.replaceWidget(widgetId, html);
}
"""

# Fetches the page content and swaps it in, as after a configuration reload.
REFRESH_PAGE = """
async () => {
  const entry = document.querySelector('script[type="module"]').src;
  const widgets = await import(new URL("widgets.js", entry));
  await widgets.refreshPage();
}
"""
