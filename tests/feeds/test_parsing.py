"""Feed documents read into items: formats, images, dates and what is not a feed."""

from __future__ import annotations

import json

import pytest

from luna.feeds.parsing import NotAFeed, load_document, not_a_feed_reason, parse_feed, parse_time
from tests.support.feeds import Entry, atom, rdf, rss

URL = "http://127.0.0.1:18200/feed.xml"
# 2025-06-01 00:00 UTC, after every date these documents carry.
NOW = 1748736000.0


def test_rss_item_fields_read() -> None:
    entry = Entry("Title", link="/a", date="Mon, 06 Jan 2025 10:00:00 GMT", description="<p>Body text</p>", categories=["one", "two"])

    feed = parse_feed(rss([entry], title="Site").encode(), URL, now=NOW)

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

    from_atom = parse_feed(atom(entries).encode(), URL, now=NOW).items[0]
    from_rdf = parse_feed(rdf(entries).encode(), URL, now=NOW).items[0]

    assert (from_atom.title, from_atom.link, from_atom.published) == (from_rdf.title, from_rdf.link, from_rdf.published)


def test_untitled_item_titled_from_description() -> None:
    feed = parse_feed(rss([Entry("", link="/x", description="<p>A status update without a title</p>")]).encode(), URL, now=NOW)

    assert feed.items[0].title == "A status update without a title"


def test_untitled_item_titled_from_link() -> None:
    feed = parse_feed(rss([Entry("", link="https://www.blog.example/2025/01/post/")]).encode(), URL, now=NOW)

    assert feed.items[0].title == "blog.example/2025/01/post"


def test_item_without_title_or_link_skipped() -> None:
    entries = [Entry("Kept", link="/a"), Entry("", description="<p>Text without a title or link</p>"), Entry("No link")]

    feed = parse_feed(rss(entries).encode(), URL, now=NOW)

    assert [item.title for item in feed.items] == ["Kept", "No link"]


def test_cut_off_item_skipped() -> None:
    document = rss([Entry("Item 1", link="/1"), Entry("Item 2", link="/2")]).removesuffix("</channel></rss>")
    document += "<item><title>Trunc item 3</ti"

    feed = parse_feed(document.encode(), URL, now=NOW)

    assert [item.title for item in feed.items] == ["Item 1", "Item 2"]


# The title as a feed's XML carries it: tags escaped once, and "&amp;amp;".
ESCAPED_TITLE = "&lt;script&gt;alert('title')&lt;/script&gt; Tom &amp;amp; Jerry &lt;b&gt;bold&lt;/b&gt;"
# The same title once the XML parser decoded it.
DECODED_TITLE = "<script>alert('title')</script> Tom &amp; Jerry <b>bold</b>"
CLEAN_TITLE = "Tom &amp; Jerry bold"


def test_rss2_title_tags_removed() -> None:
    document = rss([Entry("placeholder", link="/a")]).replace("<title>placeholder</title>", f"<title>{ESCAPED_TITLE}</title>")

    assert parse_feed(document.encode(), URL, now=NOW).items[0].title == CLEAN_TITLE


def test_rss1_title_tags_removed() -> None:
    document = rdf([Entry(DECODED_TITLE, link="http://127.0.0.1:18200/a")])

    assert parse_feed(document.encode(), URL, now=NOW).items[0].title == CLEAN_TITLE


def test_rss_channel_title_tags_removed() -> None:
    document = rss([Entry("A", link="/a")], title="<b>Bold</b> News &amp; Views")

    assert parse_feed(document.encode(), URL, now=NOW).title == "Bold News &amp; Views"


def test_json_feed_title_tags_removed() -> None:
    items = [{"id": "1", "url": "/a", "title": ESCAPED_TITLE}, {"id": "2", "url": "/b", "title": "<b>Raw</b> tags &amp; <script>x()</script>"}]
    document = {"version": "https://jsonfeed.org/version/1.1", "title": "<b>Site</b>", "items": items}

    feed = parse_feed(json.dumps(document).encode(), URL, "application/feed+json", now=NOW)

    assert feed.title == "Site"
    assert feed.items[0].title == CLEAN_TITLE
    assert feed.items[1].title == "Raw tags &"


def test_atom_html_title_decoded_as_html() -> None:
    document = atom([Entry("ignored", link="/a")]).replace("<title>ignored</title>", f'<title type="html">{ESCAPED_TITLE}</title>')

    assert parse_feed(document.encode(), URL, now=NOW).items[0].title == "Tom & Jerry bold"


def test_atom_text_title_kept_as_written() -> None:
    document = atom([Entry("Why <script> tags & more", link="/a")])

    assert parse_feed(document.encode(), URL, now=NOW).items[0].title == "Why <script> tags & more"


def test_json_feed_item_without_title_or_link_skipped() -> None:
    items = [{"id": "1", "url": "/a", "title": "Kept"}, {"id": "2", "content_text": "no title, no link"}, {"id": "3", "url": "https://json.example/posts/3"}]
    document = {"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": items}

    feed = parse_feed(json.dumps(document).encode(), URL, "application/feed+json", now=NOW)

    assert [item.title for item in feed.items] == ["Kept", "json.example/posts/3"]


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
    feed = parse_feed(rss([Entry("Pic", link="/p", extra=extra)]).encode(), URL, now=NOW)

    assert feed.items[0].image == image


def test_image_in_description_used() -> None:
    feed = parse_feed(rss([Entry("Pic", link="/p", description='<p><img src="/inline.png"> text</p>')]).encode(), URL, now=NOW)

    assert feed.items[0].image == "http://127.0.0.1:18200/inline.png"


def test_description_links_follow_xml_base() -> None:
    description = '<p><a href="notes">notes</a> <img src="pic.png"></p>'
    document = atom([Entry("Based", link="post", description=description)], base="http://127.0.0.1:18200/blog/")

    item = parse_feed(document.encode(), URL, now=NOW).items[0]

    assert 'href="http://127.0.0.1:18200/blog/notes"' in item.description
    assert item.image == "http://127.0.0.1:18200/blog/pic.png"


def test_description_links_follow_feed_url() -> None:
    feed = parse_feed(rss([Entry("Plain", link="/p", description='<a href="../about">about</a>')]).encode(), URL, now=NOW)

    assert 'href="http://127.0.0.1:18200/about"' in feed.items[0].description


def test_item_link_prefix_prepended() -> None:
    feed = parse_feed(rss([Entry("Prefixed", link="/posts/1")]).encode(), URL, link_prefix="https://proxy.example", now=NOW)

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
        parse_feed(b'{"items": []}', URL, "application/json", now=NOW)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mon, 06 Jan 2025 10:00:00 GMT", 1736157600.0),
        ("Mon, 06 Jan 2025 10:00:00", 1736157600.0),
        ("2025-01-06T12:00:00+02:00", 1736157600.0),
        ("2025-01-06T10:00:00Z", 1736157600.0),
        ("2025-01-06T10:00:00", 1736157600.0),
        ("0001-01-01T00:00:00Z", None),
        ("2025-06-01T23:00:00Z", 1748818800.0),
        ("2025-06-02T01:00:00Z", None),
        ("Thu, 01 Jan 2099 00:00:00 GMT", None),
        ("yesterday", None),
        ("", None),
    ],
)
def test_times_read_as_utc(text: str, expected: float | None) -> None:
    assert parse_time(text, NOW) == expected
