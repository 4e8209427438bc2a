"""Feed pictures that fail to load: the page removes them, also in widgets a live update swaps in.

Pictures point at a local server that responds with 404, so the browser's
load fails at once. One picture that loads shows that working ones stay.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Locator, Page, expect

from luna.feeds.posts import ForumPost
from luna.widgets.base import WidgetState
from luna.widgets.twitch_channels import Channel, ChannelList
from luna.widgets.twitch_top_games import Category
from luna.widgets.videos import Video, VideosData
from tests.browser.support import LiveDashboard, PageProblems, load
from tests.support.feeds import Entry, FakeUpstream, fake_upstream, rss

pytestmark = pytest.mark.browser

# Tall enough that no lazily loaded picture waits below the fold.
TALL_DESKTOP = {"viewport": {"width": 1400, "height": 2400}}
RSS_STYLES = {"Detailed": "detailed-list", "Cards": "horizontal-cards", "Cards 2": "horizontal-cards-2"}


def one_pixel_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b"")


@pytest.fixture
def pictures() -> Iterator[FakeUpstream]:
    with fake_upstream() as upstream:
        upstream.answer("/good.png", one_pixel_png(), content_type="image/png")
        yield upstream


def publish(upstream: FakeUpstream, broken_titles: list[str]) -> None:
    """Serve a feed with one item whose picture loads and one per title whose picture is missing.

    A missing picture comes, as in real feeds, from an <img> in the description
    whose relative `src` resolves against the feed's URL.
    """

    broken = [Entry(title, link=f"https://news.example/{index}", description='<p><img src="x" onerror="alert(1)"> text</p>') for index, title in enumerate(broken_titles)]
    pictured = Entry("Pictured", link="https://news.example/pictured", thumbnail=upstream.link("/good.png"))
    upstream.answer("/feeds/news.xml", rss([*broken, pictured]), content_type="application/rss+xml")


def rss_config(upstream: FakeUpstream) -> str:
    widgets = "".join(
        f"""
          - type: rss
            title: {title}
            style: {style}
            feeds:
              - url: {upstream.link('/feeds/news.xml')}"""
        for title, style in RSS_STYLES.items()
    )
    return f"""
server:
  events:
    coalesce-window: 0s
pages:
  - name: Pictures
    columns:
      - size: full
        widgets:{widgets}
"""


def item(widget: Locator, title: str) -> Locator:
    return widget.locator("li", has_text=title)


def test_broken_feed_pictures_removed(
    pictures: FakeUpstream,
    serve_dashboard: Callable[[str], LiveDashboard],
    new_page: Callable[..., Page],
    page_problems: PageProblems,
) -> None:
    publish(pictures, ["Broken"])
    dashboard = serve_dashboard(rss_config(pictures))
    for title in RSS_STYLES:
        dashboard.refresh(dashboard.widget_titled(title))
    page = new_page(TALL_DESKTOP)
    load(page, dashboard.url)

    for title in RSS_STYLES:
        widget = page.locator(".widget", has=page.get_by_text(title, exact=True))
        expect(item(widget, "Broken").locator("img")).to_have_count(0)
        expect(item(widget, "Pictured").locator("img")).to_have_count(1)
        assert item(widget, "Pictured").locator("img").evaluate("image => image.naturalWidth") == 1
    script_errors = [error for error in page_problems.console_errors if not error.startswith("Failed to load resource")]
    assert script_errors == []


def test_broken_pictures_removed_after_live_update(
    pictures: FakeUpstream, serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page]
) -> None:
    publish(pictures, ["Broken"])
    dashboard = serve_dashboard(rss_config(pictures))
    for title in RSS_STYLES:
        dashboard.refresh(dashboard.widget_titled(title))
    page = new_page(TALL_DESKTOP)
    load(page, dashboard.url)
    expect(page.locator("[data-live-indicator]")).to_have_attribute("data-state", "live")

    publish(pictures, ["Broken", "Also broken"])
    for title in RSS_STYLES:
        dashboard.refresh(dashboard.widget_titled(title))

    for title in RSS_STYLES:
        widget = page.locator(".widget", has=page.get_by_text(title, exact=True))
        expect(item(widget, "Also broken")).to_have_count(1)
        expect(item(widget, "Also broken").locator("img")).to_have_count(0)
        expect(item(widget, "Pictured").locator("img")).to_have_count(1)


OTHER_WIDGETS = """
pages:
  - name: Pictures
    columns:
      - size: full
        widgets:
          - type: reddit
            title: Reddit list
            subreddit: selfhosted
            show-thumbnails: true
          - type: reddit
            title: Reddit cards
            subreddit: selfhosted
            style: horizontal-cards
          - type: videos
            title: Video cards
            channels: [UCabcdefghijklmnopqrstuv]
          - type: videos
            title: Video list
            style: vertical-list
            channels: [UCabcdefghijklmnopqrstuv]
          - type: twitch-channels
            channels: [someone]
          - type: twitch-top-games
"""


def test_every_feed_widget_drops_broken_pictures(
    pictures: FakeUpstream, serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page]
) -> None:
    dashboard = serve_dashboard(OTHER_WIDGETS)
    missing = pictures.link("/missing.png")
    now = dashboard.clock.now()
    post = ForumPost("1", "Post", None, "https://example.com/1", "example.com", 1, 1, now - 60, thumbnail=missing)
    video = Video("v1", "Video", "https://www.youtube.com/watch?v=v1", missing, "Channel", None, now - 60, now - 60)
    states = {
        "reddit": (post,),
        "videos": VideosData((video,), (None,)),
        "twitch-channels": ChannelList((Channel("someone", "Someone", exists=True, avatar=missing),)),
        "twitch-top-games": (Category("game", "Game", missing, 10, ()),),
    }
    for widget in dashboard.runtime.dashboard.all_widgets():
        dashboard.set_state(widget, WidgetState().after_success(states[widget.type], now))
    page = new_page(TALL_DESKTOP)
    load(page, dashboard.url)

    expect(page.locator(".widget-content img")).to_have_count(0)
    expect(page.locator(".widget-type-videos span.video-thumbnail")).to_have_count(1)
    expect(page.locator("span.twitch-channel-avatar")).to_have_count(1)
    expect(page.locator(".forum-post, .reddit-card")).to_have_count(2)
