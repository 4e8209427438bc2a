"""Feed documents read into items: formats, images, dates and what is not a feed."""

from __future__ import annotations

import pytest

from luna.feeds.parsing import NotAFeed, load_document, not_a_feed_reason, parse_feed, parse_time
from tests.support.feeds import Entry, atom, rdf, rss

URL = "http://127.0.0.1:18200/feed.xml"


def test_rss_item_fields_read() -> None:
    entry = Entry("Title", link="/a", date="Mon, 06 Jan 2025 10:00:00 GMT", description="<p>Body text</p>", categories=["one", "two"])

    feed = parse_feed(rss([entry], title="Site").encode(), URL)

    item = feed.items[0]
    assert feed.title == "Site"
    assert item.title == "Title"
    assert item.link == "http://127.0.0.1:18200/a"
    assert item.description == "<p>Body text</p>"
    assert item.summary == "Body text"
    assert item.categories == ("one", "two")
    assert item.published == 1736157600.0


def test_atom_and_rdf_read_alike() -> None:
    entries = [Entry("Same", link="http://127.0.0.1:18200/same", date="2025-01-06T10:00:00Z")]

    from_atom = parse_feed(atom(entries).encode(), URL).items[0]
    from_rdf = parse_feed(rdf(entries).encode(), URL).items[0]

    assert (from_atom.title, from_atom.link, from_atom.published) == (from_rdf.title, from_rdf.link, from_rdf.published)


def test_untitled_item_titled_from_description() -> None:
    feed = parse_feed(rss([Entry("", link="/x", description="<p>A status update without a title</p>")]).encode(), URL)

    assert feed.items[0].title == "A status update without a title"


@pytest.mark.parametrize(
    ("extra", "image"),
    [
        ('<media:thumbnail url="https://img.example/thumb.jpg"/>', "https://img.example/thumb.jpg"),
        ('<media:content url="/media/c.png" medium="image"/>', "http://127.0.0.1:18200/media/c.png"),
        ('<enclosure url="https://img.example/e.jpg" type="image/jpeg" length="1"/>', "https://img.example/e.jpg"),
        ('<enclosure url="https://audio.example/e.mp3" type="audio/mpeg" length="1"/>', None),
    ],
)
def test_item_image_found(extra: str, image: str | None) -> None:
    feed = parse_feed(rss([Entry("Pic", link="/p", extra=extra)]).encode(), URL)

    assert feed.items[0].image == image


def test_image_in_description_used() -> None:
    feed = parse_feed(rss([Entry("Pic", link="/p", description='<p><img src="/inline.png"> text</p>')]).encode(), URL)

    assert feed.items[0].image == "http://127.0.0.1:18200/inline.png"


def test_item_link_prefix_prepended() -> None:
    feed = parse_feed(rss([Entry("Prefixed", link="/posts/1")]).encode(), URL, link_prefix="https://proxy.example")

    assert feed.items[0].link == "https://proxy.example/posts/1"


def test_html_page_is_not_a_feed() -> None:
    with pytest.raises(NotAFeed):
        load_document(b"<!DOCTYPE html><html><body>Checking your browser</body></html>")


def test_html_page_reason_names_it() -> None:
    reason = not_a_feed_reason("text/html", 200, b"<!DOCTYPE html><title>Just a moment...</title>")

    assert reason == "got text/html, not a feed (HTTP 200): Just a moment..."


def test_other_content_reason_names_type() -> None:
    reason = not_a_feed_reason("application/octet-stream", 200, b"\x89PNG")

    assert reason.startswith("got application/octet-stream that is not RSS, Atom or JSON Feed (HTTP 200)")


def test_json_without_version_is_not_a_feed() -> None:
    with pytest.raises(NotAFeed):
        parse_feed(b'{"items": []}', URL, "application/json")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mon, 06 Jan 2025 10:00:00 GMT", 1736157600.0),
        ("Mon, 06 Jan 2025 10:00:00", 1736157600.0),
        ("2025-01-06T12:00:00+02:00", 1736157600.0),
        ("2025-01-06T10:00:00Z", 1736157600.0),
        ("2025-01-06T10:00:00", 1736157600.0),
        ("0001-01-01T00:00:00Z", None),
        ("yesterday", None),
        ("", None),
    ],
)
def test_times_read_as_utc(text: str, expected: float | None) -> None:
    assert parse_time(text) == expected
