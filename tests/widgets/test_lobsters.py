"""The lobsters widget against a fake Lobsters instance serving its JSON story pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from luna.config.errors import ConfigError
from tests.support.feeds import FakeUpstream, FeedBench
from tests.support.widgets import stage_widget


def story(short_id: str, **fields: Any) -> dict[str, Any]:
    """A story as hottest.json lists it."""

    return {
        "short_id": short_id,
        "short_id_url": f"https://lobste.rs/s/{short_id}",
        "created_at": "2025-01-06T04:00:00.000-06:00",
        "title": f"Story {short_id}",
        "url": f"https://blog.example/{short_id}",
        "score": 12,
        "flags": 0,
        "comment_count": 3,
        "description": "",
        "description_plain": "",
        "comments_url": f"https://lobste.rs/s/{short_id}/story_{short_id}",
        "submitter_user": "alice",
        "user_is_author": False,
        "tags": ["rust", "programming"],
        **fields,
    }


def titles(element: Any) -> list[str]:
    return [title.text for title in element.select(".forum-post-title")]


async def test_hottest_stories_listed(upstream: FakeUpstream, bench: FeedBench) -> None:
    upstream.json("/hottest.json", [story("a1"), story("b2")])
    lobsters = bench.stage(f"type: lobsters\ninstance-url: {upstream.url}/")

    element = await lobsters.refresh()

    assert titles(element) == ["Story a1", "Story b2"]
    first = element.select("li.forum-post")[0]
    assert first.select("a.forum-post-title")[0]["href"] == "https://blog.example/a1"
    assert first.select("a.forum-post-comments")[0]["href"] == "https://lobste.rs/s/a1/story_a1"
    assert [tag.text for tag in first.select(".feed-tag")] == ["rust", "programming"]
    assert first.select("time")[0]["datetime"] == "2025-01-06T10:00:00Z"


async def test_counts_singular_for_one(upstream: FakeUpstream, bench: FeedBench) -> None:
    upstream.json("/hottest.json", [story("a1", score=1, comment_count=1), story("b2", score=2, comment_count=0)])
    lobsters = bench.stage(f"type: lobsters\ninstance-url: {upstream.url}/")

    element = await lobsters.refresh()

    assert [score.text for score in element.select(".forum-post-score")] == ["1 point", "2 points"]
    assert [comments.text for comments in element.select(".forum-post-comments")] == ["1 comment", "0 comments"]


async def test_future_story_shows_no_age(upstream: FakeUpstream, bench: FeedBench) -> None:
    upstream.json("/hottest.json", [story("a1", created_at="2099-01-01T00:00:00.000-06:00")])
    lobsters = bench.stage(f"type: lobsters\ninstance-url: {upstream.url}/")

    element = await lobsters.refresh()

    assert element.select("li.forum-post time") == []


async def test_header_links_instance(upstream: FakeUpstream, bench: FeedBench) -> None:
    upstream.json("/hottest.json", [story("a1")])
    lobsters = bench.stage(f"type: lobsters\ninstance-url: {upstream.url}/")

    element = await lobsters.refresh()

    assert element.select("a.widget-title")[0]["href"] == f"{upstream.url}/"


async def test_sort_new_reads_newest(upstream: FakeUpstream, bench: FeedBench) -> None:
    upstream.json("/newest.json", [story("n1")])
    lobsters = bench.stage(f"type: lobsters\ninstance-url: {upstream.url}\nsort-by: new")

    element = await lobsters.refresh()

    assert titles(element) == ["Story n1"]


async def test_tags_read_tag_page(upstream: FakeUpstream, bench: FeedBench) -> None:
    upstream.json("/t/rust,go.json", [story("t1")])
    lobsters = bench.stage(f"type: lobsters\ninstance-url: {upstream.url}\nsort-by: new\ntags: [rust, go]")

    element = await lobsters.refresh()

    assert titles(element) == ["Story t1"]


async def test_custom_url_overrides_instance(upstream: FakeUpstream, bench: FeedBench) -> None:
    upstream.json("/my/list.json", [story("c1")])
    lobsters = bench.stage(f"type: lobsters\ninstance-url: https://lobste.rs/\ncustom-url: {upstream.url}/my/list.json")

    element = await lobsters.refresh()

    assert titles(element) == ["Story c1"]


async def test_api_base_url_replaces_host(upstream: FakeUpstream, bench: FeedBench) -> None:
    upstream.json("/hottest.json", [story("m1")])
    lobsters = bench.stage(f"type: lobsters\napi-base-url: {upstream.url}")

    element = await lobsters.refresh()

    assert titles(element) == ["Story m1"]


async def test_limit_caps_stories(upstream: FakeUpstream, bench: FeedBench) -> None:
    upstream.json("/hottest.json", [story(f"s{index}") for index in range(30)])
    lobsters = bench.stage(f"type: lobsters\ninstance-url: {upstream.url}\nlimit: 2\ncollapse-after: 1")

    element = await lobsters.refresh()

    assert titles(element) == ["Story s0", "Story s1"]
    assert element.select("ul.forum-posts")[0]["data-collapse-after"] == "1"


async def test_text_post_links_discussion(upstream: FakeUpstream, bench: FeedBench) -> None:
    upstream.json("/hottest.json", [story("x1", url="")])
    lobsters = bench.stage(f"type: lobsters\ninstance-url: {upstream.url}")

    element = await lobsters.refresh()

    assert element.select("a.forum-post-title")[0]["href"] == "https://lobste.rs/s/x1/story_x1"


async def test_entries_without_title_skipped(upstream: FakeUpstream, bench: FeedBench) -> None:
    upstream.json("/hottest.json", [None, {"short_id": "q"}, story("ok")])
    lobsters = bench.stage(f"type: lobsters\ninstance-url: {upstream.url}")

    element = await lobsters.refresh()

    assert titles(element) == ["Story ok"]


async def test_html_instead_of_json_fails_cleanly(upstream: FakeUpstream, bench: FeedBench) -> None:
    upstream.answer("/hottest.json", "<!doctype html><title>Maintenance</title><p>Back soon</p>", content_type="text/html")
    lobsters = bench.stage(f"type: lobsters\ninstance-url: {upstream.url}")

    element = await lobsters.refresh()

    reason = element.select(".widget-error-reason")[0].text
    assert reason == "Lobsters sent invalid JSON (text/html)"


def test_unknown_sort_rejected(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="sort-by"):
        stage_widget(tmp_path, "type: lobsters\nsort-by: top")
