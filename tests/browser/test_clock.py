"""The clock widget keeps time in the browser, and Playwright's fake clock moves it past minute boundaries.

The browser runs in UTC (see support.TIMEZONE), so local time is UTC.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.support import LiveDashboard, PageProblems, load

pytestmark = pytest.mark.browser

CLOCK_24H = """
pages:
  - name: Home
    columns:
      - size: full
        widgets:
          - type: clock
            timezones:
              - timezone: America/New_York
                label: New York
              - timezone: Asia/Tokyo
                label: Tokyo
              - timezone: Asia/Kolkata
"""

CLOCK_12H = """
pages:
  - name: Home
    columns:
      - size: full
        widgets:
          - type: clock
            hour-format: 12h
"""

# Thursday 15 January 2026, 30 seconds before noon UTC. New York is on EST (UTC-5) then.
BEFORE_NOON = datetime(2026, 1, 15, 11, 59, 30, tzinfo=UTC)
BEFORE_MIDNIGHT = datetime(2026, 1, 15, 23, 59, 50, tzinfo=UTC)


def local_time(page: Page) -> Locator:
    return page.locator(".clock-local [data-clock-time]")


def zone(page: Page, name: str) -> Locator:
    return page.locator(f'[data-clock-zone="{name}"]')


def open_clock_at(new_page: Callable[..., Page], url: str, moment: datetime) -> Page:
    page = new_page()
    page.clock.install(time=moment)
    load(page, url)
    return page


def test_local_time_ticks_past_minute(
    serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page], page_problems: PageProblems
) -> None:
    dashboard = serve_dashboard(CLOCK_24H)
    page = open_clock_at(new_page, dashboard.url, BEFORE_NOON)
    expect(local_time(page)).to_have_text("11:59")

    page.clock.run_for(31_000)

    expect(local_time(page)).to_have_text("12:00")
    assert page_problems.console_errors == []


def test_local_date_shown(serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page]) -> None:
    dashboard = serve_dashboard(CLOCK_24H)

    page = open_clock_at(new_page, dashboard.url, BEFORE_NOON)

    expect(page.locator("[data-clock-weekday]")).to_have_text("Thursday")
    expect(page.locator("[data-clock-date]")).to_have_text("January 15, 2026")


def test_zone_times_and_offsets(serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page]) -> None:
    dashboard = serve_dashboard(CLOCK_24H)

    page = open_clock_at(new_page, dashboard.url, BEFORE_NOON)

    expect(zone(page, "America/New_York").locator("[data-clock-time]")).to_have_text("06:59")
    expect(zone(page, "America/New_York").locator("[data-clock-offset]")).to_have_text("-5h")
    expect(zone(page, "Asia/Tokyo").locator("[data-clock-time]")).to_have_text("20:59")
    expect(zone(page, "Asia/Tokyo").locator("[data-clock-offset]")).to_have_text("+9h")
    expect(zone(page, "Asia/Kolkata").locator("[data-clock-time]")).to_have_text("17:29")
    expect(zone(page, "Asia/Kolkata").locator("[data-clock-offset]")).to_have_text("+5h30m")


def test_zone_label_defaults_to_city(
    serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page]
) -> None:
    dashboard = serve_dashboard(CLOCK_24H)

    page = open_clock_at(new_page, dashboard.url, BEFORE_NOON)

    expect(zone(page, "Asia/Kolkata").locator(".clock-zone-label")).to_have_text("Kolkata")
    expect(zone(page, "America/New_York").locator(".clock-zone-label")).to_have_text("New York")


def test_zone_times_tick_with_local(serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page]) -> None:
    dashboard = serve_dashboard(CLOCK_24H)
    page = open_clock_at(new_page, dashboard.url, BEFORE_NOON)

    page.clock.run_for(31_000)

    expect(zone(page, "America/New_York").locator("[data-clock-time]")).to_have_text("07:00")
    expect(zone(page, "Asia/Tokyo").locator("[data-clock-time]")).to_have_text("21:00")


def test_midnight_shows_zero_hour_and_next_day(
    serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page]
) -> None:
    dashboard = serve_dashboard(CLOCK_24H)
    page = open_clock_at(new_page, dashboard.url, BEFORE_MIDNIGHT)
    expect(local_time(page)).to_have_text("23:59")

    page.clock.run_for(11_000)

    expect(local_time(page)).to_have_text("00:00")
    expect(page.locator("[data-clock-weekday]")).to_have_text("Friday")
    expect(page.locator("[data-clock-date]")).to_have_text("January 16, 2026")


def test_twelve_hour_clock_shows_period(
    serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page]
) -> None:
    dashboard = serve_dashboard(CLOCK_12H)
    page = open_clock_at(new_page, dashboard.url, BEFORE_NOON)
    expect(local_time(page)).to_have_text("11:59")
    expect(page.locator(".clock-local [data-clock-period]")).to_have_text("AM")

    page.clock.run_for(31_000)

    expect(local_time(page)).to_have_text("12:00")
    expect(page.locator(".clock-local [data-clock-period]")).to_have_text("PM")


def test_clock_catches_up_after_sleep(
    serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page]
) -> None:
    dashboard = serve_dashboard(CLOCK_24H)
    page = open_clock_at(new_page, dashboard.url, BEFORE_NOON)

    # A laptop lid closed for an hour: time jumps without the timers firing in between.
    page.clock.fast_forward("01:00:00")

    expect(local_time(page)).to_have_text("12:59")
