"""The reddit widget against a fake of reddit's JSON listings, its OAuth token endpoint and a forward proxy."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from luna.config.errors import ConfigError
from tests.support.fake_http import FakeHTTP, Reply
from tests.support.feeds import BENCH_START, FakeUpstream, FeedBench
from tests.support.dashboards import load_text, running_dashboard
from tests.support.widgets import stage_widget

# The time on the bench clock.
NOW = BENCH_START
BLOCK_PAGE = "<!DOCTYPE html><html><head><title>Blocked</title></head><body><h1>whoa there, pardner!</h1></body></html>"


def post(post_id: str, **fields: Any) -> dict[str, Any]:
    """A link post as a listing's child `data` carries it."""

    return {
        "subreddit": "technology",
        "id": post_id,
        "name": f"t3_{post_id}",
        "title": f"Post {post_id}",
        "author": "someone",
        "ups": 50,
        "score": 50,
        "num_comments": 7,
        "created": NOW - 1800,
        "created_utc": NOW - 1800,
        "domain": "news.example",
        "url": f"https://news.example/{post_id}",
        "permalink": f"/r/technology/comments/{post_id}/post_{post_id}/",
        "is_self": False,
        "stickied": False,
        "pinned": False,
        "over_18": False,
        "thumbnail": f"https://b.thumbs.redditmedia.com/{post_id}.jpg",
        "link_flair_text": "Business",
        **fields,
    }


def listing(*posts: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": "Listing",
        "data": {
            "after": "t3_next",
            "dist": len(posts),
            "modhash": "",
            "geo_filter": None,
            "children": [{"kind": "t3", "data": data} for data in posts],
            "before": None,
        },
    }


def reddit_yaml(upstream: FakeUpstream, extra: str = "") -> str:
    return f"type: reddit\nsubreddit: technology\napi-base-url: {upstream.url}\n{extra}"


def titles(element: Any) -> list[str]:
    return [title.text for title in element.select(".feed-title")]


async def test_hot_posts_listed(upstream: FakeUpstream, bench: FeedBench) -> None:
    upstream.json("/r/technology/hot.json", listing(post("a"), post("b")))
    reddit = bench.stage(reddit_yaml(upstream))

    element = await reddit.refresh()

    assert titles(element) == ["Post a", "Post b"]
    first = element.select("li.forum-post")[0]
    assert first.select("a.forum-post-title")[0]["href"] == "https://news.example/a"
    assert first.select("a.forum-post-comments")[0]["href"] == "https://www.reddit.com/r/technology/comments/a/post_a/"
    assert first.select(".forum-post-domain")[0].text == "news.example"
    assert first.select(".feed-tag") == []
    assert first.select("img") == []


async def test_title_and_header_default_to_subreddit(upstream: FakeUpstream, bench: FeedBench) -> None:
    upstream.json("/r/technology/hot.json", listing(post("a")))
    reddit = bench.stage(reddit_yaml(upstream))

    element = await reddit.refresh()

    header = element.select("a.widget-title")[0]
    assert header.text == "/r/technology"
    assert header["href"] == "https://www.reddit.com/r/technology/"


async def test_title_entities_decoded_once(upstream: FakeUpstream, bench: FeedBench) -> None:
    upstream.json("/r/technology/hot.json", listing(post("a", title="AT&amp;T &amp;amp; &lt;script&gt;")))
    reddit = bench.stage(reddit_yaml(upstream))

    element = await reddit.refresh()

    assert titles(element) == ["AT&T &amp; <script>"]
    assert "<script>" not in reddit.staged.html


async def test_flairs_and_thumbnails_shown_on_request(upstream: FakeUpstream, bench: FeedBench) -> None:
    preview = {"images": [{"source": {"url": "https://preview.redd.it/a.jpg?width=640&amp;s=abc", "width": 640, "height": 480}}]}
    upstream.json("/r/technology/hot.json", listing(post("a", preview=preview), post("b", thumbnail="self")))
    reddit = bench.stage(reddit_yaml(upstream, "show-flairs: true\nshow-thumbnails: true"))

    element = await reddit.refresh()

    posts = element.select("li.forum-post")
    assert [tag.text for tag in posts[0].select(".feed-tag")] == ["Business"]
    assert posts[0].select("img")[0]["src"] == "https://preview.redd.it/a.jpg?width=640&s=abc"
    assert posts[1].select("img") == []


def preview(name: str, widths: tuple[int, ...] = (108, 216, 320, 640, 960, 1080), source_width: int = 4032) -> dict[str, Any]:
    """A preview as reddit sends it: resolutions and the source, with `&` escaped as `&amp;`."""

    def size(width: int) -> dict[str, Any]:
        return {"url": f"https://preview.redd.it/{name}.jpg?width={width}&amp;s=sig{width}", "width": width, "height": width * 3 // 4}

    return {"images": [{"source": size(source_width), "resolutions": [size(width) for width in widths], "id": name}], "enabled": True}


@pytest.mark.parametrize(
    ("style", "selector", "width"),
    [("vertical-list", "img.forum-post-thumbnail", 216), ("horizontal-cards", "img.reddit-card-image", 640), ("vertical-cards", "img.reddit-card-image", 640)],
)
async def test_picture_sized_for_style(upstream: FakeUpstream, bench: FeedBench, style: str, selector: str, width: int) -> None:
    upstream.json("/r/technology/hot.json", listing(post("a", preview=preview("a"), thumbnail="default")))
    reddit = bench.stage(reddit_yaml(upstream, f"style: {style}\nshow-thumbnails: true"))

    element = await reddit.refresh()

    assert element.select(selector)[0]["src"] == f"https://preview.redd.it/a.jpg?width={width}&s=sig{width}"


async def test_list_prefers_small_thumbnail(upstream: FakeUpstream, bench: FeedBench) -> None:
    upstream.json("/r/technology/hot.json", listing(post("a", preview=preview("a"), thumbnail_width=140)))
    reddit = bench.stage(reddit_yaml(upstream, "show-thumbnails: true"))

    element = await reddit.refresh()

    assert element.select("img.forum-post-thumbnail")[0]["src"] == "https://b.thumbs.redditmedia.com/a.jpg"


async def test_small_preview_uses_largest(upstream: FakeUpstream, bench: FeedBench) -> None:
    upstream.json("/r/technology/hot.json", listing(post("a", preview=preview("a", widths=(108, 216), source_width=320), thumbnail_width=140)))
    reddit = bench.stage(reddit_yaml(upstream, "style: horizontal-cards"))

    element = await reddit.refresh()

    assert element.select("img.reddit-card-image")[0]["src"] == "https://preview.redd.it/a.jpg?width=320&s=sig320"


@pytest.mark.parametrize("style", ["vertical-list", "horizontal-cards", "vertical-cards"])
@pytest.mark.parametrize("hidden", [{"over_18": True, "thumbnail": "nsfw"}, {"spoiler": True, "thumbnail": "spoiler"}, {"over_18": True}])
async def test_nsfw_and_spoiler_posts_show_no_picture(upstream: FakeUpstream, bench: FeedBench, style: str, hidden: dict[str, Any]) -> None:
    upstream.json("/r/technology/hot.json", listing(post("a", preview=preview("a"), **hidden), post("b", preview=preview("b"))))
    reddit = bench.stage(reddit_yaml(upstream, f"style: {style}\nshow-thumbnails: true"))

    element = await reddit.refresh()

    items = element.select("li.forum-post") or element.select("li.reddit-card")
    assert items[0].select("img") == []
    assert len(items[1].select("img")) == 1


async def test_stickied_posts_skipped(upstream: FakeUpstream, bench: FeedBench) -> None:
    upstream.json("/r/technology/hot.json", listing(post("rules", stickied=True), post("a"), post("pin", pinned=True)))
    reddit = bench.stage(reddit_yaml(upstream))

    element = await reddit.refresh()

    assert titles(element) == ["Post a"]


async def test_self_post_links_comments(upstream: FakeUpstream, bench: FeedBench) -> None:
    upstream.json("/r/technology/hot.json", listing(post("s", is_self=True, domain="self.technology")))
    reddit = bench.stage(reddit_yaml(upstream))

    element = await reddit.refresh()

    assert element.select("a.forum-post-title")[0]["href"] == "https://www.reddit.com/r/technology/comments/s/post_s/"
    assert element.select(".forum-post-domain") == []


async def test_crosspost_links_original(upstream: FakeUpstream, bench: FeedBench) -> None:
    parent = {"id": "orig", "subreddit": "linux", "permalink": "/r/linux/comments/orig/first/"}
    upstream.json("/r/technology/hot.json", listing(post("x", crosspost_parent_list=[parent])))
    reddit = bench.stage(reddit_yaml(upstream))

    element = await reddit.refresh()

    assert element.select("a.forum-post-title")[0]["href"] == "https://www.reddit.com/r/linux/comments/orig/first/"
    assert element.select(".forum-post-domain")[0].text == "r/linux"


async def test_top_sort_sends_period(upstream: FakeUpstream, bench: FeedBench) -> None:
    upstream.json("/r/technology/top.json", listing(post("t")))
    reddit = bench.stage(reddit_yaml(upstream, "sort-by: top\ntop-period: week"))

    await reddit.refresh()

    assert upstream.requests_to("/r/technology/top.json")[0].query == "t=week"


@pytest.mark.parametrize(("limit", "query"), [(15, ""), (23, ""), (40, "limit=42"), (100, "limit=100")])
async def test_listing_size_follows_limit(upstream: FakeUpstream, bench: FeedBench, limit: int, query: str) -> None:
    upstream.json("/r/technology/hot.json", listing(post("a")))
    reddit = bench.stage(reddit_yaml(upstream, f"limit: {limit}"))

    await reddit.refresh()

    assert upstream.requests_to("/r/technology/hot.json")[0].query == query


async def test_search_queries_subreddit(upstream: FakeUpstream, bench: FeedBench) -> None:
    upstream.json("/search.json", listing(post("found")))
    reddit = bench.stage(reddit_yaml(upstream, "search: self-hosting\nsort-by: new"))

    element = await reddit.refresh()

    query = parse_qs(upstream.requests_to("/search.json")[0].query)
    assert query == {"q": ["self-hosting subreddit:technology"], "sort": ["new"]}
    assert titles(element) == ["Post found"]


async def test_comments_url_template_filled(upstream: FakeUpstream, bench: FeedBench) -> None:
    upstream.json("/r/technology/hot.json", listing(post("a")))
    reddit = bench.stage(reddit_yaml(upstream, "comments-url-template: https://old.example/{SUBREDDIT}/{POST-ID}/{POST-PATH}"))

    element = await reddit.refresh()

    expected = "https://old.example/technology/a/r/technology/comments/a/post_a/"
    assert element.select("a.forum-post-comments")[0]["href"] == expected


async def test_request_url_template_wraps_url(upstream: FakeUpstream, bench: FeedBench) -> None:
    upstream.json("/fetch", listing(post("w")))
    reddit = bench.stage(f"type: reddit\nsubreddit: technology\nrequest-url-template: {upstream.url}/fetch?target={{REQUEST-URL}}")

    element = await reddit.refresh()

    assert upstream.requests_to("/fetch")[0].query == "target=https://www.reddit.com/r/technology/hot.json"
    assert titles(element) == ["Post w"]


async def test_proxy_carries_requests(bench: FeedBench) -> None:
    async with FakeHTTP() as proxy:
        target = "http://reddit.invalid/r/technology/hot.json"
        proxy.replies[target] = Reply(body=json.dumps(listing(post("p"))).encode(), content_type="application/json")
        reddit = bench.stage(f"type: reddit\nsubreddit: technology\napi-base-url: http://reddit.invalid\nproxy: {proxy.url}")

        element = await reddit.refresh()

    assert proxy.requests == [target]
    assert titles(element) == ["Post p"]


async def test_forbidden_is_one_line(upstream: FakeUpstream, bench: FeedBench) -> None:
    upstream.answer("/r/technology/hot.json", BLOCK_PAGE, status=403, content_type="text/html")
    reddit = bench.stage(reddit_yaml(upstream))

    element = await reddit.refresh()

    assert element.select(".widget-error-reason")[0].text == "reddit refused the request (403)"
    assert "whoa" not in reddit.staged.html


async def test_rate_limit_honours_retry_after(upstream: FakeUpstream, bench: FeedBench) -> None:
    upstream.json("/r/technology/hot.json", listing(post("a")))
    reddit = bench.stage(reddit_yaml(upstream))
    await reddit.refresh()
    upstream.answer("/r/technology/hot.json", BLOCK_PAGE, status=429, content_type="text/html", headers={"Retry-After": "60"})

    element = await reddit.refresh()

    assert reddit.last_delay == 60
    assert element.has_class("widget-is-stale")
    assert titles(element) == ["Post a"]
    assert reddit.widget.state.error == "reddit is rate-limiting requests (429); trying again in 60s"


async def test_app_auth_uses_bearer_token(upstream: FakeUpstream, bench: FeedBench) -> None:
    upstream.json("/api/v1/access_token", {"access_token": "tok-1", "token_type": "bearer", "expires_in": 86400, "scope": "*"})
    upstream.json("/r/technology/hot", listing(post("o")))
    reddit = bench.stage(reddit_yaml(upstream, "app-auth:\n  name: my-dashboard\n  id: app-id\n  secret: app-secret"))

    element = await reddit.refresh()
    await reddit.refresh()

    token_requests = upstream.requests_to("/api/v1/access_token")
    assert len(token_requests) == 1
    assert token_requests[0].method == "POST"
    assert token_requests[0].body == b"grant_type=client_credentials"
    assert token_requests[0].headers["authorization"] == "Basic " + base64.b64encode(b"app-id:app-secret").decode()
    listing_request = upstream.requests_to("/r/technology/hot")[0]
    assert listing_request.headers["authorization"] == "bearer tok-1"
    assert "my-dashboard" in listing_request.headers["user-agent"]
    assert titles(element) == ["Post o"]


def reload_config(upstream: FakeUpstream, note: str) -> str:
    """A page with an app-auth reddit widget and an html widget; only `note` differs between reloads."""

    return f"""
pages:
  - name: Home
    columns:
      - size: full
        widgets:
          - type: reddit
            subreddit: technology
            api-base-url: {upstream.url}
            app-auth: {{name: dash, id: app-id, secret: app-secret}}
          - type: html
            source: <p>{note}</p>
"""


async def test_app_auth_token_kept_across_reload(tmp_path: Path, upstream: FakeUpstream) -> None:
    upstream.json("/api/v1/access_token", {"access_token": "tok", "token_type": "bearer", "expires_in": 86400, "scope": "*"})
    upstream.json("/r/technology/hot", listing(post("o")))
    async with running_dashboard(tmp_path, reload_config(upstream, "first")) as (runtime, _client):
        assert runtime.scheduler is not None
        await runtime.scheduler.refresh_once(runtime.dashboard.first_page.columns[0][1][0])

        await runtime.apply(load_text(tmp_path, reload_config(upstream, "second")))
        assert runtime.scheduler is not None
        await runtime.scheduler.refresh_once(runtime.dashboard.first_page.columns[0][1][0])

    assert len(upstream.requests_to("/r/technology/hot")) == 2
    assert len(upstream.requests_to("/api/v1/access_token")) == 1


@pytest.mark.parametrize(
    "changed",
    ["app-auth: {name: dash, id: app-id, secret: new-secret}", "app-auth: {name: other, id: app-id, secret: app-secret}"],
)
async def test_app_auth_token_dropped_for_other_app(upstream: FakeUpstream, bench: FeedBench, changed: str) -> None:
    upstream.json("/api/v1/access_token", {"access_token": "tok", "token_type": "bearer", "expires_in": 86400, "scope": "*"})
    upstream.json("/r/technology/hot", listing(post("o")))
    before = bench.stage(reddit_yaml(upstream, "app-auth: {name: dash, id: app-id, secret: app-secret}"))
    await before.refresh()

    after = bench.stage(reddit_yaml(upstream, changed))
    after.widget.adopt_state(before.widget)
    await after.refresh()

    assert len(upstream.requests_to("/api/v1/access_token")) == 2


async def test_app_auth_token_dropped_for_other_address(upstream: FakeUpstream, bench: FeedBench) -> None:
    upstream.json("/api/v1/access_token", {"access_token": "tok", "token_type": "bearer", "expires_in": 86400, "scope": "*"})
    upstream.json("/mirror/api/v1/access_token", {"access_token": "tok-2", "token_type": "bearer", "expires_in": 86400, "scope": "*"})
    upstream.json("/mirror/r/technology/hot", listing(post("o")))
    upstream.json("/r/technology/hot", listing(post("o")))
    app = "app-auth: {name: dash, id: app-id, secret: app-secret}"
    before = bench.stage(reddit_yaml(upstream, app))
    await before.refresh()

    after = bench.stage(f"type: reddit\nsubreddit: technology\napi-base-url: {upstream.url}/mirror\n{app}")
    after.widget.adopt_state(before.widget)
    await after.refresh()

    assert len(upstream.requests_to("/mirror/api/v1/access_token")) == 1
    assert upstream.requests_to("/mirror/r/technology/hot")[0].headers["authorization"] == "bearer tok-2"


async def test_app_auth_renews_expired_token(upstream: FakeUpstream, bench: FeedBench) -> None:
    upstream.json("/api/v1/access_token", {"access_token": "tok", "token_type": "bearer", "expires_in": 3600, "scope": "*"})
    upstream.json("/r/technology/hot", listing(post("o")))
    reddit = bench.stage(reddit_yaml(upstream, "app-auth: {name: dash, id: i, secret: s}"))
    await reddit.refresh()

    await reddit.clock.advance(3600)
    await reddit.refresh()

    assert len(upstream.requests_to("/api/v1/access_token")) == 2


async def test_app_auth_rejected_token_renewed_once(upstream: FakeUpstream, bench: FeedBench) -> None:
    upstream.json("/api/v1/access_token", {"access_token": "tok", "token_type": "bearer", "expires_in": 86400, "scope": "*"})
    upstream.json("/r/technology/hot", {"message": "Unauthorized", "error": 401}, status=401)
    reddit = bench.stage(reddit_yaml(upstream, "app-auth: {name: dash, id: i, secret: s}"))

    element = await reddit.refresh()

    assert len(upstream.requests_to("/api/v1/access_token")) == 2
    assert len(upstream.requests_to("/r/technology/hot")) == 2
    assert element.select(".widget-error-reason")[0].text == "reddit refused the request (401)"


async def test_app_auth_bad_credentials_explained(upstream: FakeUpstream, bench: FeedBench) -> None:
    upstream.json("/api/v1/access_token", {"message": "Unauthorized", "error": 401}, status=401)
    reddit = bench.stage(reddit_yaml(upstream, "app-auth: {name: dash, id: i, secret: wrong}"))

    element = await reddit.refresh()

    reason = element.select(".widget-error-reason")[0].text
    assert reason == "reddit rejected the app-auth credentials (401); check app-auth id and secret"


@pytest.mark.parametrize("style", ["vertical-list", "horizontal-cards", "vertical-cards"])
async def test_counts_singular_for_one(upstream: FakeUpstream, bench: FeedBench, style: str) -> None:
    upstream.json("/r/technology/hot.json", listing(post("a", score=1, num_comments=1), post("b", score=-1, num_comments=0)))
    reddit = bench.stage(reddit_yaml(upstream, f"style: {style}"))

    element = await reddit.refresh()

    assert [score.text for score in element.select(".forum-post-score")] == ["1 point", "-1 points"]
    assert [comments.text for comments in element.select(".forum-post-comments")] == ["1 comment", "0 comments"]


async def test_horizontal_cards_in_carousel(upstream: FakeUpstream, bench: FeedBench) -> None:
    upstream.json("/r/technology/hot.json", listing(post("a"), post("b")))
    reddit = bench.stage(reddit_yaml(upstream, "style: horizontal-cards"))

    element = await reddit.refresh()

    carousel = element.select("[data-carousel]")[0]
    assert len(carousel.select("li.reddit-card")) == 2
    assert carousel.select("li.reddit-card img")[0]["src"] == "https://b.thumbs.redditmedia.com/a.jpg"


async def test_vertical_cards_collapse(upstream: FakeUpstream, bench: FeedBench) -> None:
    upstream.json("/r/technology/hot.json", listing(post("a"), post("b")))
    reddit = bench.stage(reddit_yaml(upstream, "style: vertical-cards\ncollapse-after: 1"))

    element = await reddit.refresh()

    cards = element.select("ul.reddit-vertical-cards")[0]
    assert cards["data-collapse-after"] == "1"
    assert len(cards.select("li.reddit-card")) == 2


async def test_engagement_sort_applied(upstream: FakeUpstream, bench: FeedBench) -> None:
    upstream.json("/r/technology/hot.json", listing(post("quiet", score=1, num_comments=0), post("busy", score=900, num_comments=300)))
    reddit = bench.stage(reddit_yaml(upstream, "extra-sort-by: engagement"))

    element = await reddit.refresh()

    assert titles(element) == ["Post busy", "Post quiet"]


def test_request_url_template_needs_placeholder(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="REQUEST-URL"):
        stage_widget(tmp_path, "type: reddit\nsubreddit: technology\nrequest-url-template: https://proxy.example/")


def test_app_auth_needs_all_three_keys(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="secret"):
        stage_widget(tmp_path, "type: reddit\nsubreddit: technology\napp-auth: {name: dash, id: i}")


def test_subreddit_prefix_dropped(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, "type: reddit\nsubreddit: r/selfhosted")

    assert staged.widget.title == "/r/selfhosted"


def test_proxy_accepts_url_text(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, "type: reddit\nsubreddit: selfhosted\nproxy: http://127.0.0.1:3128")

    assert staged.widget.options.proxy.url == "http://127.0.0.1:3128"  # type: ignore[attr-defined]
