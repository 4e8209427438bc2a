"""Initialisers run again on the same elements, or on a widget a live update replaced.

The page's scripts set up each element once and mark it, so a second run
adds no listener, timer or poll, and a replaced widget works like the first.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, Request, expect

from tests.browser.support import PAST_FIRST_POLL_MS, LiveDashboard, PageProblems, load

pytestmark = pytest.mark.browser

WIDGETS = """
pages:
  - name: Home
    columns:
      - size: full
        widgets:
          - type: group
            widgets:
              - type: html
                title: One
                source: <p>One</p>
              - type: html
                title: Two
                title-url: https://example.org/two
                source: <p>Two</p>
              - type: html
                title: Three
                source: <p>Three</p>
          - type: split-column
            widgets:
              - type: html
                source: <p>Left</p>
              - type: html
                source: <p>Right</p>
              - type: html
                source: <p>Below</p>
          - type: monitor
            sites:
              - title: luna itself
                url: ${LUNA_SELF_URL}
"""

# Runs page.js's setupContent on the whole document again. A dynamic import
# returns the module instance the page already loaded.
SET_UP_AGAIN = """
async () => {
  const entry = document.querySelector('script[type="module"]').src;
  const page = await import(entry);
  page.setupContent(document);
}
"""

# Fetches the widget's content and swaps it in, as a live update does.
REPLACE_WIDGET = """
async (widgetId) => {
  const entry = document.querySelector('script[type="module"]').src;
  const widgets = await import(new URL("widgets.js", entry));
  const html = await widgets.fetchWidget(`/api/widgets/${widgetId}/content/`);
  widgets.replaceWidget(widgetId, html);
}
"""

def test_second_setup_adds_no_tab_listener(
    serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page], page_problems: PageProblems
) -> None:
    dashboard = serve_dashboard(WIDGETS)
    page = new_page()
    load(page, dashboard.url)
    page.evaluate(SET_UP_AGAIN)

    page.get_by_role("tab", name="Two").click()

    # A second click listener would find the tab already selected and open its title-url.
    expect(page.get_by_role("tab", name="Two")).to_have_attribute("aria-selected", "true")
    assert len(page.context.pages) == 1
    assert page_problems.blocked_requests == []


def test_second_setup_keeps_split_columns(
    serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page]
) -> None:
    dashboard = serve_dashboard(WIDGETS)
    page = new_page()
    load(page, dashboard.url)

    page.evaluate(SET_UP_AGAIN)

    expect(page.locator(".masonry-column")).to_have_count(2)
    expect(page.locator(".masonry-column > .masonry-item")).to_have_count(3)


def test_second_setup_polls_pending_once(
    serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page]
) -> None:
    dashboard = serve_dashboard(WIDGETS)
    page = new_page()
    page.clock.install()
    load(page, dashboard.url)
    polls: list[str] = []

    def count_poll(request: Request) -> None:
        if "/content/" in request.url:
            polls.append(request.url)

    page.on("request", count_poll)
    page.evaluate(SET_UP_AGAIN)
    with page.expect_response("**/content/"):
        page.clock.run_for(PAST_FIRST_POLL_MS)

    assert len(polls) == 1


def test_replaced_group_keeps_chosen_tab(
    serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page]
) -> None:
    dashboard = serve_dashboard(WIDGETS)
    page = new_page()
    load(page, dashboard.url)
    page.get_by_role("tab", name="Three").click()

    page.evaluate(REPLACE_WIDGET, dashboard.widget("group").id)

    expect(page.get_by_role("tab", name="Three")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("tabpanel", name="Three")).to_be_visible()


def test_replaced_group_tabs_still_switch(
    serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page]
) -> None:
    dashboard = serve_dashboard(WIDGETS)
    page = new_page()
    load(page, dashboard.url)
    page.evaluate(REPLACE_WIDGET, dashboard.widget("group").id)

    page.get_by_role("tab", name="Two").click()

    expect(page.get_by_role("tabpanel", name="Two")).to_be_visible()
    expect(page.locator("[data-group-panel='0']")).to_be_hidden()


def test_replaced_split_column_child_laid_out(
    serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page]
) -> None:
    dashboard = serve_dashboard(WIDGETS)
    page = new_page()
    load(page, dashboard.url)
    left = dashboard.widget("html", 3)

    page.evaluate(REPLACE_WIDGET, left.id)
    page.set_viewport_size({"width": 600, "height": 900})

    # After the resize the masonry lays out the replacement, not a detached copy.
    page.wait_for_function("document.querySelectorAll('.masonry-column').length === 1")
    expect(page.locator(f"[data-widget-id='{left.id}']")).to_have_count(1)
    expect(page.get_by_text("Left", exact=True)).to_be_visible()
