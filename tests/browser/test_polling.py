"""Without EventSource the page polls its content every 15 s and still shows changes."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import LiveDashboard, load
from tests.support.threaded_http import threaded_service

pytestmark = pytest.mark.browser

MONITOR = """
pages:
  - name: Home
    columns:
      - size: full
        widgets:
          - type: monitor
            title: Services
            retries: 0
            sites:
              - title: NAS
                url: {url}
"""


def test_polling_shows_change_without_eventsource(
    serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page]
) -> None:
    with threaded_service() as service:
        dashboard = serve_dashboard(MONITOR.format(url=service.url))
        monitor = dashboard.widget("monitor")
        dashboard.refresh(monitor)
        page = new_page()
        page.add_init_script("delete window.EventSource")
        page.clock.install()
        load(page, dashboard.url)
        page.evaluate("window.loadedOnce = true")
        expect(page.locator(".monitor-site-up")).to_have_count(1)

        service.status = 503
        # A site is checked again once its interval has passed on the dashboard's clock.
        dashboard.run(dashboard.clock.advance(15))
        dashboard.refresh(monitor)
        page.clock.run_for(16_000)

        expect(page.locator(".monitor-site-down")).to_have_count(1)
        expect(page.locator("[data-live-indicator]")).to_have_text("Refreshing every 15 s")
        assert page.evaluate("window.loadedOnce") is True
