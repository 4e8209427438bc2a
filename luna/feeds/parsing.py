"""Reading RSS 2.0, RSS 1.0, Atom and JSON Feed documents into plain items.

feedparser does the XML work, including encodings declared wrongly and
documents that are not well-formed. This module decides what an item shows:
its title as plain text, a sanitised description, an http(s) link resolved
against the feed's URL, and a publication time in UTC, or none at all when
the feed gives no usable date.
"""

from __future__ import annotations

import calendar
import datetime
import email.utils
import html
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import feedparser

from luna.feeds.text import clean_html, link_label, markup_snippet, plain_text, safe_link, shorten, strip_tags

# Bytes XML forbids that real feeds contain anyway (form feeds, escape
# codes). Left in, they make the strict parser give up on the whole document.
XML_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
IMAGE_SOURCE = re.compile(r"""<img\b[^>]*?\bsrc\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
# Dates before this are placeholders (0, 1970, year 1), not publication times.
EARLIEST_PLAUSIBLE = datetime.datetime(1990, 1, 1, tzinfo=datetime.UTC).timestamp()
# Seconds a date may lie ahead of now and still count: a publisher whose clock
# or time zone is off by some hours. Later dates (2099) are mistakes, which
# would otherwise show "just now" and stay first in every merged list.
FUTURE_TOLERANCE = 24 * 3600.0
TITLE_FROM_DESCRIPTION_LENGTH = 100
SUMMARY_LENGTH = 200
MAX_CATEGORIES = 6
MAX_CATEGORY_LENGTH = 30
HTML_TYPES = ("text/html", "application/xhtml+xml")


class NotAFeed(ValueError):
    """The document is neither RSS, Atom nor JSON Feed."""


@dataclass(frozen=True)
class FeedItem:
    title: str
    link: str | None
    # Sanitised HTML, safe to insert as markup.
    description: str
    # The description as one line of plain text, shortened.
    summary: str
    categories: tuple[str, ...]
    image: str | None
    # Seconds since the epoch, or None when the feed gave no usable date.
    published: float | None
    # Position in the document, for undated items and `preserve-order`.
    position: int


@dataclass(frozen=True)
class ParsedFeed:
    title: str
    link: str | None
    items: tuple[FeedItem, ...]


def load_document(
    body: bytes, content_type: str = "", sanitize_html: bool = True, resolve_relative_uris: bool = True
) -> feedparser.FeedParserDict:
    """Parse an RSS, RSS 1.0 or Atom document with feedparser, raising NotAFeed for any other document.

    `sanitize_html=False` skips feedparser's own sanitiser, for callers that
    sanitise every HTML field themselves, and `resolve_relative_uris=False`
    leaves links inside HTML fields as written, for callers that resolve them
    against each field's `base`.
    """

    # UTF-16 and UTF-32 documents contain zero bytes, so only a document
    # without them at its start may lose its control bytes.
    if b"\x00" not in body[:4]:
        body = XML_CONTROL_BYTES.sub(b"", body)

    headers = {"content-type": content_type} if "xml" in content_type else {}
    document = feedparser.parse(
        body, response_headers=headers, sanitize_html=sanitize_html, resolve_relative_uris=resolve_relative_uris
    )
    if not document.get("version") and not document.entries:
        reason = document.get("bozo_exception")
        raise NotAFeed(f"no RSS, Atom or JSON Feed content found ({reason or 'unknown format'})")
    return document


def not_a_feed_reason(content_type: str, status: int, body: bytes) -> str:
    """Name what arrived instead of a feed, for a one-line error on the page."""

    excerpt = markup_snippet(body, 80)
    looks_like_html = content_type in HTML_TYPES or body.lstrip()[:200].lower().startswith((b"<!doctype html", b"<html"))
    if looks_like_html:
        what = f"got {content_type or 'text/html'}, not a feed"
    else:
        what = f"got {content_type or 'a reply without a content type'} that is not RSS, Atom or JSON Feed"
    return f"{what} (HTTP {status})" + (f": {excerpt}" if excerpt else "")


def parse_feed(body: bytes, url: str, content_type: str = "", link_prefix: str = "", *, now: float) -> ParsedFeed:
    """Read a feed document fetched from `url` into a title, a site link and items in document order.

    `now` is the current time in seconds since the epoch. An item dated more
    than FUTURE_TOLERANCE after it counts as undated.
    """

    if _looks_like_json(body, content_type):
        return _parse_json_feed(body, url, link_prefix, now)

    # Descriptions go through nh3 (clean_html), which also resolves their
    # relative links, titles become plain text and links must be http(s).
    # feedparser's sanitiser and its link resolving, which parses every
    # description's HTML once more, only repeated that work (see the Feeds
    # section of docs/benchmarks.md).
    document = load_document(body, content_type, sanitize_html=False, resolve_relative_uris=False)
    is_atom = str(document.get("version", "")).startswith("atom")
    feed = document.feed
    feed_link = safe_link(feed.get("link"), url)
    fallback_image = safe_link(_feed_image(feed), feed_link or url)
    entries = enumerate(document.entries)
    items = tuple(
        item
        for position, entry in entries
        if (item := _feed_item(entry, position, url, link_prefix, fallback_image, is_atom, now))
    )
    return ParsedFeed(title=_title(feed, is_atom), link=feed_link, items=items)


def _title(node: Mapping[str, Any], is_atom: bool) -> str:
    if is_atom:
        detail = node.get("title_detail") or {}
        return plain_text(node.get("title"), is_html=detail.get("type", "text/plain") in HTML_TYPES)
    # RSS does not say whether a title is text or HTML, and feeds send both.
    # feedparser guesses from the tags it finds (a <script> makes it guess
    # text), so luna does not use the guess. Tags are removed, and the
    # entities the XML parser decoded are not decoded again.
    # NOTE: a title in CDATA was never decoded, so `<![CDATA[A &amp; B]]>` shows `A &amp; B`.
    return strip_tags(node.get("title"))


def _feed_item(
    entry: Mapping[str, Any], position: int, url: str, link_prefix: str, fallback_image: str | None, is_atom: bool, now: float
) -> FeedItem | None:
    """Read one entry, or return None for one with neither a title nor a usable link, such as a cut-off last item."""

    own_title = _title(entry, is_atom)
    link = item_link(_entry_link(entry), url, link_prefix)
    if not own_title and not link:
        return None

    raw_description, description_base = _description_source(entry, url)
    description = clean_html(raw_description, description_base)
    title, summary = _title_and_summary(own_title, link, description)

    return FeedItem(
        title=title,
        link=link,
        description=description,
        summary=summary,
        categories=_categories(tag.get("term") or tag.get("label") for tag in entry.get("tags") or ()),
        image=_entry_image(entry, raw_description, url, description_base) or fallback_image,
        published=entry_time(entry, now),
        position=position,
    )


def _title_and_summary(own_title: str, link: str | None, description: str) -> tuple[str, str]:
    """Return an item's title and its summary, which is left empty when it would repeat the title.

    An item the feed left untitled is titled with the start of its
    description, else with its link's host and path.
    """

    summary = shorten(plain_text(description), SUMMARY_LENGTH)
    title = own_title or shorten(summary, TITLE_FROM_DESCRIPTION_LENGTH) or link_label(link)
    return title, summary if summary != title else ""


def item_link(link: str | None, feed_url: str, link_prefix: str = "") -> str | None:
    """Return an item's link as an absolute http(s) URL, prefixed with `item-link-prefix` or resolved against the feed's URL."""

    if not link:
        return None
    if link_prefix:
        return safe_link(link_prefix + link.strip())
    return safe_link(link, feed_url)


def _entry_link(entry: Mapping[str, Any]) -> str | None:
    if entry.get("link"):
        return entry["link"]
    for link in entry.get("links") or ():
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            return link["href"]
    # An RSS <guid> that is a permalink is the item's address.
    guid = entry.get("id") or ""
    return guid if entry.get("guidislink") else None


def _description_source(entry: Mapping[str, Any], url: str) -> tuple[str, str]:
    """Return the entry's description as written and the address its relative links resolve against.

    That address is the feed's URL, changed by any `xml:base` around the
    description, which feedparser reports as the field's `base`.
    """

    for content in entry.get("content") or ():
        if content.get("value"):
            return content["value"], _resolved_base(content.get("base"), url)
    summary = entry.get("summary") or ""
    return summary, _resolved_base((entry.get("summary_detail") or {}).get("base"), url)


def _resolved_base(base: str | None, url: str) -> str:
    if not base:
        return url
    try:
        return urljoin(url, base)
    except ValueError:
        return url


def _categories(terms: Iterable[str | None]) -> tuple[str, ...]:
    found: list[str] = []
    for term in terms:
        text = plain_text(term, is_html=False)
        if text and len(text) <= MAX_CATEGORY_LENGTH and text not in found:
            found.append(text)
        if len(found) == MAX_CATEGORIES:
            break
    return tuple(found)


def _entry_image(entry: Mapping[str, Any], raw_description: str, url: str, description_base: str) -> str | None:
    candidates: list[str | None] = [thumbnail.get("url") for thumbnail in entry.get("media_thumbnail") or ()]
    candidates += [
        media.get("url")
        for media in entry.get("media_content") or ()
        if media.get("medium") == "image" or str(media.get("type", "")).startswith("image/")
    ]
    candidates += [
        link.get("href")
        for link in entry.get("links") or ()
        if link.get("rel") == "enclosure" and str(link.get("type", "")).startswith("image/")
    ]
    linked = [safe_link(candidate, url) for candidate in candidates]
    match = IMAGE_SOURCE.search(raw_description)
    linked.append(safe_link(match.group(1), description_base) if match else None)

    return next((link for link in linked if link), None)


def _feed_image(feed: Mapping[str, Any]) -> str | None:
    image = feed.get("image") or {}
    return image.get("href") or image.get("url")


def entry_time(entry: dict[str, Any], now: float) -> float | None:
    """Return an entry's publication time in seconds since the epoch, or None.

    feedparser's parsed times are in UTC. The raw text is read again when
    feedparser gave up on it (an RFC 822 date without a zone), and a
    missing zone means UTC.
    """

    # dict.get reads the keys as stored: feedparser's own get() maps a
    # missing `updated` to `published` with a DeprecationWarning.
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = dict.get(entry, key)
        if parsed:
            return _plausible(float(calendar.timegm(parsed)), now)
    for key in ("published", "updated", "created", "date_published", "date_modified"):
        moment = parse_time(dict.get(entry, key), now)
        if moment is not None:
            return moment
    return None


def parse_time(value: Any, now: float) -> float | None:
    """Read an RFC 822 or ISO 8601 time as seconds since the epoch; a time without a zone is UTC.

    A placeholder (before 1990) or a time more than FUTURE_TOLERANCE after `now` gives None.
    """

    if not isinstance(value, str) or not value.strip():
        return None

    text = value.strip()
    moment: datetime.datetime | None = None
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        try:
            moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None

    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return _plausible(moment.timestamp(), now)


def _plausible(timestamp: float, now: float) -> float | None:
    return timestamp if EARLIEST_PLAUSIBLE <= timestamp <= now + FUTURE_TOLERANCE else None


def _looks_like_json(body: bytes, content_type: str) -> bool:
    return content_type.endswith("json") or body.lstrip()[:1] == b"{"


def _parse_json_feed(body: bytes, url: str, link_prefix: str, now: float) -> ParsedFeed:
    """Read a JSON Feed (https://www.jsonfeed.org/version/1.1/) document."""

    try:
        document = json.loads(body)
    except ValueError as error:
        raise NotAFeed(f"invalid JSON: {error}") from None
    if not isinstance(document, dict) or "jsonfeed.org" not in str(document.get("version", "")):
        raise NotAFeed("JSON without a jsonfeed.org version")

    entries = enumerate(item for item in document.get("items") or () if isinstance(item, dict))
    items = tuple(item for position, entry in entries if (item := _json_feed_item(entry, position, url, link_prefix, now)))
    title = _json_feed_title(document.get("title"))
    return ParsedFeed(title=title, link=safe_link(document.get("home_page_url"), url), items=items)


def _json_feed_item(entry: dict[str, Any], position: int, url: str, link_prefix: str, now: float) -> FeedItem | None:
    own_title = _json_feed_title(entry.get("title"))
    link = item_link(_text(entry.get("url") or entry.get("external_url")), url, link_prefix)
    if not own_title and not link:
        return None

    raw_description = _text(entry.get("content_html") or entry.get("summary"))
    description = clean_html(raw_description, url) if raw_description else clean_html(_escape_text(entry.get("content_text")))
    title, summary = _title_and_summary(own_title, link, description)

    return FeedItem(
        title=title,
        link=link,
        description=description,
        summary=summary,
        categories=_categories(tag for tag in entry.get("tags") or () if isinstance(tag, str)),
        image=safe_link(_text(entry.get("image") or entry.get("banner_image")), url),
        published=entry_time(entry, now),
        position=position,
    )


def _json_feed_title(value: Any) -> str:
    """Read a JSON Feed title as RSS titles are read: entities decoded once, then tags removed.

    The format means titles as plain text, but feeds put HTML and entities
    in them as they do in RSS.
    """

    return strip_tags(html.unescape(_text(value)))


def _text(value: Any) -> str:
    """Return a JSON value that should be text, or "" for a number, list or object in its place."""

    return value if isinstance(value, str) else ""


def _escape_text(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
