"""A widget whose first refresh has not finished shows its waiting state, then fills in without a reload.

A monitor knows its sites before any check, so its waiting state lists them as "Checking…".
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect

from luna.widgets.base import WidgetState
from tests.browser.support import PAST_FIRST_POLL_MS, LiveDashboard, PageProblems, load

pytestmark = pytest.mark.browser

MONITOR = """
pages:
  - name: Home
    columns:
      - size: full
        widgets:
          - type: monitor
            title: Services
            sites:
              - title: luna itself
                url: ${LUNA_SELF_URL}
"""

def monitor(page: Page) -> Locator:
    return page.locator(".widget-type-monitor")


def open_pending_page(new_page: Callable[..., Page], url: str) -> Page:
    """Open the page with Playwright's clock, so pending.js polls only when the test moves time."""

    page = new_page()
    page.clock.install()
    load(page, url)
    # Set on this document only: a reload would lose it.
    page.evaluate("window.lunaTestMarker = 'same document'")
    return page


def test_waiting_state_before_first_refresh(
    serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page]
) -> None:
    dashboard = serve_dashboard(MONITOR)

    page = open_pending_page(new_page, dashboard.url)

    expect(monitor(page).locator(".monitor-site-pending")).to_be_visible()
    expect(monitor(page).locator(".monitor-site-label")).to_have_text("Checking…")
    expect(monitor(page).locator(".widget-title")).to_have_text("Services")


def test_waiting_state_kept_while_loading(
    serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page]
) -> None:
    dashboard = serve_dashboard(MONITOR)
    page = open_pending_page(new_page, dashboard.url)

    with page.expect_response("**/api/widgets/*/content/"):
        page.clock.run_for(PAST_FIRST_POLL_MS)

    expect(monitor(page).locator(".monitor-site-label")).to_have_text("Checking…")


def test_data_fills_in_without_reload(
    serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page], page_problems: PageProblems
) -> None:
    dashboard = serve_dashboard(MONITOR)
    page = open_pending_page(new_page, dashboard.url)
    expect(monitor(page).locator(".monitor-site-pending")).to_be_visible()

    dashboard.refresh(dashboard.widget("monitor"))
    page.clock.run_for(PAST_FIRST_POLL_MS)

    expect(monitor(page).locator(".monitor-site-label")).to_have_text("OK")
    expect(monitor(page).locator(".monitor-site-pending")).to_have_count(0)
    assert page.evaluate("window.lunaTestMarker") == "same document"
    assert page_problems.console_errors == []


def test_filled_widget_gets_relative_time(
    serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page]
) -> None:
    dashboard = serve_dashboard(MONITOR)
    page = open_pending_page(new_page, dashboard.url)

    dashboard.refresh(dashboard.widget("monitor"))
    page.clock.run_for(PAST_FIRST_POLL_MS)

    # The initialisers ran on the new element: its check time is written out.
    expect(monitor(page).locator(".monitor-site-checked")).to_have_text("checked just now")


def test_failed_first_refresh_replaces_placeholder(
    serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page]
) -> None:
    dashboard = serve_dashboard(MONITOR)
    page = open_pending_page(new_page, dashboard.url)

    failed = WidgetState().after_failure("timed out after 30s", dashboard.clock.now())
    dashboard.set_state(dashboard.widget("monitor"), failed)
    page.clock.run_for(PAST_FIRST_POLL_MS)

    expect(monitor(page).locator(".widget-error-title")).to_have_text("Could not load this widget")
    expect(monitor(page).locator(".widget-error-reason")).to_have_text("timed out after 30s")
    assert page.evaluate("window.lunaTestMarker") == "same document"
