"""custom-api and extension output in a browser: Glance's classes, layouts and popovers, relative times, collapsed lists."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timezone

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import PHONE, REPLACE_WIDGET, SET_UP_AGAIN, LiveDashboard, PageProblems, load
from tests.support.json_api import JsonApi, json_api

pytestmark = pytest.mark.browser

# The start of a dashboard with one full-width column. A widget list follows it.
FULL_COLUMN = """
pages:
  - name: Home
    columns:
      - size: full
        widgets:
"""

CONFIG = FULL_COLUMN + """\
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


@pytest.fixture
def releases_page(serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page], api: JsonApi) -> Page:
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


def test_relative_times_short_form(releases_page: Page) -> None:
    page = releases_page

    times = page.locator(".custom-api [data-dynamic-relative-time]")

    expect(times.nth(0)).to_have_text("3h")
    expect(times.nth(1)).to_have_text("2d")
    expect(times.nth(2)).to_have_text("1mo")


def test_collapsible_list_and_classes(releases_page: Page, page_problems: PageProblems) -> None:
    page = releases_page

    items = page.locator(".custom-api li")

    expect(items.nth(2)).to_be_hidden()
    expect(page.locator(".widget-type-custom-api .expand-toggle-button")).to_have_text("Show 1 more")
    assert items.nth(0).evaluate("element => getComputedStyle(element).display") == "flex"
    assert page_problems.console_errors == []


def test_template_icon_keeps_its_fill(releases_page: Page) -> None:
    page = releases_page

    icon = page.locator(".custom-api svg")

    assert icon.evaluate("element => getComputedStyle(element).fill") == "rgb(10, 20, 30)"
    assert icon.evaluate("element => getComputedStyle(element).stroke") == "none"
    assert icon.evaluate("element => element.getBoundingClientRect().width") == 18


def test_extension_html_escaped(releases_page: Page) -> None:
    page = releases_page

    extension = page.locator(".widget-type-extension")

    expect(extension.locator("pre.extension-text")).to_have_text("<b>3 backups</b>")
    expect(extension.locator("b")).to_have_count(0)


# Popovers, with Glance's attributes. The template escapes the note into the
# attribute; the page must show it as text, tags and all.
POPOVERS = FULL_COLUMN + """\
          - type: custom-api
            title: Pools
            url: {pools}
            template: |
              <div class="flex justify-between">
                <span class="color-highlight" data-popover-type="text" data-popover-text="{{{{ .JSON.String "note" }}}}">Tank</span>
                <div class="text-right" data-popover-type="html" data-popover-position="above" data-popover-max-width="400px">
                  <span>Disks</span>
                  <div data-popover-html>
                    <ul class="list list-gap-4">
                      {{{{ range .JSON.Array "disks" }}}}<li class="color-positive">{{{{ .String "name" }}}}</li>{{{{ end }}}}
                    </ul>
                    <p>{{{{ .JSON.String "history" }}}}</p>
                  </div>
                </div>
              </div>
"""
NOTE = "Scrub <b>finished</b> & healthy"
# Opens the popover page with keyword arguments for `new_page`, such as a device.
OpenPopovers = Callable[..., tuple[Page, LiveDashboard]]
# Past the default show delay of 200 ms.
PAST_SHOW_DELAY_MS = 250
# Past the default hide delay of 500 ms.
PAST_HIDE_DELAY_MS = 600


def open_popovers(
    serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page], api: JsonApi, **device: object
) -> tuple[Page, LiveDashboard]:
    history = " ".join(["Resilvered after a disk swap, then scrubbed without errors."] * 6)
    api.reply("/pools", {"note": NOTE, "disks": [{"name": "sda"}, {"name": "sdb"}, {"name": "sdc"}], "history": history})
    dashboard = serve_dashboard(POPOVERS.format(pools=api.url("/pools")))
    dashboard.refresh(dashboard.widget("custom-api"))

    page = new_page(**device)
    page.clock.install()
    load(page, dashboard.url)
    return page, dashboard


@pytest.fixture
def popovers(
    serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page], api: JsonApi
) -> OpenPopovers:
    """Return `open_popovers` bound to this test's fixtures. Its keyword arguments choose the device."""

    return functools.partial(open_popovers, serve_dashboard, new_page, api)


def hover(page: Page, text: str) -> None:
    """Rest the mouse on the element with this text until its popover's show delay has passed."""

    page.get_by_text(text).hover()
    page.clock.run_for(PAST_SHOW_DELAY_MS)


def test_text_popover_shows_on_hover(popovers: OpenPopovers) -> None:
    page, _ = popovers()
    popover = page.locator(".popover")

    hover(page, "Tank")

    expect(popover).to_be_visible()
    expect(popover).to_have_text(NOTE)
    expect(popover.locator("b")).to_have_count(0)


def test_text_popover_hides_after_leave(popovers: OpenPopovers) -> None:
    page, _ = popovers()
    popover = page.locator(".popover")
    hover(page, "Tank")
    expect(popover).to_be_visible()

    page.mouse.move(5, 600)
    page.clock.run_for(PAST_HIDE_DELAY_MS)

    expect(popover).to_be_hidden()


def test_html_popover_shows_styled_copy(popovers: OpenPopovers) -> None:
    page, _ = popovers()
    popover = page.locator(".popover")

    hover(page, "Disks")

    expect(popover.locator("li")).to_have_text(["sda", "sdb", "sdc"])
    # Glance's classes work inside the popover: list-gap-4 spaces the items by 0.4rem.
    assert popover.locator("li").nth(1).evaluate("item => getComputedStyle(item).marginTop") == "4px"
    expect(page.locator(".custom-api [data-popover-html]")).to_be_hidden()


def test_focus_shows_and_escape_hides(popovers: OpenPopovers) -> None:
    page, _ = popovers()
    popover = page.locator(".popover")

    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.dataset.popoverType") == "text":
            break
    expect(popover).to_have_text(NOTE)
    page.keyboard.press("Escape")

    expect(popover).to_be_hidden()
    assert page.evaluate("document.activeElement.dataset.popoverType") == "text"


def test_popover_inside_phone_viewport(popovers: OpenPopovers) -> None:
    page, _ = popovers(**PHONE)
    popover = page.locator(".popover")

    target = page.get_by_text("Disks")
    target.tap()
    expect(popover.locator("li")).to_have_count(3)
    box = popover.bounding_box()
    target_box = target.bounding_box()
    arrow = popover.evaluate("element => parseFloat(element.style.getPropertyValue('--popover-arrow'))")

    assert box is not None and target_box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= 390
    assert box["y"] >= 0
    # The long text fills the widest popover that fits: the viewport less 8px on each side.
    assert box["width"] == 390 - 16
    assert target_box["x"] <= box["x"] + arrow <= target_box["x"] + target_box["width"]


def test_tap_elsewhere_hides_popover(popovers: OpenPopovers) -> None:
    page, _ = popovers(**PHONE)
    popover = page.locator(".popover")
    page.get_by_text("Tank").tap()
    expect(popover).to_have_text(NOTE)

    page.locator(".widget-title").tap()

    expect(popover).to_be_hidden()


def test_popover_after_setup_twice_and_replace(popovers: OpenPopovers) -> None:
    page, dashboard = popovers()
    page.evaluate(SET_UP_AGAIN)
    page.evaluate(REPLACE_WIDGET, dashboard.widget("custom-api").id)
    page.evaluate(SET_UP_AGAIN)

    hover(page, "Tank")

    expect(page.locator(".popover")).to_have_count(1)
    expect(page.locator(".popover")).to_have_text(NOTE)


# Glance's dynamic-columns and a carousel of cards, the same template in a small and a full column.
LAYOUTS = """
pages:
  - name: Home
    columns:
      - size: small
        widgets:
          - type: custom-api
            title: Small
            template: &layouts |
              <ul class="dynamic-columns list-gap-8">
                <li class="flex"><span class="grow">Router</span><span class="color-negative">DOWN</span></li>
                <li class="flex"><span class="grow">NAS</span><span>12ms</span></li>
                <li class="flex"><span class="grow">Printer</span><span>40ms</span></li>
                <li class="flex"><span class="grow">Camera</span><span>7ms</span></li>
              </ul>
              <div class="carousel-container show-right-cutoff">
                <div class="cards-horizontal carousel-items-container">
                  <div class="card widget-content-frame">One</div><div class="card widget-content-frame">Two</div>
                  <div class="card widget-content-frame">Three</div><div class="card widget-content-frame">Four</div>
                  <div class="card widget-content-frame">Five</div><div class="card widget-content-frame">Six</div>
                </div>
              </div>
      - size: full
        widgets:
          - type: custom-api
            title: Full
            template: *layouts
"""


@pytest.fixture
def layouts_page(serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page]) -> Page:
    dashboard = serve_dashboard(LAYOUTS)
    for index in range(2):
        dashboard.refresh(dashboard.widget("custom-api", index))

    page = new_page()
    load(page, dashboard.url)
    return page


def column_lefts(page: Page, title: str) -> list[float]:
    items = page.locator(".widget", has_text=title).locator(".dynamic-columns > li")
    return items.evaluate_all("items => items.map(item => Math.round(item.getBoundingClientRect().left))")


def test_dynamic_columns_one_in_small_column(layouts_page: Page) -> None:
    page = layouts_page

    lefts = column_lefts(page, "Small")
    down = page.locator(".widget", has_text="Small").get_by_text("DOWN")

    assert len(set(lefts)) == 1
    # The word stays on one line: its box is one line high.
    assert down.evaluate("element => element.getClientRects().length") == 1


def test_dynamic_columns_side_by_side_in_full_column(layouts_page: Page) -> None:
    page = layouts_page

    lefts = column_lefts(page, "Full")

    # The full column at 1400px is about 1000px wide: three columns, the fourth item starts a new row.
    assert lefts[0] < lefts[1] < lefts[2]
    assert lefts[3] == lefts[0]


def test_card_carousel_marks_scrolled_sides(layouts_page: Page) -> None:
    page = layouts_page
    carousel = page.locator(".widget", has_text="Small").locator(".carousel-container")

    expect(carousel).to_have_class("carousel-container show-right-cutoff")
    carousel.locator(".carousel-items-container").evaluate("row => row.scrollTo({ left: row.scrollWidth })")

    expect(carousel).to_have_class("carousel-container show-left-cutoff")


# Glance's classes against luna's own rules: colour classes on links, utilities
# on components, and the error icon of a template's own error box.
STYLES = FULL_COLUMN + """\
          - type: custom-api
            title: Styles
            template: |
              <style>
                .template-red { color: rgb(200, 10, 10); }
                u { color: rgb(10, 200, 10); }
                .links { color: rgb(1, 2, 3); }
              </style>
              <div class="flex gap-10 links">
                <a href="#" class="color-primary">primary</a>
                <a href="#" class="color-base">base</a>
                <a href="#" class="color-paragraph">paragraph</a>
                <a href="#" class="color-muted">muted</a>
                <a href="#" class="text-muted">text muted</a>
                <a href="#" class="color-highlight">highlight</a>
                <a href="#" class="color-subdue">subdue</a>
                <a href="#" class="color-positive">positive</a>
                <a href="#" class="color-negative">negative</a>
                <a href="#" class="color-primary-if-not-visited">not visited</a>
                <a href="#" class="color-primary template-red">own rule</a>
                <u class="color-primary">own element rule</u>
              </div>
              <ul class="list-horizontal-text flex-nowrap"><li>one</li><li>two</li></ul>
              <div class="attachments gap-20"><span>a</span><span>b</span></div>
              <div class="cards-horizontal gap-5"><div class="card">a</div><div class="card">b</div></div>
              <div class="dynamic-columns gap-10"><div>a</div><div>b</div></div>
              <div class="card block">block card</div>
              <img class="ui-icon shrink" alt="" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
              <div class="widget-error-header margin-bottom-5">
                <div class="color-negative size-h3">ERROR</div>
                <svg class="widget-error-icon" xmlns="http://www.w3.org/2000/svg" fill="none" viewBox="0 0 24 24" stroke-width="1.5">
                  <path stroke-linecap="round" stroke-linejoin="round" d="M12 9v3.75m-9.303 3.376c-.866 1.5.217 3.374 1.948 3.374h14.71c1.73 0 2.813-1.874 1.948-3.374L13.949 3.378c-.866-1.5-3.032-1.5-3.898 0L2.697 16.126ZM12 15.75h.007v.008H12v-.008Z"></path>
                </svg>
              </div>
              <ul class="list list-gap-10"><li>a</li><li class="margin-top-20">b</li></ul>
              <p class="margin-top-10">paragraph with a margin</p>
"""
# Each colour class and the theme colour it shows.
COLOUR_CLASSES = {
    "color-primary": "--color-primary",
    "color-base": "--color-text-base",
    "color-paragraph": "--color-text-base",
    "color-muted": "--color-text-subdue",
    "text-muted": "--color-text-subdue",
    "color-highlight": "--color-text-highlight",
    "color-subdue": "--color-text-subdue",
    "color-positive": "--color-positive",
    "color-negative": "--color-negative",
    "color-primary-if-not-visited": "--color-primary",
}
THEME_COLOUR = """name => {
  const probe = document.createElement("span");
  probe.style.color = `var(${name})`;
  document.body.append(probe);
  const colour = getComputedStyle(probe).color;
  probe.remove();
  return colour;
}"""


@pytest.fixture
def styles_page(serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page]) -> Page:
    dashboard = serve_dashboard(STYLES)
    dashboard.refresh(dashboard.widget("custom-api"))

    page = new_page()
    load(page, dashboard.url)
    return page


def computed(page: Page, selector: str, css_property: str) -> str:
    return page.locator(f".custom-api {selector}").first.evaluate(
        "(element, name) => getComputedStyle(element).getPropertyValue(name)", css_property
    )


def test_colour_classes_win_over_link_colour(styles_page: Page) -> None:
    page = styles_page

    # The links' parent has a colour of its own, which a link would inherit if its class lost.
    colours = {name: computed(page, f"a.{name}", "color") for name in COLOUR_CLASSES}
    expected = {name: page.evaluate(THEME_COLOUR, variable) for name, variable in COLOUR_CLASSES.items()}

    assert colours == expected


def test_template_style_wins_over_classes(styles_page: Page) -> None:
    page = styles_page

    assert computed(page, "a.template-red", "color") == "rgb(200, 10, 10)"
    # A rule with no class at all still wins over Glance's classes.
    assert computed(page, "u.color-primary", "color") == "rgb(10, 200, 10)"


def test_utilities_win_over_components(styles_page: Page) -> None:
    page = styles_page

    assert computed(page, ".list-horizontal-text.flex-nowrap", "flex-wrap") == "nowrap"
    assert computed(page, ".attachments.gap-20", "gap") == "20px"
    assert computed(page, ".cards-horizontal.gap-5", "gap") == "5px"
    assert computed(page, ".dynamic-columns.gap-10", "gap") == "10px"
    assert computed(page, ".card.block", "display") == "block"
    assert computed(page, ".ui-icon.shrink", "flex-shrink") == "1"
    assert computed(page, ".widget-error-header.margin-bottom-5", "margin-bottom") == "5px"
    assert computed(page, "p.margin-top-10", "margin-top") == "10px"


def test_list_spacing_wins_over_margin(styles_page: Page) -> None:
    page = styles_page

    # As in Glance, a list's spacing between children outweighs a margin class on a child.
    assert computed(page, ".list-gap-10 > .margin-top-20", "margin-top") == "10px"


def test_template_error_icon_drawn(styles_page: Page) -> None:
    page = styles_page
    negative = page.evaluate(THEME_COLOUR, "--color-negative")

    assert computed(page, ".widget-error-icon", "stroke") == negative
    assert computed(page, ".widget-error-icon path", "stroke") == negative
    assert computed(page, ".widget-error-icon", "stroke-width") == "1.5px"
    assert computed(page, ".widget-error-icon", "width") == "24px"
