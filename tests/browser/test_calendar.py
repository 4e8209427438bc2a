"""The calendar draws its month grid in the browser; Playwright's fake clock fixes the date and moves it past midnight.

The browser runs in UTC with the en-US locale (see support.TIMEZONE and LOCALE).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.support import REFRESH_PAGE, REPLACE_WIDGET, SET_UP_AGAIN, LiveDashboard, PageProblems, load

pytestmark = pytest.mark.browser

CALENDAR = """
pages:
  - name: Home
    columns:
      - size: full
        widgets:
          - type: calendar
"""

SUNDAY_FIRST = """
pages:
  - name: Home
    columns:
      - size: full
        widgets:
          - type: calendar
            first-day-of-week: sunday
"""

# Thursday 15 January 2026, midday UTC.
MID_JANUARY = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
BEFORE_MIDNIGHT = datetime(2026, 1, 31, 23, 59, 50, tzinfo=UTC)


def open_at(new_page: Callable[..., Page], url: str, moment: datetime) -> Page:
    page = new_page()
    page.clock.install(time=moment)
    load(page, url)
    return page


def title(page: Page) -> Locator:
    return page.locator(".calendar-title")


def today(page: Page) -> Locator:
    return page.locator(".calendar-day[aria-current='date']")


def days(page: Page) -> Locator:
    return page.locator(".calendar-day")


def test_month_grid_for_today(
    serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page], page_problems: PageProblems
) -> None:
    dashboard = serve_dashboard(CALENDAR)

    page = open_at(new_page, dashboard.url, MID_JANUARY)

    expect(title(page)).to_have_text("January 2026")
    expect(days(page)).to_have_count(42)
    expect(today(page)).to_have_attribute("data-calendar-date", "2026-01-15")
    assert page_problems.console_errors == []


def test_week_starts_monday_by_default(
    serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page]
) -> None:
    dashboard = serve_dashboard(CALENDAR)

    page = open_at(new_page, dashboard.url, MID_JANUARY)

    expect(page.locator(".calendar-weekdays > span").first).to_have_text("Mon")
    # 1 January 2026 is a Thursday, so the grid opens on Monday 29 December.
    expect(days(page).first).to_have_attribute("data-calendar-date", "2025-12-29")
    expect(days(page).first).to_have_class("calendar-day calendar-day-outside")


def test_week_starts_on_configured_day(
    serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page]
) -> None:
    dashboard = serve_dashboard(SUNDAY_FIRST)

    page = open_at(new_page, dashboard.url, MID_JANUARY)

    expect(page.locator(".calendar-weekdays > span").first).to_have_text("Sun")
    expect(days(page).first).to_have_attribute("data-calendar-date", "2025-12-28")


def test_next_month_shown(serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page]) -> None:
    dashboard = serve_dashboard(CALENDAR)
    page = open_at(new_page, dashboard.url, MID_JANUARY)

    page.get_by_role("button", name="Next month").click()

    expect(title(page)).to_have_text("February 2026")
    expect(today(page)).to_have_count(0)
    expect(page.get_by_role("button", name="Back to this month")).to_be_visible()


def test_previous_months_cross_year(serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page]) -> None:
    dashboard = serve_dashboard(CALENDAR)
    page = open_at(new_page, dashboard.url, MID_JANUARY)

    page.get_by_role("button", name="Previous month").click()
    page.get_by_role("button", name="Previous month").click()

    expect(title(page)).to_have_text("November 2025")


def test_back_to_this_month(serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page]) -> None:
    dashboard = serve_dashboard(CALENDAR)
    page = open_at(new_page, dashboard.url, MID_JANUARY)
    page.get_by_role("button", name="Next month").click()
    page.get_by_role("button", name="Next month").click()

    page.get_by_role("button", name="Back to this month").click()

    expect(title(page)).to_have_text("January 2026")
    expect(today(page)).to_have_text("15")
    expect(page.get_by_role("button", name="Back to this month")).to_be_hidden()


def test_rolls_over_at_midnight(serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page]) -> None:
    dashboard = serve_dashboard(CALENDAR)
    page = open_at(new_page, dashboard.url, BEFORE_MIDNIGHT)
    expect(today(page)).to_have_attribute("data-calendar-date", "2026-01-31")

    page.clock.run_for(20_000)

    expect(title(page)).to_have_text("February 2026")
    expect(today(page)).to_have_attribute("data-calendar-date", "2026-02-01")


def test_midnight_keeps_browsed_month(serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page]) -> None:
    dashboard = serve_dashboard(CALENDAR)
    page = open_at(new_page, dashboard.url, BEFORE_MIDNIGHT)
    page.get_by_role("button", name="Previous month").click()

    page.clock.run_for(20_000)

    expect(title(page)).to_have_text("December 2025")
    expect(page.get_by_role("button", name="Back to this month")).to_be_visible()


def test_browsed_month_survives_widget_swap(
    serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page]
) -> None:
    dashboard = serve_dashboard(CALENDAR)
    page = open_at(new_page, dashboard.url, MID_JANUARY)
    page.get_by_role("button", name="Next month").click()

    page.evaluate(REPLACE_WIDGET, dashboard.widget("calendar").id)

    expect(title(page)).to_have_text("February 2026")
    page.get_by_role("button", name="Next month").click()
    expect(title(page)).to_have_text("March 2026")


def test_browsed_month_survives_page_swap(
    serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page]
) -> None:
    dashboard = serve_dashboard(CALENDAR)
    page = open_at(new_page, dashboard.url, MID_JANUARY)
    page.get_by_role("button", name="Previous month").click()

    page.evaluate(REFRESH_PAGE)

    expect(title(page)).to_have_text("December 2025")


def test_second_setup_moves_one_month(
    serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page], page_problems: PageProblems
) -> None:
    dashboard = serve_dashboard(CALENDAR)
    page = open_at(new_page, dashboard.url, MID_JANUARY)
    page.evaluate(SET_UP_AGAIN)

    page.get_by_role("button", name="Next month").click()

    expect(title(page)).to_have_text("February 2026")
    assert page_problems.console_errors == []
