"""Feed widgets in the browser: "Show more" on a list and a grid, and a card row's scroll position, across live updates.

Each live update replaces the widget's element; the page's scripts must
set up the new one with exactly one button, still expanded, and the card
row scrolled where the reader left it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import LiveDashboard, PageProblems, load
from tests.support.feeds import Entry, FakeUpstream, Video, fake_upstream, rss, youtube_feed

pytestmark = pytest.mark.browser

CHANNEL = "UCbrowser00000000000000"
LONG_VIDEOS = f"/feeds/videos.xml?playlist_id=UULF{CHANNEL[2:]}"


@pytest.fixture
def feeds() -> Iterator[FakeUpstream]:
    with fake_upstream() as upstream:
        yield upstream


def publish(upstream: FakeUpstream, count: int) -> None:
    """Serve `count` articles and videos, newest first; each call with a higher count adds new ones."""

    entries = [
        Entry(f"Article {index}", link=f"https://news.example/{index}", date=f"Mon, 06 Jan 2025 {index % 24:02d}:{index // 24:02d}:00 GMT", thumbnail=f"http://127.0.0.1:9/{index}.jpg")
        for index in range(count, 0, -1)
    ]
    upstream.answer("/feed.xml", rss(entries), content_type="application/rss+xml")
    videos = [Video(f"video{index}", f"Video {index}", published=f"2025-01-06T{index % 24:02d}:{index // 24:02d}:00+00:00") for index in range(count, 0, -1)]
    upstream.answer(LONG_VIDEOS, youtube_feed(CHANNEL, "Channel", videos), content_type="application/atom+xml")


def config(upstream: FakeUpstream) -> str:
    return f"""
server:
  events:
    coalesce-window: 0s
pages:
  - name: Feeds
    columns:
      - size: full
        widgets:
          - type: rss
            title: List
            style: detailed-list
            collapse-after: 3
            feeds:
              - url: {upstream.link('/feed.xml')}
          - type: videos
            title: Grid
            style: grid-cards
            collapse-after-rows: 1
            api-base-url: {upstream.url}
            channels: [{CHANNEL}]
          - type: rss
            title: Cards
            style: horizontal-cards
            feeds:
              - url: {upstream.link('/feed.xml')}
"""


# Scrolls a card row so its third card is at the start, a position scroll snapping keeps.
SCROLL_TO_THIRD_CARD = """
row => {
  const cards = row.querySelectorAll("li");
  row.scrollLeft = cards[2].offsetLeft - cards[0].offsetLeft;
  return row.scrollLeft;
}
"""


def refresh_all(dashboard: LiveDashboard) -> None:
    for title in ("List", "Grid", "Cards"):
        dashboard.refresh(dashboard.widget_titled(title))


def test_collapse_and_scroll_survive_live_updates(
    feeds: FakeUpstream,
    serve_dashboard: Callable[[str], LiveDashboard],
    new_page: Callable[..., Page],
    page_problems: PageProblems,
) -> None:
    publish(feeds, 12)
    dashboard = serve_dashboard(config(feeds))
    refresh_all(dashboard)
    page = new_page()
    load(page, dashboard.url)
    expect(page.locator("[data-live-indicator]")).to_have_attribute("data-state", "live")
    list_widget = page.locator(".widget", has_text="List").first
    grid_widget = page.locator(".widget", has=page.locator(".cards-grid"))
    cards_widget = page.locator(".widget", has=page.locator("[data-carousel]"))

    list_widget.locator(".expand-toggle-button").click()
    grid_widget.locator(".expand-toggle-button").click()
    scrolled_to = cards_widget.locator("[data-carousel]").evaluate(SCROLL_TO_THIRD_CARD)

    for count in (13, 14, 15):
        publish(feeds, count)
        refresh_all(dashboard)
        expect(list_widget.locator(".rss-title").first).to_have_text(f"Article {count}")
        expect(grid_widget.locator(".video-title").first).to_have_text(f"Video {count}")
        expect(cards_widget.locator(".rss-title").first).to_have_text(f"Article {count}")

    for widget in (list_widget, grid_widget):
        expect(widget.locator(".expand-toggle-button")).to_have_count(1)
        expect(widget.locator(".expand-toggle-button")).to_have_attribute("aria-expanded", "true")
        expect(widget.locator("li[hidden]")).to_have_count(0)
        expect(widget.locator("li:not(:visible)")).to_have_count(0)
    assert scrolled_to > 0
    assert cards_widget.locator("[data-carousel]").evaluate("row => row.scrollLeft") == scrolled_to
    # Thumbnails point at hosts the test browser may not reach, so failed image loads are expected.
    script_errors = [error for error in page_problems.console_errors if not error.startswith("Failed to load resource")]
    assert script_errors == []


def test_collapsed_grid_hides_rows_past_limit(
    feeds: FakeUpstream, serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page]
) -> None:
    publish(feeds, 12)
    dashboard = serve_dashboard(config(feeds))
    refresh_all(dashboard)
    page = new_page()
    load(page, dashboard.url)
    grid = page.locator(".cards-grid")

    per_row = grid.evaluate("grid => getComputedStyle(grid).gridTemplateColumns.split(' ').length")
    visible = grid.locator("li.video-card:visible").count()

    assert visible == per_row
    expect(page.locator(".widget", has=grid).locator(".expand-toggle-button")).to_have_text(f"Show {12 - per_row} more")


def test_collapsed_list_shows_limit(
    feeds: FakeUpstream, serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page]
) -> None:
    publish(feeds, 12)
    dashboard = serve_dashboard(config(feeds))
    refresh_all(dashboard)
    page = new_page()
    load(page, dashboard.url)
    list_widget = page.locator(".widget", has_text="List").first

    expect(list_widget.locator(".rss-item:visible")).to_have_count(3)
    expect(list_widget.locator(".expand-toggle-button")).to_have_text("Show 9 more")
