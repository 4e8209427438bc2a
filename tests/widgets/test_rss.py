"""The rss widget against feeds served on 127.0.0.1: every style, merging, and feeds that misbehave."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from starlette.requests import Request
from starlette.responses import Response

from luna.clock import ManualClock
from luna.events.types import Event
from luna.widgets.base import WidgetState
from luna.widgets.rss import RssData
from tests.support.dashboards import running_dashboard
from tests.support.feeds import BENCH_START, Entry, FakeUpstream, FeedBench, atom, rdf, rss
from tests.support.servers import free_port
from tests.support.widgets import page_with_widget, stage_widget

RSS_TYPE = "application/rss+xml"
ATOM_TYPE = "application/atom+xml"


def dated(title: str, day: int, hour: int = 10, **fields: Any) -> Entry:
    return Entry(title, link=f"https://news.example/{title.lower().replace(' ', '-')}", date=f"Mon, {day:02d} Jan 2025 {hour:02d}:00:00 GMT", **fields)


def feeds_yaml(*urls: str, extra: str = "") -> str:
    lines = ["type: rss", "feeds:", *(f"  - url: {url}" for url in urls)]
    return "\n".join(lines) + "\n" + extra


def titles(element: Any) -> list[str]:
    return [title.text for title in element.select(".rss-title")]


def host_and_port(upstream: FakeUpstream) -> str:
    return upstream.url.removeprefix("http://")


# ---- listing and styles ---------------------------------------------------------------------


async def test_vertical_list_shows_items(upstream: FakeUpstream, bench: FeedBench) -> None:
    upstream.answer("/feed.xml", rss([dated("Older", 5), dated("Newer", 6)], title="Example News"), content_type=RSS_TYPE)
    widget = bench.stage(feeds_yaml(upstream.link("/feed.xml")))

    element = await widget.refresh()

    assert titles(element) == ["Newer", "Older"]
    item = element.select("li.rss-item")[0]
    assert item.select("a.rss-title")[0]["href"] == "https://news.example/newer"
    assert item.select(".rss-source")[0].text == "Example News"
    assert item.select("time")[0]["datetime"] == "2025-01-06T10:00:00Z"
    assert element.select("ul.rss-list")[0]["data-collapse-after"] == "5"


async def test_detailed_list_shows_description(upstream: FakeUpstream, bench: FeedBench) -> None:
    entry = dated("Story", 6, description="<p>Some <b>bold</b> text</p>", categories=["tech", "linux"], thumbnail="https://img.example/a.jpg")
    upstream.answer("/feed.xml", rss([entry]), content_type=RSS_TYPE)
    widget = bench.stage(feeds_yaml(upstream.link("/feed.xml"), extra="style: detailed-list"))

    element = await widget.refresh()

    item = element.select("li.rss-item")[0]
    assert item.select(".rss-description b")[0].text == "bold"
    assert [tag.text for tag in item.select(".feed-tag")] == ["tech", "linux"]
    assert item.select("img.rss-thumbnail")[0]["src"] == "https://img.example/a.jpg"


@pytest.mark.parametrize(("style", "card"), [("horizontal-cards", "li.rss-card"), ("horizontal-cards-2", "li.rss-card-2")])
async def test_card_styles_in_carousel(upstream: FakeUpstream, bench: FeedBench, style: str, card: str) -> None:
    entries = [dated("One", 6, thumbnail="https://img.example/1.jpg"), dated("Two", 5)]
    upstream.answer("/feed.xml", rss(entries), content_type=RSS_TYPE)
    widget = bench.stage(feeds_yaml(upstream.link("/feed.xml"), extra=f"style: {style}\ncard-height: 20\nthumbnail-height: 8"))

    element = await widget.refresh()

    cards = element.select(f"[data-carousel] {card}")
    assert len(cards) == 2
    assert cards[0].select("img")[0]["src"] == "https://img.example/1.jpg"
    assert element.select(".widget-content")[0].has_class("widget-content-frameless")


async def test_single_line_titles_marked(upstream: FakeUpstream, bench: FeedBench) -> None:
    upstream.answer("/feed.xml", rss([dated("One", 6)]), content_type=RSS_TYPE)
    widget = bench.stage(feeds_yaml(upstream.link("/feed.xml"), extra="single-line-titles: true"))

    element = await widget.refresh()

    assert element.select(".rss-title")[0].has_class("single-line")


async def test_limit_and_collapse_after(upstream: FakeUpstream, bench: FeedBench) -> None:
    upstream.answer("/feed.xml", rss([dated(f"Item {day}", day) for day in range(1, 21)]), content_type=RSS_TYPE)
    widget = bench.stage(feeds_yaml(upstream.link("/feed.xml"), extra="limit: 3\ncollapse-after: -1"))

    element = await widget.refresh()

    assert titles(element) == ["Item 20", "Item 19", "Item 18"]
    assert element.select("[data-collapse-after]") == []


# ---- several feeds --------------------------------------------------------------------------


async def test_feeds_merged_newest_first(upstream: FakeUpstream, bench: FeedBench) -> None:
    upstream.answer("/a.xml", rss([dated("A new", 8), dated("A old", 2)], title="A"), content_type=RSS_TYPE)
    upstream.answer("/b.xml", atom([Entry("B mid", link="https://b.example/mid", date="2025-01-05T10:00:00Z")], title="B"), content_type=ATOM_TYPE)
    widget = bench.stage(feeds_yaml(upstream.link("/a.xml"), upstream.link("/b.xml")))

    element = await widget.refresh()

    assert titles(element) == ["A new", "B mid", "A old"]
    assert [source.text for source in element.select(".rss-source")] == ["A", "B", "A"]


async def test_preserve_order_keeps_feed_order(upstream: FakeUpstream, bench: FeedBench) -> None:
    upstream.answer("/a.xml", rss([dated("A old", 2), dated("A new", 8)]), content_type=RSS_TYPE)
    upstream.answer("/b.xml", rss([dated("B", 9)]), content_type=RSS_TYPE)
    widget = bench.stage(feeds_yaml(upstream.link("/a.xml"), upstream.link("/b.xml"), extra="preserve-order: true"))

    element = await widget.refresh()

    assert titles(element) == ["A old", "A new", "B"]


async def test_duplicate_links_shown_once(upstream: FakeUpstream, bench: FeedBench) -> None:
    upstream.answer("/a.xml", rss([dated("Shared", 6)]), content_type=RSS_TYPE)
    upstream.answer("/b.xml", rss([dated("Shared", 6)]), content_type=RSS_TYPE)
    widget = bench.stage(feeds_yaml(upstream.link("/a.xml"), upstream.link("/b.xml")))

    element = await widget.refresh()

    assert titles(element) == ["Shared"]


async def test_per_feed_settings_applied(upstream: FakeUpstream, bench: FeedBench) -> None:
    entries = [
        Entry("First", link="/posts/1", date="2025-01-06T10:00:00Z", description="<p>text</p>", categories=["x"]),
        Entry("Second", link="/posts/2", date="2025-01-05T10:00:00Z"),
    ]
    upstream.answer("/feed.xml", rss(entries), content_type=RSS_TYPE)
    widget = bench.stage(
        f"""type: rss
style: detailed-list
feeds:
  - url: {upstream.link('/feed.xml')}
    title: My title
    limit: 1
    hide-categories: true
    hide-description: true
    item-link-prefix: https://mirror.example
"""
    )

    element = await widget.refresh()

    assert titles(element) == ["First"]
    assert element.select(".rss-source")[0].text == "My title"
    assert element.select("a.rss-title")[0]["href"] == "https://mirror.example/posts/1"
    assert element.select(".rss-description") == []
    assert element.select(".feed-tag") == []


async def test_one_failing_feed_of_five_noted(upstream: FakeUpstream, bench: FeedBench) -> None:
    for index in range(4):
        upstream.answer(f"/ok{index}.xml", rss([dated(f"Item {index}", 6 - index)]), content_type=RSS_TYPE)
    upstream.answer("/broken.xml", "oops", status=500, content_type="text/plain")
    urls = [upstream.link(f"/ok{index}.xml") for index in range(4)] + [upstream.link("/broken.xml")]
    widget = bench.stage(feeds_yaml(*urls))

    element = await widget.refresh()

    assert titles(element) == ["Item 0", "Item 1", "Item 2", "Item 3"]
    assert [note.text for note in element.select(".feed-note")] == [f"{host_and_port(upstream)}/broken.xml: the feed server answered HTTP 500"]
    assert element.has_class("widget-is-stale") is False
    assert widget.last_delay == 15


async def test_untitled_failing_feeds_named_by_path(upstream: FakeUpstream, bench: FeedBench) -> None:
    upstream.answer("/ok.xml", rss([dated("Fine", 6)]), content_type=RSS_TYPE)
    upstream.answer("/big.xml", rss([dated(f"Item {index}", 5) for index in range(40)]), content_type=RSS_TYPE)
    feeds = [upstream.link("/ok.xml"), upstream.link("/big.xml"), upstream.link("/missing.xml")]
    titled_feed = f"  - url: {upstream.link('/gone.xml')}\n    title: Gone feed\n"
    widget = bench.stage(feeds_yaml(*feeds, extra=titled_feed + "max-response-size: 1KB"))

    element = await widget.refresh()

    host = host_and_port(upstream)
    assert [note.text for note in element.select(".feed-note")] == [
        f"{host}/big.xml: response exceeds 1 KB; raise max-response-size if this is expected",
        f"{host}/missing.xml: the feed server has nothing at this address (404)",
        "Gone feed: the feed server has nothing at this address (404)",
    ]


async def test_failing_feed_keeps_last_items(upstream: FakeUpstream, bench: FeedBench) -> None:
    upstream.answer("/a.xml", rss([dated("A", 6)]), content_type=RSS_TYPE)
    upstream.answer("/b.xml", rss([dated("B", 5)]), content_type=RSS_TYPE)
    widget = bench.stage(feeds_yaml(upstream.link("/a.xml"), upstream.link("/b.xml")))
    await widget.refresh()
    upstream.answer("/b.xml", "", status=502, content_type="text/plain")

    element = await widget.refresh()

    assert titles(element) == ["A", "B"]
    assert len(element.select(".feed-note")) == 1


async def test_every_feed_failing_is_error(upstream: FakeUpstream, bench: FeedBench) -> None:
    upstream.answer("/a.xml", "", status=500, content_type="text/plain")
    widget = bench.stage(feeds_yaml(upstream.link("/a.xml"), extra="title: News"))

    element = await widget.refresh()

    assert element.select(".widget-error-reason")[0].text == "the feed server answered HTTP 500"


async def test_every_feed_failing_lists_each(upstream: FakeUpstream, bench: FeedBench) -> None:
    upstream.answer("/page.xml", "<!DOCTYPE html><title>Home</title>", content_type="text/html")
    upstream.answer("/down.xml", "", status=503, content_type="text/plain")
    widget = bench.stage(feeds_yaml(upstream.link("/page.xml"), upstream.link("/down.xml")))

    element = await widget.refresh()

    host = host_and_port(upstream)
    assert element.select(".widget-error-reason")[0].text == (
        f"all 2 feeds failed: {host}/page.xml: got text/html, not a feed (HTTP 200): Home; {host}/down.xml: the feed server answered HTTP 503"
    )


async def test_many_failing_feeds_counted(upstream: FakeUpstream, bench: FeedBench, caplog: pytest.LogCaptureFixture) -> None:
    widget = bench.stage(feeds_yaml(*(upstream.link(f"/gone{index}.xml") for index in range(5))))

    element = await widget.refresh()

    host = host_and_port(upstream)
    listed = "; ".join(f"{host}/gone{index}.xml: the feed server has nothing at this address (404)" for index in range(3))
    assert element.select(".widget-error-reason")[0].text == f"all 5 feeds failed: {listed}; and 2 more"
    failure_log = [record.getMessage() for record in caplog.records if "refresh failed" in record.getMessage()]
    assert len(failure_log) == 1
    for index in range(5):
        assert f"/gone{index}.xml" in failure_log[0]


async def test_all_failing_keeps_items_stale(upstream: FakeUpstream, bench: FeedBench) -> None:
    upstream.answer("/a.xml", rss([dated("A", 6)]), content_type=RSS_TYPE)
    widget = bench.stage(feeds_yaml(upstream.link("/a.xml")))
    await widget.refresh()
    upstream.answer("/a.xml", "", status=500, content_type="text/plain")

    element = await widget.refresh()

    assert element.has_class("widget-is-stale")
    assert titles(element) == ["A"]


# ---- requests -------------------------------------------------------------------------------


async def test_conditional_get_reuses_items(upstream: FakeUpstream, bench: FeedBench) -> None:
    validators = {"ETag": '"v1"', "Last-Modified": "Mon, 06 Jan 2025 10:00:00 GMT"}
    upstream.answer("/feed.xml", rss([dated("Cached", 6)]), content_type=RSS_TYPE, headers=validators)
    widget = bench.stage(feeds_yaml(upstream.link("/feed.xml")))
    await widget.refresh()
    upstream.answer("/feed.xml", "", status=304, content_type=RSS_TYPE)

    element = await widget.refresh()

    second = upstream.requests_to("/feed.xml")[1]
    assert second.headers["if-none-match"] == '"v1"'
    assert second.headers["if-modified-since"] == "Mon, 06 Jan 2025 10:00:00 GMT"
    assert titles(element) == ["Cached"]


async def refresh_across_reload(upstream: FakeUpstream, bench: FeedBench, before: str, after: str) -> Any:
    """Refresh a widget, reload it with other settings, and refresh again from a feed that returns 304 for its ETag."""

    body = rss([dated(f"Item {index}", 6, hour=index) for index in range(5)], title="Example News")

    async def validating(request: Request) -> Response:
        if request.headers.get("if-none-match") == '"v1"':
            return Response(status_code=304)
        return Response(body, media_type=RSS_TYPE, headers={"ETag": '"v1"'})

    upstream.handle("/feed.xml", validating)
    before_reload = bench.stage(before)
    await before_reload.refresh()
    after_reload = bench.stage(after)
    after_reload.widget.adopt_state(before_reload.widget)
    return await after_reload.refresh()


async def test_raised_limit_refetches_whole_feed(upstream: FakeUpstream, bench: FeedBench) -> None:
    url = upstream.link("/feed.xml")

    element = await refresh_across_reload(upstream, bench, feeds_yaml(url, extra="limit: 2"), feeds_yaml(url, extra="limit: 4"))

    second = upstream.requests_to("/feed.xml")[1]
    assert "if-none-match" not in second.headers
    assert titles(element) == ["Item 4", "Item 3", "Item 2", "Item 1"]


async def test_renamed_feed_refetched_after_reload(upstream: FakeUpstream, bench: FeedBench) -> None:
    url = upstream.link("/feed.xml")
    renamed = f"type: rss\nstyle: detailed-list\nfeeds:\n  - url: {url}\n    title: Renamed\n"

    element = await refresh_across_reload(upstream, bench, feeds_yaml(url, extra="style: detailed-list"), renamed)

    assert "if-none-match" not in upstream.requests_to("/feed.xml")[1].headers
    assert "Renamed" in element.text
    assert "Example News" not in element.text


async def test_moved_feed_followed(upstream: FakeUpstream, bench: FeedBench) -> None:
    upstream.answer("/old.xml", "", status=301, content_type="text/plain", headers={"Location": "/new/feed.xml"})
    upstream.answer("/new/feed.xml", rss([Entry("Moved", link="post")]), content_type=RSS_TYPE)
    widget = bench.stage(feeds_yaml(upstream.link("/old.xml")))

    element = await widget.refresh()

    assert titles(element) == ["Moved"]
    assert element.select("a.rss-title")[0]["href"] == f"{upstream.url}/new/post"


async def test_default_headers_pass_feed_policies(upstream: FakeUpstream, bench: FeedBench) -> None:
    async def picky(request: Request) -> Response:
        agent = request.headers.get("user-agent", "")
        if not agent or agent.startswith(("python-httpx", "Go-http-client")):
            return Response("no bots", status_code=403)
        if not any(kind in request.headers.get("accept", "") for kind in ("application/rss+xml", "application/xml")):
            return Response("not acceptable", status_code=406)
        return Response(rss([dated("Allowed", 6)]), media_type=RSS_TYPE)

    upstream.handle("/picky.xml", picky)
    widget = bench.stage(feeds_yaml(upstream.link("/picky.xml")))

    element = await widget.refresh()

    assert titles(element) == ["Allowed"]
    assert upstream.requests[0].headers["user-agent"].startswith("luna/")


async def test_feed_headers_override_defaults(upstream: FakeUpstream, bench: FeedBench) -> None:
    upstream.answer("/feed.xml", rss([dated("One", 6)]), content_type=RSS_TYPE)
    widget = bench.stage(
        f"""type: rss
feeds:
  - url: {upstream.link('/feed.xml')}
    headers:
      User-Agent: Mozilla/5.0 (X11; Linux x86_64)
      accept: application/rss+xml
      Cookie: session=abc
"""
    )

    await widget.refresh()

    headers = upstream.requests[0].headers
    assert headers["user-agent"] == "Mozilla/5.0 (X11; Linux x86_64)"
    assert headers["accept"] == "application/rss+xml"
    assert headers["cookie"] == "session=abc"


async def test_challenge_page_named(upstream: FakeUpstream, bench: FeedBench) -> None:
    page = "<!DOCTYPE html><html><head><title>Just a moment...</title></head><body><p>Checking your browser before accessing.</p></body></html>"
    upstream.answer("/challenge.xml", page, content_type="text/html")
    upstream.answer("/ok.xml", rss([dated("Fine", 6)]), content_type=RSS_TYPE)
    widget = bench.stage(feeds_yaml(upstream.link("/ok.xml"), upstream.link("/challenge.xml")))

    element = await widget.refresh()

    note = element.select(".feed-note")[0].text
    assert note.startswith(f"{host_and_port(upstream)}/challenge.xml: got text/html, not a feed (HTTP 200): Just a moment... Checking your browser")
    assert titles(element) == ["Fine"]


async def test_feed_labelled_html_still_read(upstream: FakeUpstream, bench: FeedBench) -> None:
    upstream.answer("/feed", rss([dated("Mislabelled", 6)]), content_type="text/html")
    widget = bench.stage(feeds_yaml(upstream.link("/feed")))

    element = await widget.refresh()

    assert titles(element) == ["Mislabelled"]


async def test_oversized_feed_rejected(upstream: FakeUpstream, bench: FeedBench) -> None:
    upstream.answer("/big.xml", rss([dated(f"Item {index}", 6, description="x" * 1000) for index in range(200)]), content_type=RSS_TYPE)
    widget = bench.stage(feeds_yaml(upstream.link("/big.xml"), extra="max-response-size: 64KB"))

    element = await widget.refresh()

    reason = element.select(".widget-error-reason")[0].text
    assert reason == "response exceeds 64 KB; raise max-response-size if this is expected"
    assert widget.last_delay == 15


async def test_large_feed_shows_newest(upstream: FakeUpstream, bench: FeedBench) -> None:
    entries = [Entry(f"Item {index}", link=f"https://big.example/{index}", date=_minutes_ago(index), description="d" * 1500) for index in range(5000)]
    body = rss(entries)
    upstream.answer("/big.xml", body, content_type=RSS_TYPE)
    widget = bench.stage(feeds_yaml(upstream.link("/big.xml"), extra="limit: 3\ntimeout: 60s"))

    element = await widget.refresh()

    assert len(body) > 8_000_000
    assert titles(element) == ["Item 0", "Item 1", "Item 2"]


async def test_large_feed_keeps_only_limit(upstream: FakeUpstream, bench: FeedBench) -> None:
    # The newest items come last in the document, so keeping the first ones would be wrong.
    entries = [Entry(f"Item {index}", link=f"https://big.example/{index}", date=_minutes_ago(40 - index)) for index in range(40)]
    upstream.answer("/feed.xml", rss(entries), content_type=RSS_TYPE)
    widget = bench.stage(feeds_yaml(upstream.link("/feed.xml"), extra="limit: 3"))

    await widget.refresh()

    stored = widget.data.feeds[0].items
    assert [entry.title for entry in stored] == ["Item 39", "Item 38", "Item 37"]


def _minutes_ago(minutes: int) -> str:
    return time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(1_736_157_600 - minutes * 60))


async def test_slow_feed_times_out_alone(upstream: FakeUpstream, bench: FeedBench) -> None:
    upstream.answer("/slow.xml", rss([dated("Slow", 6)]), content_type=RSS_TYPE, delay=30)
    upstream.answer("/fast.xml", rss([dated("Fast", 6)]), content_type=RSS_TYPE)
    widget = bench.stage(
        f"""type: rss
feeds:
  - url: {upstream.link('/slow.xml')}
    title: Slow feed
    timeout: 1s
  - url: {upstream.link('/fast.xml')}
"""
    )

    element = await widget.refresh()

    assert titles(element) == ["Fast"]
    assert [note.text for note in element.select(".feed-note")] == ["Slow feed: timed out after 1s"]


async def test_failed_boot_recovers_on_retry(bench: FeedBench) -> None:
    port = free_port()
    widget = bench.stage(feeds_yaml(f"http://127.0.0.1:{port}/feed.xml", extra="cache: 12h"))
    first = await widget.refresh()
    retry_delay = widget.last_delay

    with FakeUpstream().serve(port) as upstream:
        upstream.answer("/feed.xml", rss([dated("Back", 6)]), content_type=RSS_TYPE)
        element = await widget.refresh()

    assert first.select(".widget-error-reason")[0].text == f"could not connect to 127.0.0.1:{port}"
    assert retry_delay == 15
    assert titles(element) == ["Back"]
    assert widget.last_delay == 12 * 3600


# ---- hostile and broken input ---------------------------------------------------------------


async def test_relative_links_resolved(upstream: FakeUpstream, bench: FeedBench) -> None:
    host = upstream.url.removeprefix("http://")
    entries = [
        Entry("Root", link="/2025/post/"),
        Entry("Dot", link="./b"),
        Entry("Bare", link="c"),
        Entry("Scheme relative", link=f"//{host}/d"),
        Entry("Script", link="javascript:alert(1)"),
    ]
    upstream.answer("/feeds/atom.xml", atom(entries, link="/"), content_type=ATOM_TYPE)
    upstream.answer("/based.xml", atom([Entry("Based", link="post")], base=f"{upstream.url}/blog/"), content_type=ATOM_TYPE)
    widget = bench.stage(feeds_yaml(upstream.link("/feeds/atom.xml"), upstream.link("/based.xml"), extra="preserve-order: true"))

    element = await widget.refresh()

    links = {link.text: link["href"] for link in element.select("a.rss-title")}
    assert links == {
        "Root": f"{upstream.url}/2025/post/",
        "Dot": f"{upstream.url}/feeds/b",
        "Bare": f"{upstream.url}/feeds/c",
        "Scheme relative": f"{upstream.url}/d",
        "Based": f"{upstream.url}/blog/post",
    }
    assert [span.text for span in element.select("span.rss-title")] == ["Script"]


async def test_hostile_markup_neutralised(upstream: FakeUpstream, bench: FeedBench) -> None:
    description = '<p onclick="steal()">Hi <script>alert(1)</script><a href="javascript:alert(2)">x</a><a href="/safe">y</a><img src="https://t.example/pixel.gif"><iframe src="https://evil.example/"></iframe></p>'
    entries = [Entry("Tom & Jerry <b>bold</b> <script>alert(3)</script>", link="https://a.example/1", description=description, date="2025-01-06T10:00:00Z")]
    upstream.answer("/feed.xml", rss(entries), content_type=RSS_TYPE)
    widget = bench.stage(feeds_yaml(upstream.link("/feed.xml"), extra="style: detailed-list"))

    element = await widget.refresh()
    html = widget.staged.html

    assert titles(element) == ["Tom & Jerry bold"]
    assert "<script" not in html
    assert "onclick" not in html
    assert "javascript:" not in html
    assert "<iframe" not in html
    assert "pixel.gif" not in element.select(".rss-description")[0].raw_text
    description_links = [link.get("href") for link in element.select(".rss-description a")]
    assert description_links == [None, f"{upstream.url}/safe"]


async def test_cut_off_feed_shows_whole_items(upstream: FakeUpstream, bench: FeedBench) -> None:
    document = rss([dated("Item 1", 6), dated("Item 2", 5)]).removesuffix("</channel></rss>") + "<item><title>Trunc item 3</ti"
    upstream.answer("/feed.xml", document, content_type=RSS_TYPE)
    widget = bench.stage(feeds_yaml(upstream.link("/feed.xml")))

    element = await widget.refresh()

    assert titles(element) == ["Item 1", "Item 2"]
    assert len(element.select("li.rss-item")) == 2


async def test_undated_items_keep_order_below_dated(upstream: FakeUpstream, bench: FeedBench) -> None:
    undated = [Entry(name, link=f"https://n.example/{name}") for name in "ABCDE"]
    mixed = [
        Entry("M1", link="https://m.example/1"),
        Entry("M2", link="https://m.example/2", date="Mon, 06 Jan 2025 10:00:00 GMT"),
        Entry("M3", link="https://m.example/3"),
        Entry("M4", link="https://m.example/4", date="Tue, 07 Jan 2025 10:00:00 GMT"),
        Entry("M5", link="https://m.example/5"),
    ]
    upstream.answer("/nodate.xml", rss(undated), content_type=RSS_TYPE)
    upstream.answer("/mixed.xml", rss(mixed), content_type=RSS_TYPE)
    widget = bench.stage(feeds_yaml(upstream.link("/nodate.xml"), upstream.link("/mixed.xml"), extra="limit: 20"))

    element = await widget.refresh()

    assert titles(element) == ["M4", "M2", "A", "B", "C", "D", "E", "M1", "M3", "M5"]
    ages = {item.select(".rss-title")[0].text: item.select("time") for item in element.select("li.rss-item")}
    assert ages["A"] == []
    assert len(ages["M4"]) == 1


async def test_rss1_dc_date_understood(upstream: FakeUpstream, bench: FeedBench) -> None:
    entries = [Entry("RDF item", link="https://r.example/1", date="2025-01-06T10:00:00+01:00")]
    upstream.answer("/rdf.xml", rdf(entries), content_type="application/rdf+xml")
    widget = bench.stage(feeds_yaml(upstream.link("/rdf.xml")))

    element = await widget.refresh()

    assert titles(element) == ["RDF item"]
    assert element.select("time")[0]["datetime"] == "2025-01-06T09:00:00Z"


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Mon, 06 Jan 2025 10:00:00 +0200", "2025-01-06T08:00:00Z"),
        ("Mon, 06 Jan 2025 10:00:00", "2025-01-06T10:00:00Z"),
        ("Mon, 06 Jan 2025 10:00:00 EST", "2025-01-06T15:00:00Z"),
        ("2025-01-06T10:00:00", "2025-01-06T10:00:00Z"),
    ],
)
async def test_dates_read_in_utc(upstream: FakeUpstream, bench: FeedBench, monkeypatch: pytest.MonkeyPatch, written: str, expected: str) -> None:
    monkeypatch.setenv("TZ", "Pacific/Kiritimati")
    time.tzset()
    upstream.answer("/feed.xml", rss([Entry("Zoned", link="https://z.example/", date=written)]), content_type=RSS_TYPE)
    widget = bench.stage(feeds_yaml(upstream.link("/feed.xml")))

    try:
        element = await widget.refresh()
    finally:
        monkeypatch.undo()
        time.tzset()

    assert element.select("time")[0]["datetime"] == expected


async def test_placeholder_dates_treated_as_undated(upstream: FakeUpstream, bench: FeedBench) -> None:
    entries = [Entry("Epoch", link="https://e.example/", date="Thu, 01 Jan 1970 00:00:00 GMT"), Entry("Junk", link="https://j.example/", date="soon")]
    upstream.answer("/feed.xml", rss(entries), content_type=RSS_TYPE)
    widget = bench.stage(feeds_yaml(upstream.link("/feed.xml")))

    element = await widget.refresh()

    assert titles(element) == ["Epoch", "Junk"]
    assert element.select("time") == []


async def test_future_item_sorted_as_undated(upstream: FakeUpstream, bench: FeedBench) -> None:
    # The bench clock is at 2025-06-01 00:00 UTC. A date a few hours ahead is a time-zone slip.
    entries = [
        Entry("Far future", link="https://f.example/1", date="Thu, 01 Jan 2099 00:00:00 GMT"),
        dated("Older", 5),
        Entry("Hours ahead", link="https://f.example/2", date="Sun, 01 Jun 2025 06:00:00 GMT"),
    ]
    upstream.answer("/feed.xml", rss(entries), content_type=RSS_TYPE)
    widget = bench.stage(feeds_yaml(upstream.link("/feed.xml")))

    element = await widget.refresh()

    assert titles(element) == ["Hours ahead", "Older", "Far future"]
    ages = {item.select(".rss-title")[0].text: item.select("time") for item in element.select("li.rss-item")}
    assert ages["Far future"] == []
    assert ages["Hours ahead"][0]["datetime"] == "2025-06-01T06:00:00Z"


async def test_future_date_counts_once_reached(upstream: FakeUpstream, bench: FeedBench) -> None:
    entries = [dated("Older", 5), Entry("Scheduled", link="https://f.example/s", date="Thu, 05 Jun 2025 00:00:00 GMT")]
    upstream.answer("/feed.xml", rss(entries), content_type=RSS_TYPE)
    widget = bench.stage(feeds_yaml(upstream.link("/feed.xml")))

    before = await widget.refresh()
    await widget.clock.advance(4 * 24 * 3600)
    after = await widget.refresh()

    assert titles(before) == ["Older", "Scheduled"]
    assert titles(after) == ["Scheduled", "Older"]


async def test_control_characters_do_not_lose_feed(upstream: FakeUpstream, bench: FeedBench) -> None:
    body = rss([Entry("Bell\x07 and \x1bescape", link="https://c.example/1"), Entry("Form\x0cfeed", link="https://c.example/2")])
    upstream.answer("/feed.xml", body, content_type=RSS_TYPE)
    widget = bench.stage(feeds_yaml(upstream.link("/feed.xml"), extra="preserve-order: true"))

    element = await widget.refresh()

    assert titles(element) == ["Bell and escape", "Formfeed"]


async def test_wrong_encoding_declaration_survives(upstream: FakeUpstream, bench: FeedBench) -> None:
    body = rss([Entry("Café crème", link="https://e.example/1")], encoding="utf-8").encode("latin-1")
    upstream.answer("/feed.xml", body, content_type="application/rss+xml; charset=utf-8")
    widget = bench.stage(feeds_yaml(upstream.link("/feed.xml")))

    element = await widget.refresh()

    assert titles(element) == ["Café crème"]


async def test_json_feed_read(upstream: FakeUpstream, bench: FeedBench) -> None:
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "JSON News",
        "home_page_url": "https://json.example/",
        "items": [{"id": "1", "url": "/posts/1", "title": "From JSON", "content_html": "<p>hello</p>", "date_published": "2025-01-06T10:00:00Z"}],
    }
    upstream.json("/feed.json", document, content_type="application/feed+json")
    widget = bench.stage(feeds_yaml(upstream.link("/feed.json")))

    element = await widget.refresh()

    assert titles(element) == ["From JSON"]
    assert element.select("a.rss-title")[0]["href"] == f"{upstream.url}/posts/1"


# ---- live updates ---------------------------------------------------------------------------


async def test_new_items_push_widget_update(tmp_path: Path, upstream: FakeUpstream) -> None:
    upstream.answer("/feed.xml", rss([dated("First", 5)]), content_type=RSS_TYPE)
    config = page_with_widget(feeds_yaml(upstream.link("/feed.xml")))
    async with running_dashboard(tmp_path, config, clock=ManualClock(BENCH_START)) as (runtime, client):
        published: list[Event] = []
        publish = runtime.hub.publish
        runtime.hub.publish = lambda event: (published.append(event), publish(event))[1]  # type: ignore[method-assign]
        widget = runtime.dashboard.first_page.columns[0][1][0]
        assert runtime.scheduler is not None

        await runtime.scheduler.refresh_once(widget)
        await runtime.scheduler.refresh_once(widget)
        after_unchanged = len(published)
        upstream.answer("/feed.xml", rss([dated("Second", 6), dated("First", 5)]), content_type=RSS_TYPE)
        await runtime.scheduler.refresh_once(widget)
        content = (await client.get(f"/api/widgets/{widget.id}/content/")).text

    assert [event.type for event in published] == ["widget:updated", "widget:updated"]
    assert after_unchanged == 1
    assert "Second" in content


async def test_data_api_lists_items(tmp_path: Path, upstream: FakeUpstream) -> None:
    upstream.answer("/feed.xml", rss([dated("First", 5)], title="Source"), content_type=RSS_TYPE)
    async with running_dashboard(tmp_path, page_with_widget(feeds_yaml(upstream.link("/feed.xml"))), clock=ManualClock(BENCH_START)) as (runtime, client):
        widget = runtime.dashboard.first_page.columns[0][1][0]
        assert runtime.scheduler is not None
        await runtime.scheduler.refresh_once(widget)

        data = (await client.get(f"/api/widgets/{widget.id}/data")).json()["data"]

    assert data["notes"] == []
    assert [(item["title"], item["source"], item["published"]) for item in data["items"]] == [("First", "Source", 1736071200.0)]


def test_empty_feed_list_says_so(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, "type: rss")

    element = staged.show(WidgetState().after_success(RssData((), ()), 0))

    assert element.select(".widget-empty")[0].text == "No items were returned from the feeds."
