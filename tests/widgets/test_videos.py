"""The videos widget against a fake of YouTube's channel and playlist feeds (Atom with yt: and media:)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from luna.config.errors import ConfigError
from tests.support.feeds import FakeUpstream, FeedBench, Video, youtube_feed
from tests.support.widgets import stage_widget

FEED = "/feeds/videos.xml"
ATOM = "application/atom+xml; charset=UTF-8"
ALPHA = "UCalpha0000000000000000"
BETA = "UCbeta00000000000000000"


def long_videos(channel: str) -> str:
    return f"{FEED}?playlist_id=UULF{channel[2:]}"


def serve(upstream: FakeUpstream, path: str, channel: str, name: str, videos: list[Video]) -> None:
    upstream.answer(path, youtube_feed(channel, name, videos), content_type=ATOM)


def widget_yaml(upstream: FakeUpstream, extra: str = "", channels: tuple[str, ...] = (ALPHA,)) -> str:
    return f"type: videos\napi-base-url: {upstream.url}\nchannels: [{', '.join(channels)}]\n{extra}"


def titles(element: Any) -> list[str]:
    return [title.text for title in element.select(".video-title")]


async def test_channel_videos_as_cards(upstream: FakeUpstream, bench: FeedBench) -> None:
    serve(upstream, long_videos(ALPHA), ALPHA, "Alpha", [Video("vid1", "First video"), Video("vid0", "Older", published="2025-01-01T10:00:00+00:00")])
    widget = bench.stage(widget_yaml(upstream))

    element = await widget.refresh()

    assert titles(element) == ["First video", "Older"]
    card = element.select("[data-carousel] li.video-card")[0]
    assert card.select("a.video-title")[0]["href"] == "https://www.youtube.com/watch?v=vid1"
    assert card.select("img.video-thumbnail")[0]["src"] == "https://i1.ytimg.com/vi/vid1/hqdefault.jpg"
    assert card.select("a.video-author")[0]["href"] == f"https://www.youtube.com/channel/{ALPHA}/videos"
    assert card.select("time")[0]["datetime"] == "2025-01-06T10:00:00Z"


async def test_cut_off_entry_skipped(upstream: FakeUpstream, bench: FeedBench) -> None:
    document = youtube_feed(ALPHA, "Alpha", [Video("vid1", "Whole video")]).removesuffix("</feed>") + "<entry><title>Cut vid</ti"
    upstream.answer(long_videos(ALPHA), document, content_type=ATOM)
    widget = bench.stage(widget_yaml(upstream))

    element = await widget.refresh()

    assert titles(element) == ["Whole video"]
    assert len(element.select("li.video-card")) == 1


async def test_untitled_video_titled_from_description(upstream: FakeUpstream, bench: FeedBench) -> None:
    document = youtube_feed(ALPHA, "Alpha", [Video("vid2", "")]).replace("<media:description>About </media:description>", "<media:description>Launch day recap</media:description>")
    upstream.answer(long_videos(ALPHA), document, content_type=ATOM)
    widget = bench.stage(widget_yaml(upstream))

    element = await widget.refresh()

    assert titles(element) == ["Launch day recap"]


async def test_shorts_excluded_by_default(upstream: FakeUpstream, bench: FeedBench) -> None:
    serve(upstream, long_videos(ALPHA), ALPHA, "Alpha", [Video("long", "Long one"), Video("s1", "A short", short=True)])
    widget = bench.stage(widget_yaml(upstream))

    element = await widget.refresh()

    assert titles(element) == ["Long one"]
    assert upstream.requests[0].query == f"playlist_id=UULF{ALPHA[2:]}"


async def test_include_shorts_reads_channel_feed(upstream: FakeUpstream, bench: FeedBench) -> None:
    serve(upstream, f"{FEED}?channel_id={ALPHA}", ALPHA, "Alpha", [Video("long", "Long one"), Video("s1", "A short", short=True)])
    widget = bench.stage(widget_yaml(upstream, "include-shorts: true"))

    element = await widget.refresh()

    assert titles(element) == ["Long one", "A short"]


async def test_playlists_read_by_id(upstream: FakeUpstream, bench: FeedBench) -> None:
    serve(upstream, f"{FEED}?playlist_id=PLtalks", ALPHA, "Alpha", [Video("talk", "A talk")])
    widget = bench.stage(f"type: videos\napi-base-url: {upstream.url}\nplaylists: [PLtalks]")

    element = await widget.refresh()

    assert titles(element) == ["A talk"]


async def test_channels_merged_newest_first(upstream: FakeUpstream, bench: FeedBench) -> None:
    serve(upstream, long_videos(ALPHA), ALPHA, "Alpha", [Video("a1", "Alpha new", "2025-01-06T10:00:00+00:00"), Video("a0", "Alpha old", "2025-01-02T10:00:00+00:00")])
    serve(upstream, long_videos(BETA), BETA, "Beta", [Video("b1", "Beta mid", "2025-01-04T10:00:00+00:00")])
    widget = bench.stage(widget_yaml(upstream, "limit: 2", channels=(ALPHA, BETA)))

    element = await widget.refresh()

    assert titles(element) == ["Alpha new", "Beta mid"]


async def test_future_video_sorted_as_undated(upstream: FakeUpstream, bench: FeedBench) -> None:
    videos = [Video("far", "Far future", "2099-01-01T00:00:00+00:00"), Video("now", "Recent", "2025-05-31T10:00:00+00:00")]
    serve(upstream, long_videos(ALPHA), ALPHA, "Alpha", videos)
    widget = bench.stage(widget_yaml(upstream))

    element = await widget.refresh()

    assert titles(element) == ["Recent", "Far future"]
    assert element.select("li.video-card")[1].select("time") == []


async def test_video_url_template_applied(upstream: FakeUpstream, bench: FeedBench) -> None:
    serve(upstream, long_videos(ALPHA), ALPHA, "Alpha", [Video("vid1", "First")])
    widget = bench.stage(widget_yaml(upstream, "video-url-template: https://invidious.example/watch?v={VIDEO-ID}"))

    element = await widget.refresh()

    assert element.select("a.video-title")[0]["href"] == "https://invidious.example/watch?v=vid1"
    assert element.select("a.video-author")[0]["href"] == f"https://invidious.example/channel/{ALPHA}"


async def test_vertical_list_collapses(upstream: FakeUpstream, bench: FeedBench) -> None:
    serve(upstream, long_videos(ALPHA), ALPHA, "Alpha", [Video(f"v{index}", f"Video {index}") for index in range(3)])
    widget = bench.stage(widget_yaml(upstream, "style: vertical-list"))

    element = await widget.refresh()

    assert element.select("ul.videos-list")[0]["data-collapse-after"] == "7"
    assert len(element.select("li.video-item")) == 3


async def test_grid_cards_collapse_by_rows(upstream: FakeUpstream, bench: FeedBench) -> None:
    serve(upstream, long_videos(ALPHA), ALPHA, "Alpha", [Video(f"v{index}", f"Video {index}") for index in range(3)])
    widget = bench.stage(widget_yaml(upstream, "style: grid-cards\ncollapse-after-rows: 2"))

    element = await widget.refresh()

    grid = element.select("ul.cards-grid")[0]
    assert grid["data-collapse-after-rows"] == "2"
    assert len(grid.select("li.video-card")) == 3


async def test_failed_channel_keeps_last_videos(upstream: FakeUpstream, bench: FeedBench) -> None:
    serve(upstream, long_videos(ALPHA), ALPHA, "Alpha", [Video("a1", "Alpha video")])
    serve(upstream, long_videos(BETA), BETA, "Beta", [Video("b1", "Beta video", "2025-01-05T10:00:00+00:00")])
    widget = bench.stage(widget_yaml(upstream, channels=(ALPHA, BETA)))
    await widget.refresh()
    upstream.answer(long_videos(BETA), "", status=500, content_type="text/plain")

    element = await widget.refresh()

    assert titles(element) == ["Alpha video", "Beta video"]
    assert [note.text for note in element.select(".feed-note")] == [f"channel {BETA}: YouTube answered HTTP 500"]
    assert widget.last_delay == 15


async def test_every_channel_failing_is_error(upstream: FakeUpstream, bench: FeedBench) -> None:
    upstream.answer(long_videos(ALPHA), "<html><body>consent</body></html>", content_type="text/html")
    widget = bench.stage(widget_yaml(upstream))

    element = await widget.refresh()

    reason = element.select(".widget-error-reason")[0].text
    assert reason == f"channel {ALPHA}: got text/html, not a feed (HTTP 200): consent"


async def test_every_failing_channel_listed(upstream: FakeUpstream, bench: FeedBench) -> None:
    upstream.answer(long_videos(ALPHA), "<html><body>consent</body></html>", content_type="text/html")
    upstream.answer(long_videos(BETA), "", status=500, content_type="text/plain")
    widget = bench.stage(widget_yaml(upstream, channels=(ALPHA, BETA)))

    element = await widget.refresh()

    reason = element.select(".widget-error-reason")[0].text
    assert reason == f"all 2 feeds failed: channel {ALPHA}: got text/html, not a feed (HTTP 200): consent; channel {BETA}: YouTube answered HTTP 500"


def test_template_needs_video_id(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="VIDEO-ID"):
        stage_widget(tmp_path, "type: videos\nchannels: [UCx]\nvideo-url-template: https://piped.example/watch")
