"""The search widget of the demo: Enter, bangs and the keyboard shortcuts.

Requests to the search engines are fulfilled by a route handler, so the
browser leaves the page but nothing leaves the machine.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, Route, expect

from tests.browser.support import LiveDashboard, PageProblems, load

pytestmark = pytest.mark.browser

ENGINE_PAGE = "<!DOCTYPE html><title>engine</title><p>Results</p>"


def fulfil_engine_requests(page: Page) -> list[str]:
    """Fulfil requests to DuckDuckGo and Wikipedia with a stand-in page and return the URLs requested."""

    requested: list[str] = []

    def fulfil(route: Route) -> None:
        requested.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body=ENGINE_PAGE)

    # Routed on the context, so a new tab opened by Ctrl+Enter is fulfilled too.
    page.context.route("https://duckduckgo.com/**", fulfil)
    page.context.route("https://en.wikipedia.org/**", fulfil)
    return requested


def search_input(page: Page) -> Locator:
    return page.locator("[data-search] .search-input")


def is_focused(page: Page, selector: str) -> bool:
    return page.evaluate("(selector) => document.activeElement === document.querySelector(selector)", selector)


def test_enter_searches_with_encoded_query(
    demo_dashboard: LiveDashboard, new_page: Callable[..., Page], page_problems: PageProblems
) -> None:
    page = new_page()
    requested = fulfil_engine_requests(page)
    load(page, demo_dashboard.url)

    search_input(page).fill("cats & dogs/50%")
    search_input(page).press("Enter")

    page.wait_for_url("https://duckduckgo.com/**")
    assert requested == ["https://duckduckgo.com/?q=cats%20%26%20dogs%2F50%25"]
    assert page_problems.blocked_requests == []


def test_bang_shows_its_title(demo_dashboard: LiveDashboard, new_page: Callable[..., Page]) -> None:
    page = new_page()
    load(page, demo_dashboard.url)

    search_input(page).press_sequentially("!w Ada")

    expect(page.locator("[data-search-bang]")).to_be_visible()
    expect(page.locator("[data-search-bang]")).to_have_text("Wikipedia")


def test_bang_title_hidden_without_shortcut(demo_dashboard: LiveDashboard, new_page: Callable[..., Page]) -> None:
    page = new_page()
    load(page, demo_dashboard.url)
    search_input(page).press_sequentially("!w Ada")

    search_input(page).fill("")
    search_input(page).press_sequentially("Ada !w")

    expect(page.locator("[data-search-bang]")).to_be_hidden()


def test_bang_searches_with_its_url(demo_dashboard: LiveDashboard, new_page: Callable[..., Page]) -> None:
    page = new_page()
    requested = fulfil_engine_requests(page)
    load(page, demo_dashboard.url)

    search_input(page).press_sequentially("!w Ada Lovelace")
    search_input(page).press("Enter")

    page.wait_for_url("https://en.wikipedia.org/**")
    assert requested == ["https://en.wikipedia.org/w/index.php?search=Ada%20Lovelace"]


def test_empty_query_stays_on_page(demo_dashboard: LiveDashboard, new_page: Callable[..., Page]) -> None:
    page = new_page()
    requested = fulfil_engine_requests(page)
    load(page, demo_dashboard.url)

    search_input(page).press_sequentially("!w ")
    search_input(page).press("Enter")

    expect(search_input(page)).to_have_value("!w ")
    assert requested == []


def test_escape_leaves_search_box(demo_dashboard: LiveDashboard, new_page: Callable[..., Page]) -> None:
    page = new_page()
    load(page, demo_dashboard.url)
    search_input(page).focus()

    search_input(page).press("Escape")

    assert not is_focused(page, "[data-search] .search-input")


def test_s_key_focuses_search_box(demo_dashboard: LiveDashboard, new_page: Callable[..., Page]) -> None:
    page = new_page()
    load(page, demo_dashboard.url)

    page.keyboard.press("s")

    assert is_focused(page, "[data-search] .search-input")
    expect(search_input(page)).to_have_value("")


def test_hint_click_focuses_search_box(demo_dashboard: LiveDashboard, new_page: Callable[..., Page]) -> None:
    page = new_page()
    load(page, demo_dashboard.url)

    page.locator(".search-hint").click()

    assert is_focused(page, "[data-search] .search-input")


def test_s_key_types_inside_box(demo_dashboard: LiveDashboard, new_page: Callable[..., Page]) -> None:
    page = new_page()
    load(page, demo_dashboard.url)
    page.keyboard.press("s")

    page.keyboard.type("stats")

    expect(search_input(page)).to_have_value("stats")


def test_ctrl_enter_opens_new_tab(demo_dashboard: LiveDashboard, new_page: Callable[..., Page]) -> None:
    page = new_page()
    requested = fulfil_engine_requests(page)
    load(page, demo_dashboard.url)
    search_input(page).fill("luna")

    with page.expect_popup() as popup:
        search_input(page).press("Control+Enter")
    popup.value.wait_for_load_state()

    assert requested == ["https://duckduckgo.com/?q=luna"]
    assert page.url.startswith(demo_dashboard.url)


def test_up_arrow_restores_last_query(demo_dashboard: LiveDashboard, new_page: Callable[..., Page]) -> None:
    page = new_page()
    fulfil_engine_requests(page)
    load(page, demo_dashboard.url)
    search_input(page).fill("first query")
    with page.expect_popup():
        search_input(page).press("Control+Enter")
    expect(search_input(page)).to_have_value("")

    search_input(page).press("ArrowUp")

    expect(search_input(page)).to_have_value("first query")
