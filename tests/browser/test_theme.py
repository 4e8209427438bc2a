"""The theme picker in the header: switching presets, remembering the choice, closing the menu."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import PHONE, LiveDashboard, PageProblems, load

pytestmark = pytest.mark.browser

# The theme cookie lasts two years, as in Glance; more than one is enough to tell it from a session cookie.
YEAR_SECONDS = 365 * 24 * 3600


def pick_light_theme(page: Page) -> None:
    page.locator(".theme-picker-button").click()
    page.get_by_role("menuitemradio", name="Default light").click()


def background_colour(page: Page) -> str:
    return page.evaluate("getComputedStyle(document.body).backgroundColor")


def test_picker_switches_to_light(
    demo_dashboard: LiveDashboard, new_page: Callable[..., Page], page_problems: PageProblems
) -> None:
    page = new_page()
    load(page, demo_dashboard.url)
    dark_background = background_colour(page)

    pick_light_theme(page)

    expect(page.locator("html")).to_have_attribute("data-scheme", "light")
    expect(page.locator("html")).to_have_attribute("data-theme", "default-light")
    assert background_colour(page) != dark_background
    assert page_problems.console_errors == []


def test_picker_sets_theme_cookie(demo_dashboard: LiveDashboard, new_page: Callable[..., Page]) -> None:
    page = new_page()
    load(page, demo_dashboard.url)

    pick_light_theme(page)

    expect(page.locator("html")).to_have_attribute("data-scheme", "light")
    cookies = {cookie["name"]: cookie for cookie in page.context.cookies()}
    assert cookies["theme"]["value"] == "default-light"
    assert cookies["theme"]["path"] == "/"
    assert cookies["theme"]["sameSite"] == "Lax"
    assert cookies["theme"]["expires"] > time.time() + YEAR_SECONDS


def test_light_theme_survives_reload(demo_dashboard: LiveDashboard, new_page: Callable[..., Page]) -> None:
    page = new_page()
    load(page, demo_dashboard.url)
    pick_light_theme(page)
    expect(page.locator("html")).to_have_attribute("data-scheme", "light")

    page.reload()

    expect(page.locator("html")).to_have_attribute("data-scheme", "light")
    expect(page.locator('[data-theme-key="default-light"]')).to_have_attribute("aria-checked", "true")


def test_picker_closes_after_choice(demo_dashboard: LiveDashboard, new_page: Callable[..., Page]) -> None:
    page = new_page()
    load(page, demo_dashboard.url)

    pick_light_theme(page)

    expect(page.locator(".theme-picker-menu")).to_be_hidden()


def test_escape_closes_picker(demo_dashboard: LiveDashboard, new_page: Callable[..., Page]) -> None:
    page = new_page()
    load(page, demo_dashboard.url)
    page.locator(".theme-picker-button").click()
    expect(page.locator(".theme-picker-menu")).to_be_visible()

    page.keyboard.press("Escape")

    expect(page.locator(".theme-picker-menu")).to_be_hidden()


def test_picker_works_on_phone(demo_dashboard: LiveDashboard, new_page: Callable[..., Page]) -> None:
    page = new_page(PHONE)
    load(page, demo_dashboard.url)

    page.locator(".theme-picker-button").tap()
    page.get_by_role("menuitemradio", name="Default light").tap()

    expect(page.locator("html")).to_have_attribute("data-scheme", "light")
