"""The hacker-news widget against a fake of the Firebase API (story id lists and `item/{id}.json`)."""

from __future__ import annotations

from typing import Any

import pytest

from luna.config.errors import ConfigError
from luna.widgets.base import WidgetState
from tests.support.feeds import BENCH_START, FakeUpstream, FeedBench
from tests.support.widgets import stage_widget

# The time on the bench clock.
NOW = int(BENCH_START)


def story(item_id: int, **fields: Any) -> dict[str, Any]:
    """An item as the API sends it for a link story."""

    return {
        "by": "someone",
        "descendants": 10 + item_id,
        "id": item_id,
        "kids": [item_id * 100],
        "score": 100 + item_id,
        "time": NOW - 3600,
        "title": f"Story {item_id}",
        "type": "story",
        "url": f"https://example.com/{item_id}",
        **fields,
    }


def serve_stories(upstream: FakeUpstream, ids: list[int], kind: str = "top") -> None:
    upstream.json(f"/v0/{kind}stories.json", ids)
    for item_id in ids:
        upstream.json(f"/v0/item/{item_id}.json", story(item_id))


def widget_yaml(upstream: FakeUpstream, extra: str = "") -> str:
    return f"type: hacker-news\napi-base-url: {upstream.url}\n{extra}"


def titles(element: Any) -> list[str]:
    return [title.text for title in element.select(".forum-post-title")]


async def test_top_stories_listed(upstream: FakeUpstream, bench: FeedBench) -> None:
    serve_stories(upstream, [1, 2, 3])
    news = bench.stage(widget_yaml(upstream))

    element = await news.refresh()

    assert titles(element) == ["Story 1", "Story 2", "Story 3"]
    first = element.select("li.forum-post")[0]
    assert first.select("a.forum-post-title")[0]["href"] == "https://example.com/1"
    assert first.select("a.forum-post-comments")[0]["href"] == "https://news.ycombinator.com/item?id=1"
    assert first.select(".forum-post-comments")[0].text == "11 comments"
    assert first.select(".forum-post-score")[0].text == "101 points"
    assert first.select(".forum-post-domain")[0].text == "example.com"
    assert first.select("time")[0]["data-relative-time"] == str(NOW - 3600)


async def test_header_links_front_page(upstream: FakeUpstream, bench: FeedBench) -> None:
    serve_stories(upstream, [1])
    news = bench.stage(widget_yaml(upstream))

    element = await news.refresh()

    assert element.select("a.widget-title")[0]["href"] == "https://news.ycombinator.com/"


@pytest.mark.parametrize("kind", ["new", "best"])
async def test_sort_by_picks_story_list(upstream: FakeUpstream, bench: FeedBench, kind: str) -> None:
    serve_stories(upstream, [7], kind=kind)
    news = bench.stage(widget_yaml(upstream, f"sort-by: {kind}"))

    element = await news.refresh()

    assert titles(element) == ["Story 7"]


async def test_limit_caps_stories(upstream: FakeUpstream, bench: FeedBench) -> None:
    serve_stories(upstream, list(range(1, 41)))
    news = bench.stage(widget_yaml(upstream, "limit: 4"))

    element = await news.refresh()

    assert titles(element) == ["Story 1", "Story 2", "Story 3", "Story 4"]
    assert len(upstream.requests) < 15


async def test_broken_items_replaced_by_next(upstream: FakeUpstream, bench: FeedBench) -> None:
    serve_stories(upstream, list(range(1, 21)))
    upstream.answer("/v0/item/2.json", "null")
    upstream.json("/v0/item/3.json", {"deleted": True, "id": 3, "time": NOW, "type": "story"})
    upstream.json("/v0/item/4.json", story(4, dead=True))
    upstream.answer("/v0/item/5.json", "<html>oops</html>", content_type="text/html")
    upstream.answer("/v0/item/6.json", "", status=500)
    news = bench.stage(widget_yaml(upstream, "limit: 5"))

    element = await news.refresh()

    assert titles(element) == ["Story 1", "Story 7", "Story 8", "Story 9", "Story 10"]


async def test_slow_item_skipped(upstream: FakeUpstream, bench: FeedBench) -> None:
    serve_stories(upstream, list(range(1, 11)))
    upstream.json("/v0/item/2.json", story(2), delay=30)
    news = bench.stage(widget_yaml(upstream, "limit: 3\ntimeout: 1s"))

    element = await news.refresh()

    assert titles(element) == ["Story 1", "Story 3", "Story 4"]


async def test_ask_post_links_discussion(upstream: FakeUpstream, bench: FeedBench) -> None:
    upstream.json("/v0/topstories.json", [9])
    upstream.json("/v0/item/9.json", story(9, url=None, title="Ask HN: How?"))
    news = bench.stage(widget_yaml(upstream))

    element = await news.refresh()

    assert element.select("a.forum-post-title")[0]["href"] == "https://news.ycombinator.com/item?id=9"
    assert element.select(".forum-post-domain") == []


async def test_comments_url_template_applied(upstream: FakeUpstream, bench: FeedBench) -> None:
    serve_stories(upstream, [42])
    news = bench.stage(widget_yaml(upstream, "comments-url-template: https://hn.example/item/{POST-ID}"))

    element = await news.refresh()

    assert element.select("a.forum-post-comments")[0]["href"] == "https://hn.example/item/42"


async def test_engagement_sort_favours_discussed(upstream: FakeUpstream, bench: FeedBench) -> None:
    upstream.json("/v0/topstories.json", [1, 2, 3])
    upstream.json("/v0/item/1.json", story(1, score=10, descendants=1, time=NOW - 600))
    upstream.json("/v0/item/2.json", story(2, score=500, descendants=400, time=NOW - 600))
    upstream.json("/v0/item/3.json", story(3, score=50, descendants=20, time=NOW - 600))
    news = bench.stage(widget_yaml(upstream, "extra-sort-by: engagement"))

    element = await news.refresh()

    assert titles(element) == ["Story 2", "Story 3", "Story 1"]


async def test_counts_singular_for_one(upstream: FakeUpstream, bench: FeedBench) -> None:
    upstream.json("/v0/topstories.json", [1, 2, 3])
    upstream.json("/v0/item/1.json", story(1, score=1, descendants=1))
    upstream.json("/v0/item/2.json", story(2, score=0, descendants=0))
    upstream.json("/v0/item/3.json", story(3, score=1234, descendants=2))
    news = bench.stage(widget_yaml(upstream))

    element = await news.refresh()

    assert [score.text for score in element.select(".forum-post-score")] == ["1 point", "0 points", "1,234 points"]
    assert [comments.text for comments in element.select(".forum-post-comments")] == ["1 comment", "0 comments", "2 comments"]


async def test_engagement_sort_discounts_old(upstream: FakeUpstream, bench: FeedBench) -> None:
    upstream.json("/v0/topstories.json", [1, 2])
    upstream.json("/v0/item/1.json", story(1, score=300, descendants=300, time=NOW - 40 * 3600))
    upstream.json("/v0/item/2.json", story(2, score=100, descendants=100, time=NOW - 600))
    news = bench.stage(widget_yaml(upstream, "extra-sort-by: engagement"))

    element = await news.refresh()

    assert titles(element) == ["Story 2", "Story 1"]


async def test_collapse_after_marks_list(upstream: FakeUpstream, bench: FeedBench) -> None:
    serve_stories(upstream, [1, 2])
    news = bench.stage(widget_yaml(upstream, "collapse-after: 3"))

    element = await news.refresh()

    assert element.select("ul.forum-posts")[0]["data-collapse-after"] == "3"


async def test_collapse_after_minus_one_never_collapses(upstream: FakeUpstream, bench: FeedBench) -> None:
    serve_stories(upstream, [1, 2])
    news = bench.stage(widget_yaml(upstream, "collapse-after: -1"))

    element = await news.refresh()

    assert element.select("ul[data-collapse-after]") == []


async def test_api_base_url_keeps_path_prefix(upstream: FakeUpstream, bench: FeedBench) -> None:
    upstream.json("/mirror/v0/topstories.json", [5])
    upstream.json("/mirror/v0/item/5.json", story(5))
    news = bench.stage(f"type: hacker-news\napi-base-url: {upstream.url}/mirror")

    element = await news.refresh()

    assert titles(element) == ["Story 5"]


async def test_hostile_title_and_url_neutralised(upstream: FakeUpstream, bench: FeedBench) -> None:
    upstream.json("/v0/topstories.json", [1])
    upstream.json("/v0/item/1.json", story(1, title="<script>alert(1)</script> &amp; co", url="javascript:alert(1)"))
    news = bench.stage(widget_yaml(upstream))

    element = await news.refresh()

    assert "<script>" not in news.staged.html
    assert titles(element) == ["<script>alert(1)</script> &amp; co"]
    assert element.select("a.forum-post-title")[0]["href"] == "https://news.ycombinator.com/item?id=1"


async def test_story_list_error_shown(upstream: FakeUpstream, bench: FeedBench) -> None:
    upstream.answer("/v0/topstories.json", "<html><body>Service unavailable</body></html>", status=503, content_type="text/html")
    news = bench.stage(widget_yaml(upstream))

    element = await news.refresh()

    assert element.select(".widget-error-reason")[0].text == "Hacker News answered HTTP 503"


async def test_failure_keeps_stories_marked_stale(upstream: FakeUpstream, bench: FeedBench) -> None:
    serve_stories(upstream, [1, 2])
    news = bench.stage(widget_yaml(upstream))
    await news.refresh()
    upstream.answer("/v0/topstories.json", "", status=500)

    element = await news.refresh()

    assert element.has_class("widget-is-stale")
    assert titles(element) == ["Story 1", "Story 2"]


async def test_new_story_changes_render(upstream: FakeUpstream, bench: FeedBench) -> None:
    serve_stories(upstream, [1, 2])
    news = bench.stage(widget_yaml(upstream))
    await news.refresh()
    first_version = news.widget.rendered.version  # type: ignore[union-attr]
    await news.refresh()
    unchanged_version = news.widget.rendered.version  # type: ignore[union-attr]
    serve_stories(upstream, [3, 1, 2])

    await news.refresh()

    assert unchanged_version == first_version
    assert news.widget.rendered.version != first_version  # type: ignore[union-attr]


def test_unknown_sort_rejected(tmp_path: Any) -> None:
    with pytest.raises(ConfigError, match="sort-by"):
        stage_widget(tmp_path, "type: hacker-news\nsort-by: hottest")


def test_empty_list_says_so(tmp_path: Any) -> None:
    staged = stage_widget(tmp_path, "type: hacker-news")

    element = staged.show(WidgetState().after_success((), NOW))

    assert element.select(".widget-empty")[0].text == "Hacker News sent no stories."
