"""How pages look in their hard cases: long titles, many sites, failures, both themes, the 404 page."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.patterns import BROKEN_REASON, LONG_TITLE, PATTERNS, show_hard_states
from tests.browser.support import DESKTOP, OVERFLOWING_ELEMENTS, PHONE, LiveDashboard, PageProblems, load

pytestmark = pytest.mark.browser

DEVICES = {"desktop": DESKTOP, "phone": PHONE}
# WCAG 2 (level AA) requires 4.5:1 for body text. Subdued text (check times, descriptions) may have a little less.
MIN_BASE_CONTRAST = 4.5
MIN_SUBDUED_CONTRAST = 4.0
SUBDUED_TEXT = [".monitor-site-time", ".monitor-site-checked", ".bookmarks-description", ".widget-error-reason", ".clock-zone-offset"]
BASE_TEXT = [".clock-weekday", ".clock-period"]

# The contrast ratio (WCAG 2) of an element's text against the background of its widget.
TEXT_CONTRAST = """
(element) => {
  const channels = (colour) => colour.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const luminance = (colour) => {
    const [r, g, b] = channels(colour).map((value) => {
      const c = value / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const text = luminance(getComputedStyle(element).color);
  const background = luminance(getComputedStyle(element.closest(".widget-content")).backgroundColor);
  return (Math.max(text, background) + 0.05) / (Math.min(text, background) + 0.05);
}
"""


@pytest.fixture
def patterns(serve_dashboard: Callable[[str], LiveDashboard]) -> LiveDashboard:
    dashboard = serve_dashboard(PATTERNS)
    show_hard_states(dashboard)
    return dashboard


def open_patterns(new_page: Callable[..., Page], dashboard: LiveDashboard, device: str, scheme: str = "dark") -> Page:
    page = new_page(DEVICES[device])
    if scheme == "light":
        page.context.add_cookies([{"name": "theme", "value": "default-light", "url": dashboard.url}])
    load(page, dashboard.url)
    return page


@pytest.mark.parametrize("device", DEVICES)
def test_content_stays_inside_widgets(
    patterns: LiveDashboard, new_page: Callable[..., Page], page_problems: PageProblems, device: str
) -> None:
    page = open_patterns(new_page, patterns, device)

    assert page.evaluate(OVERFLOWING_ELEMENTS) == []
    assert page_problems.console_errors == []


@pytest.mark.parametrize("column", [0, 1])
def test_phone_never_scrolls_sideways(patterns: LiveDashboard, new_page: Callable[..., Page], column: int) -> None:
    page = open_patterns(new_page, patterns, "phone")

    page.locator(".mobile-column-pill").nth(column).tap()

    assert page.evaluate(OVERFLOWING_ELEMENTS) == []
    assert page.evaluate("document.documentElement.scrollWidth") == page.viewport_size["width"]


def test_long_site_title_cut_with_ellipsis(patterns: LiveDashboard, new_page: Callable[..., Page]) -> None:
    page = open_patterns(new_page, patterns, "phone")

    site = page.locator(".widget-type-monitor", has_text="Many sites").locator(".monitor-site", has_text=LONG_TITLE)
    title = site.locator(".monitor-site-title")
    status = site.locator(".monitor-site-status")

    assert title.evaluate("(element) => element.scrollWidth > element.clientWidth")
    assert title.evaluate("(element) => getComputedStyle(element).textOverflow") == "ellipsis"
    expect(status).to_be_in_viewport()


def test_many_sites_all_listed(patterns: LiveDashboard, new_page: Callable[..., Page]) -> None:
    page = open_patterns(new_page, patterns, "desktop")

    sites = page.locator(".widget-type-monitor", has_text="Many sites").locator(".monitor-site")

    expect(sites).to_have_count(10)
    expect(sites.locator(".monitor-site-status").last).to_be_visible()


def test_down_sites_marked_down(patterns: LiveDashboard, new_page: Callable[..., Page]) -> None:
    page = open_patterns(new_page, patterns, "desktop")

    widget = page.locator(".widget-type-monitor", has_text="Many sites")

    expect(widget.locator(".monitor-site", has_text="Refused")).to_have_class("monitor-site monitor-site-down")
    expect(widget.locator(".monitor-site", has_text="Missing page").locator(".monitor-site-label")).to_have_text(
        "Not Found"
    )


def test_failed_widget_shows_reason(patterns: LiveDashboard, new_page: Callable[..., Page]) -> None:
    page = open_patterns(new_page, patterns, "desktop")

    widget = page.locator(".widget-type-monitor", has_text="Broken")

    expect(widget.locator(".widget-error-title")).to_have_text("Could not load this widget")
    expect(widget.locator(".widget-error-reason")).to_have_text(BROKEN_REASON)


def test_stale_widget_marked_outdated(patterns: LiveDashboard, new_page: Callable[..., Page]) -> None:
    page = open_patterns(new_page, patterns, "desktop")

    widget = page.locator(".widget-type-monitor", has_text="Stale")
    marker = widget.locator(".widget-stale-marker")

    expect(widget).to_have_class("widget widget-type-monitor widget-is-stale")
    expect(marker).to_have_text("Outdated")
    expect(marker).to_have_attribute("title", "Showing older data: the last refresh failed (connection refused)")
    expect(widget.locator(".monitor-site-title")).to_have_text("Checked once")


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_text_readable_on_widgets(patterns: LiveDashboard, new_page: Callable[..., Page], scheme: str) -> None:
    page = open_patterns(new_page, patterns, "desktop", scheme)

    for selector in SUBDUED_TEXT:
        contrast = page.locator(selector).first.evaluate(TEXT_CONTRAST)
        assert contrast >= MIN_SUBDUED_CONTRAST, f"{selector}: contrast {contrast:.2f}"
    for selector in BASE_TEXT:
        contrast = page.locator(selector).first.evaluate(TEXT_CONTRAST)
        assert contrast >= MIN_BASE_CONTRAST, f"{selector}: contrast {contrast:.2f}"


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_keyboard_focus_visible(patterns: LiveDashboard, new_page: Callable[..., Page], scheme: str) -> None:
    page = open_patterns(new_page, patterns, "desktop", scheme)
    first_link = page.locator(".bookmarks-title").first
    first_link.focus()
    page.keyboard.press("Shift+Tab")

    page.keyboard.press("Tab")

    expect(first_link).to_be_focused()
    assert first_link.evaluate("(element) => getComputedStyle(element).outlineStyle") == "solid"


@pytest.mark.parametrize("device", DEVICES)
def test_not_found_page_links_home(patterns: LiveDashboard, new_page: Callable[..., Page], device: str) -> None:
    page = new_page(DEVICES[device])

    response = page.goto(f"{patterns.url}/no-such-page")
    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", name="This page does not exist")).to_be_visible()

    page.get_by_role("link", name="Go to the first page").click()

    expect(page.locator(".widget-type-clock")).to_be_attached()
