"""custom-api and extension output in a browser: Glance's classes, relative times and collapsible lists work."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import datetime, timezone

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import LiveDashboard, PageProblems, load
from tests.support.json_api import JsonApi, json_api

pytestmark = pytest.mark.browser

CONFIG = """
pages:
  - name: Home
    columns:
      - size: full
        widgets:
          - type: custom-api
            title: Releases
            url: {releases}
            template: |
              <ul class="list list-gap-10 collapsible-container" data-collapse-after="2">
                {{{{ range .JSON.Array "releases" }}}}
                <li class="flex justify-between">
                  <span class="color-highlight">{{{{ .String "name" }}}}</span>
                  <span class="size-h5" {{{{ .String "published" | parseRelativeTime "rfc3339" }}}}></span>
                </li>
                {{{{ end }}}}
              </ul>
              <svg class="monitor-site-status-icon-compact" fill="rgb(10, 20, 30)" viewBox="0 0 20 20"><path d="M0 0h20v20H0z"/></svg>
          - type: extension
            title: Backups
            url: {extension}
"""


@pytest.fixture
def api() -> Iterator[JsonApi]:
    with json_api() as running:
        yield running


def rfc3339(seconds_ago: float) -> str:
    return datetime.fromtimestamp(time.time() - seconds_ago, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def open_dashboard(serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page], api: JsonApi) -> Page:
    releases = [{"name": "v3.0", "published": rfc3339(3 * 3600 + 60)}, {"name": "v2.9", "published": rfc3339(2 * 86400)},
                {"name": "v2.8", "published": rfc3339(40 * 86400)}]
    api.reply("/releases", {"releases": releases})
    api.reply("/extension", "<b>3 backups</b>", headers={"Widget-Content-Type": "html"})
    dashboard = serve_dashboard(CONFIG.format(releases=api.url("/releases"), extension=api.url("/extension")))
    dashboard.refresh(dashboard.widget("custom-api"))
    dashboard.refresh(dashboard.widget("extension"))

    page = new_page()
    load(page, dashboard.url)
    return page


def test_relative_times_short_form(
    serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page], api: JsonApi
) -> None:
    page = open_dashboard(serve_dashboard, new_page, api)

    times = page.locator(".custom-api [data-dynamic-relative-time]")

    expect(times.nth(0)).to_have_text("3h")
    expect(times.nth(1)).to_have_text("2d")
    expect(times.nth(2)).to_have_text("1mo")


def test_collapsible_list_and_classes(
    serve_dashboard: Callable[[str], LiveDashboard],
    new_page: Callable[..., Page],
    api: JsonApi,
    page_problems: PageProblems,
) -> None:
    page = open_dashboard(serve_dashboard, new_page, api)

    items = page.locator(".custom-api li")

    expect(items.nth(2)).to_be_hidden()
    expect(page.locator(".widget-type-custom-api .expand-toggle-button")).to_have_text("Show 1 more")
    assert items.nth(0).evaluate("element => getComputedStyle(element).display") == "flex"
    assert page_problems.console_errors == []


def test_template_icon_keeps_its_fill(
    serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page], api: JsonApi
) -> None:
    page = open_dashboard(serve_dashboard, new_page, api)

    icon = page.locator(".custom-api svg")

    assert icon.evaluate("element => getComputedStyle(element).fill") == "rgb(10, 20, 30)"
    assert icon.evaluate("element => getComputedStyle(element).stroke") == "none"
    assert icon.evaluate("element => element.getBoundingClientRect().width") == 18


def test_extension_html_escaped(
    serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page], api: JsonApi
) -> None:
    page = open_dashboard(serve_dashboard, new_page, api)

    extension = page.locator(".widget-type-extension")

    expect(extension.locator("pre.extension-text")).to_have_text("<b>3 backups</b>")
    expect(extension.locator("b")).to_have_count(0)
