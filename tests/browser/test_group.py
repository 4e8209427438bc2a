"""Group widget tabs: switching panels by click and by arrow keys, and keeping the choice."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.support import PHONE, LiveDashboard, PageProblems, load

pytestmark = pytest.mark.browser

GROUP = """
pages:
  - name: Home
    columns:
      - size: full
        widgets:
          - type: group
            widgets:
              - type: html
                title: Notes
                source: <p class="notes">Notes panel</p>
              - type: bookmarks
                title: Links
                title-url: https://example.org/links
                groups:
                  - links:
                      - title: Router
                        url: http://192.168.1.1/
              - type: html
                title: Third
                source: <p class="third">Third panel</p>
"""


def tab(page: Page, name: str) -> Locator:
    return page.get_by_role("tab", name=name)


def panel(page: Page, index: int) -> Locator:
    return page.locator(f"[data-group-panel='{index}']")


def test_first_tab_shown_at_start(serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page]) -> None:
    dashboard = serve_dashboard(GROUP)
    page = new_page()

    load(page, dashboard.url)

    expect(tab(page, "Notes")).to_have_attribute("aria-selected", "true")
    expect(panel(page, 0)).to_be_visible()
    expect(panel(page, 1)).to_be_hidden()


def test_click_switches_panel(
    serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page], page_problems: PageProblems
) -> None:
    dashboard = serve_dashboard(GROUP)
    page = new_page()
    load(page, dashboard.url)

    tab(page, "Links").click()

    expect(panel(page, 1)).to_be_visible()
    expect(panel(page, 1).get_by_role("link", name="Router")).to_be_visible()
    expect(panel(page, 0)).to_be_hidden()
    expect(tab(page, "Links")).to_have_attribute("aria-selected", "true")
    expect(tab(page, "Notes")).to_have_attribute("aria-selected", "false")
    assert page_problems.console_errors == []


def test_tap_switches_panel_on_phone(
    serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page]
) -> None:
    dashboard = serve_dashboard(GROUP)
    page = new_page(PHONE)
    load(page, dashboard.url)

    tab(page, "Third").tap()

    expect(page.locator(".third")).to_be_visible()
    expect(page.locator(".notes")).to_be_hidden()


def test_arrow_keys_move_between_tabs(
    serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page]
) -> None:
    dashboard = serve_dashboard(GROUP)
    page = new_page()
    load(page, dashboard.url)
    tab(page, "Notes").focus()

    page.keyboard.press("ArrowLeft")

    expect(tab(page, "Third")).to_be_focused()
    expect(panel(page, 2)).to_be_visible()


def test_chosen_tab_kept_after_reload(
    serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page]
) -> None:
    dashboard = serve_dashboard(GROUP)
    page = new_page()
    load(page, dashboard.url)
    tab(page, "Links").click()

    page.reload()
    page.wait_for_selector("html.page-ready", state="attached")

    expect(panel(page, 1)).to_be_visible()
    expect(panel(page, 0)).to_be_hidden()


def test_clicking_chosen_tab_opens_title_url(
    serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page], page_problems: PageProblems
) -> None:
    dashboard = serve_dashboard(GROUP)
    page = new_page()
    load(page, dashboard.url)
    tab(page, "Links").click()

    with page.expect_popup() as popup:
        tab(page, "Links").click()

    # The route guard stops the new tab at the first request to example.org.
    popup.value.wait_for_load_state()
    assert page_problems.blocked_requests == ["https://example.org/links"]
