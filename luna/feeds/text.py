"""Cleaning text, HTML and links that come from feeds and public APIs.

Titles become plain text, which the templates escape. Descriptions keep a
few harmless tags through nh3. Links keep only http and https, because a
`javascript:` or `data:` link in a feed would run in the dashboard's origin.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import nh3

# C0 controls other than tab, newline and carriage return, DEL, and the C1
# range, which a wrongly declared encoding often leaves behind.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
WHITESPACE = re.compile(r"\s+")

# Tags a description keeps: text structure and emphasis, never media,
# forms, frames or styles.
DESCRIPTION_TAGS = frozenset(
    {"a", "b", "blockquote", "br", "code", "em", "i", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "u", "ul"}
)
DESCRIPTION_ATTRIBUTES = {"a": {"href", "title"}}
# Tags whose content goes with them, not only the tags themselves.
DROPPED_CONTENT_TAGS = frozenset({"script", "style", "template", "noscript", "iframe", "object"})
# Descriptions longer than this are cut before sanitising; the sanitiser
# closes whatever tags the cut leaves open.
MAX_DESCRIPTION_SOURCE = 20_000
WEB_SCHEMES = ("http", "https")
# Characters of a link named by host and path; longer paths lose their middle.
MAX_LINK_LABEL = 60
# Tags that sit inside a line of text; any other tag separates words.
INLINE_TAGS = frozenset({"a", "abbr", "b", "cite", "code", "em", "i", "kbd", "mark", "q", "s", "small", "span", "strong", "sub", "sup", "u"})


class _TextExtractor(HTMLParser):
    """Collects the text of an HTML fragment, decoding each entity once and skipping scripts and styles.

    With `keep_unclosed`, a script or style that is never closed keeps its
    text, so a plain-text title such as "Why <script> tags matter" loses only
    the tag. Without it, as for error pages cut off inside a script, that
    text is dropped.
    """

    def __init__(self, keep_unclosed: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.keep_unclosed = keep_unclosed
        self.parts: list[str] = []
        self._skipping = 0
        self._skipped: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DROPPED_CONTENT_TAGS:
            self._skipping += 1
        elif tag not in INLINE_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in DROPPED_CONTENT_TAGS and self._skipping:
            self._skipping -= 1
            if not self._skipping:
                self._skipped.clear()

    def handle_data(self, data: str) -> None:
        if self._skipping:
            self._skipped.append(data)
        else:
            self.parts.append(data)

    def text(self) -> str:
        """End the fragment and return its text, with the text of a script or style left open."""

        self.close()
        if not self._skipping or not self.keep_unclosed:
            return "".join(self.parts)
        # At close, Python 3.11's parser leaves the content of an open script in
        # `rawdata`, and other versions may pass it to handle_data instead. Its
        # entities are still encoded either way.
        left_open = html.unescape("".join(self._skipped) + self.rawdata)
        return "".join(self.parts) + left_open


def without_controls(text: str) -> str:
    return CONTROL_CHARACTERS.sub("", text)


def collapse_whitespace(text: str) -> str:
    return WHITESPACE.sub(" ", text).strip()


def plain_text(value: str | None, is_html: bool = True) -> str:
    """Turn a title or summary into one line of plain text.

    HTML loses its tags and has its entities decoded once; text that is
    already plain only loses control characters and extra whitespace.
    """

    if not value:
        return ""

    text = _html_text(value, keep_unclosed=True) if is_html else value
    return collapse_whitespace(without_controls(text))


def _html_text(value: str, keep_unclosed: bool) -> str:
    extractor = _TextExtractor(keep_unclosed)
    extractor.feed(value)
    return extractor.text()


def strip_tags(value: str | None) -> str:
    """Turn text whose entities the document format already decoded into one line without tags.

    RSS titles arrive this way: the XML parser decoded `&lt;b&gt;` to `<b>`,
    which goes, and `&amp;amp;` to `&amp;`, which stays as it is, so
    entities are decoded once in all.
    """

    if not value:
        return ""
    return plain_text(value.replace("&", "&amp;"))


def shorten(text: str, limit: int) -> str:
    """Cut text to at most `limit` characters at a word boundary, marking the cut with an ellipsis."""

    if len(text) <= limit:
        return text

    cut = text[: limit - 1]
    space = cut.rfind(" ")
    # Back up to the last space unless the cut already falls between words.
    if not text[limit - 1].isspace() and space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:") + "…"


def clean_html(value: str | None, base_url: str | None = None) -> str:
    """Sanitise a description: keep only DESCRIPTION_TAGS and http(s) links, resolving relative ones."""

    if not value:
        return ""

    def resolve(link: str) -> str | None:
        # An empty href would resolve to the feed itself, which is no link at all.
        return safe_link(link, base_url) if link.strip() else None

    cleaned = nh3.clean(
        without_controls(value[:MAX_DESCRIPTION_SOURCE]),
        tags=set(DESCRIPTION_TAGS),
        clean_content_tags=set(DROPPED_CONTENT_TAGS),
        attributes={tag: set(names) for tag, names in DESCRIPTION_ATTRIBUTES.items()},
        url_schemes=set(WEB_SCHEMES),
        url_relative=resolve,
        link_rel="noopener noreferrer nofollow",
        set_tag_attribute_values={"a": {"target": "_blank"}},
    )
    return cleaned.strip()


def is_web_url(value: str | None) -> bool:
    if not value:
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme.lower() in WEB_SCHEMES and bool(parts.hostname)


def safe_link(value: str | None, base_url: str | None = None) -> str | None:
    """Return an absolute http(s) URL for a link, resolving it against `base_url`; None when it has none.

    Whitespace and control characters inside the link are dropped, as
    browsers do, and any other scheme (javascript:, data:, mailto:) is refused.
    """

    if not value:
        return None

    link = WHITESPACE.sub("", without_controls(value))
    if not link:
        return None
    if base_url and is_web_url(base_url):
        try:
            link = urljoin(base_url, link)
        except ValueError:
            return None
    return link if is_web_url(link) else None


def host_of(url: str | None) -> str:
    """Return the host name a link points at, without a leading `www.`, for "example.com" labels."""

    if not url:
        return ""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def link_label(url: str | None) -> str:
    """Name a link by host and path, such as `example.com/blog/feed.xml`, for a reader to tell links apart.

    The query and any user name are left out, because feeds often carry a
    key there. A long path keeps its first and last segments.
    """

    try:
        parts = urlsplit(url or "")
        host = (parts.hostname or "").removeprefix("www.")
        port = parts.port
    except ValueError:
        return ""
    if not host:
        return ""

    if ":" in host:
        host = f"[{host}]"
    if port is not None:
        host = f"{host}:{port}"
    label = host + parts.path.rstrip("/")
    segments = [segment for segment in parts.path.split("/") if segment]
    if len(label) > MAX_LINK_LABEL and len(segments) > 2:
        label = f"{host}/{segments[0]}/…/{segments[-1]}"
    return shorten(label, MAX_LINK_LABEL)


def markup_snippet(body: bytes | str, limit: int = 120) -> str:
    """Return a short plain-text excerpt of an error page for logs and one-line errors, never its HTML."""

    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    page_text = _html_text(text[:50_000], keep_unclosed=False)
    return shorten(collapse_whitespace(without_controls(page_text)), limit)
