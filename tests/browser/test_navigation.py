"""Moving between pages: the header on a desktop, the bottom bar's menu on a phone."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import PHONE, LiveDashboard, load

pytestmark = pytest.mark.browser

TWO_PAGES = """
pages:
  - name: Home
    columns:
      - size: full
        widgets:
          - type: html
            source: '<div class="first-page" style="height: 3000px">First page</div>'
  - name: Second page
    columns:
      - size: full
        widgets:
          - type: html
            source: <p class="second-page">Second page</p>
"""


def test_header_link_opens_page(serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page]) -> None:
    dashboard = serve_dashboard(TWO_PAGES)
    page = new_page()
    load(page, dashboard.url)

    page.get_by_role("navigation", name="Pages").get_by_role("link", name="Second page").click()

    expect(page.locator(".second-page")).to_be_visible()
    expect(page.locator(".nav-item.current")).to_have_text("Second page")
    expect(page).to_have_title("Second page · Luna")


def test_phone_menu_opens_page(serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page]) -> None:
    dashboard = serve_dashboard(TWO_PAGES)
    page = new_page(PHONE)
    load(page, dashboard.url)

    page.locator(".mobile-pages > summary").tap()
    page.locator(".mobile-pages-menu").get_by_role("link", name="Second page").tap()

    expect(page.locator(".second-page")).to_be_visible()


def test_phone_menu_closes_on_outside_tap(
    serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page]
) -> None:
    dashboard = serve_dashboard(TWO_PAGES)
    page = new_page(PHONE)
    load(page, dashboard.url)
    page.locator(".mobile-pages > summary").tap()
    expect(page.locator(".mobile-pages-menu")).to_be_visible()

    page.locator(".first-page").tap(position={"x": 20, "y": 20})

    expect(page.locator(".mobile-pages-menu")).to_be_hidden()


def test_escape_closes_phone_menu(serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page]) -> None:
    dashboard = serve_dashboard(TWO_PAGES)
    page = new_page(PHONE)
    load(page, dashboard.url)
    page.locator(".mobile-pages > summary").tap()

    page.keyboard.press("Escape")

    expect(page.locator(".mobile-pages-menu")).to_be_hidden()
    expect(page.locator(".mobile-pages > summary")).to_be_focused()


def test_phone_top_link_scrolls_up(serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page]) -> None:
    dashboard = serve_dashboard(TWO_PAGES)
    page = new_page(PHONE)
    load(page, dashboard.url)
    page.evaluate("window.scrollTo({top: 2000, behavior: 'instant'})")

    page.get_by_role("link", name="Back to top").tap()

    page.wait_for_function("window.scrollY === 0")
