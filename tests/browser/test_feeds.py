"""Feed widgets in the browser: "Show more" on a list and a grid, and a card row's scroll position, across live updates.

Each live update replaces the widget's element. The page's scripts must
set up the new one with exactly one button, still expanded, and the card
row scrolled where the reader left it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Page, expect

from luna.feeds.parsing import FeedItem
from luna.feeds.posts import ForumPost
from luna.widgets.base import WidgetState
from luna.widgets.rss import RssData, RssItem
from luna.widgets.twitch_channels import Channel, ChannelList
from luna.widgets.twitch_top_games import Category
from luna.widgets.videos import Video as ShownVideo
from luna.widgets.videos import VideosData
from tests.browser.support import DESKTOP, OVERFLOWING_ELEMENTS, PHONE, LiveDashboard, PageProblems, load
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


def open_feeds(
    feeds: FakeUpstream, serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page]
) -> tuple[Page, LiveDashboard]:
    """Serve twelve articles and videos, refresh every feed widget once and open the page."""

    publish(feeds, 12)
    dashboard = serve_dashboard(config(feeds))
    refresh_all(dashboard)

    page = new_page()
    load(page, dashboard.url)
    return page, dashboard


def test_collapse_and_scroll_survive_live_updates(
    feeds: FakeUpstream,
    serve_dashboard: Callable[[str], LiveDashboard],
    new_page: Callable[..., Page],
    page_problems: PageProblems,
) -> None:
    page, dashboard = open_feeds(feeds, serve_dashboard, new_page)
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
    page, _ = open_feeds(feeds, serve_dashboard, new_page)
    grid = page.locator(".cards-grid")

    per_row = grid.evaluate("grid => getComputedStyle(grid).gridTemplateColumns.split(' ').length")
    visible = grid.locator("li.video-card:visible").count()

    assert visible == per_row
    expect(page.locator(".widget", has=grid).locator(".expand-toggle-button")).to_have_text(f"Show {12 - per_row} more")


def test_collapsed_list_shows_limit(
    feeds: FakeUpstream, serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page]
) -> None:
    page, _ = open_feeds(feeds, serve_dashboard, new_page)
    list_widget = page.locator(".widget", has_text="List").first

    expect(list_widget.locator(".rss-item:visible")).to_have_count(3)
    expect(list_widget.locator(".expand-toggle-button")).to_have_text("Show 9 more")


LONG_WORD = "Unbreakable" * 20
LONG_TITLE = "A title that goes on and on well past the width of any small column " * 3

LAYOUT = """
pages:
  - name: Layout
    columns:
      - size: small
        widgets:
          - type: hacker-news
          - type: twitch-channels
            channels: [someone]
          - type: twitch-top-games
      - size: full
        widgets:
          - type: rss
            style: detailed-list
            feeds:
              - url: http://127.0.0.1:9/feed.xml
          - type: videos
            style: grid-cards
            channels: [UCabcdefghijklmnopqrstuv]
          - type: rss
            title: Cards
            style: horizontal-cards-2
            feeds:
              - url: http://127.0.0.1:9/feed.xml
      - size: small
        widgets:
          - type: reddit
            subreddit: selfhosted
            style: vertical-cards
          - type: lobsters
"""

def long_text_states(dashboard: LiveDashboard) -> None:
    """Give every feed widget data with long titles, long unbroken words and long source names."""

    now = dashboard.clock.now()
    post = ForumPost("1", LONG_TITLE + LONG_WORD, "https://news.example/c/1", "https://example.com/1", LONG_WORD + ".example", 3, 10, now - 60, (LONG_WORD,))
    item = FeedItem(LONG_WORD, "https://example.com/a", f"<p>{LONG_WORD} {LONG_TITLE}</p>", LONG_TITLE, (LONG_WORD,), None, now - 60, 0)
    rss_data = RssData(tuple(RssItem(item, LONG_WORD, None, 0) for _ in range(3)), (None,), (f"{LONG_WORD}: got text/html, not a feed",))
    video = ShownVideo("v1", LONG_TITLE + LONG_WORD, "https://www.youtube.com/watch?v=v1", None, LONG_WORD, None, now - 60, now - 60)
    states = {
        "hacker-news": (post,) * 3,
        "lobsters": (post,) * 3,
        "reddit": (post,) * 3,
        "rss": rss_data,
        "twitch-channels": ChannelList((Channel("someone", LONG_WORD, exists=True, is_live=True, viewers=10**6, category=LONG_WORD, category_slug="x", live_since=now),), (LONG_WORD,)),
        "twitch-top-games": (Category("x", LONG_WORD, None, 10**6, (LONG_WORD,)),),
        "videos": VideosData((video,) * 5, (None,)),
    }
    for widget in dashboard.runtime.dashboard.all_widgets():
        dashboard.set_state(widget, WidgetState().after_success(states[widget.type], now))


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_long_text_stays_inside_widgets(
    serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page], page_problems: PageProblems, device: str
) -> None:
    dashboard = serve_dashboard(LAYOUT)
    long_text_states(dashboard)
    page = new_page(DESKTOP if device == "desktop" else PHONE)
    load(page, dashboard.url)

    overflowing = [page.evaluate(OVERFLOWING_ELEMENTS)]
    # A phone shows one column at a time; each is chosen with a pill.
    pills = page.locator(".mobile-column-pill").all() if device == "phone" else []
    for pill in pills:
        pill.tap()
        overflowing.append(page.evaluate(OVERFLOWING_ELEMENTS))

    assert overflowing == [[]] * len(overflowing)
    # Every list and grid here fits within its limit, so no "Show more" button shows.
    expect(page.locator(".expand-toggle-button:visible")).to_have_count(0)
    assert page_problems.console_errors == []
