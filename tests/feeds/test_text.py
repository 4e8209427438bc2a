"""Plain titles, sanitised descriptions and safe links from outside text."""

from __future__ import annotations

import pytest

from luna.feeds.text import clean_html, host_of, link_label, markup_snippet, plain_text, safe_link, shorten, strip_tags

FEED = "https://blog.example/feeds/atom.xml"


def test_html_title_stripped_and_decoded_once() -> None:
    assert plain_text("Tom &amp;amp; Jerry <b>bold</b> &lt;i&gt;") == "Tom &amp; Jerry bold <i>"


def test_plain_title_keeps_angle_brackets() -> None:
    assert plain_text("Why <script> tags & more", is_html=False) == "Why <script> tags & more"


def test_script_content_dropped_from_text() -> None:
    assert plain_text("Hello<script>alert(1)</script><style>p{}</style> world") == "Hello world"


def test_unclosed_script_keeps_its_text() -> None:
    assert plain_text("Why <script> tags &amp; more") == "Why tags & more"


def test_decoded_title_loses_tags_only() -> None:
    title = "<script>alert('title')</script> Tom &amp; Jerry <b>bold</b> AT&T"

    assert strip_tags(title) == "Tom &amp; Jerry bold AT&T"


def test_decoded_title_keeps_open_script_text() -> None:
    assert strip_tags("Why <script> tags &lt; more") == "Why tags &lt; more"


def test_control_characters_and_whitespace_removed() -> None:
    assert plain_text("  a\x07b\x1b \n\t c\x85 ", is_html=False) == "ab c"


def test_block_tags_separate_words() -> None:
    assert plain_text("<p>One</p><p>Two</p><h1>Three</h1>") == "One Two Three"


def test_shorten_cuts_at_word() -> None:
    assert shorten("the quick brown fox jumps", 16) == "the quick brown…"


def test_shorten_leaves_short_text() -> None:
    assert shorten("short", 16) == "short"


def test_description_keeps_safe_tags_only() -> None:
    html = '<p class="x" onclick="steal()">Hi <em>there</em><script>alert(1)</script><img src="https://t.example/p.gif"><iframe src="https://x.example/"></iframe><input></p><form></form>'

    assert clean_html(html, FEED) == "<p>Hi <em>there</em></p>"


def test_description_links_resolved_and_filtered() -> None:
    html = '<a href="/post">a</a><a href="javascript:alert(1)">b</a><a href="data:text/html,x">c</a><a href="">d</a>'

    cleaned = clean_html(html, FEED)

    assert 'href="https://blog.example/post"' in cleaned
    assert "javascript" not in cleaned
    assert "data:" not in cleaned
    assert cleaned.count("href=") == 1


def test_description_links_open_safely() -> None:
    cleaned = clean_html('<a href="https://o.example/">o</a>', FEED)

    assert cleaned == '<a href="https://o.example/" target="_blank" rel="noopener noreferrer nofollow">o</a>'


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        ("/2025/post/", "https://blog.example/2025/post/"),
        ("./b", "https://blog.example/feeds/b"),
        ("c", "https://blog.example/feeds/c"),
        ("//cdn.example/d", "https://cdn.example/d"),
        ("https://other.example/e", "https://other.example/e"),
        ("javascript:alert(1)", None),
        (" java\tscript:alert(1)", None),
        ("data:text/html,<script>", None),
        ("mailto:a@example.com", None),
        ("", None),
    ],
)
def test_links_resolved_against_feed(link: str, expected: str | None) -> None:
    assert safe_link(link, FEED) == expected


def test_relative_link_without_base_refused() -> None:
    assert safe_link("/post") is None


def test_host_without_www() -> None:
    assert host_of("https://www.example.com/a") == "example.com"


@pytest.mark.parametrize(
    ("url", "label"),
    [
        ("https://www.example.com/blog/feed.xml", "example.com/blog/feed.xml"),
        ("http://127.0.0.1:18200/feeds/a.xml", "127.0.0.1:18200/feeds/a.xml"),
        ("https://user:key@tracker.example/rss?passkey=secret", "tracker.example/rss"),
        ("https://example.com/", "example.com"),
        ("https://example.com/news/2025/01/06/a-very-long-article-slug-that-goes-on/feed.xml", "example.com/news/…/feed.xml"),
        ("http://[::1]:8080/feed", "[::1]:8080/feed"),
        ("not a link", ""),
        (None, ""),
    ],
)
def test_link_named_by_host_and_path(url: str | None, label: str) -> None:
    assert link_label(url) == label


def test_snippet_skips_unclosed_script() -> None:
    assert markup_snippet("<title>Checking</title><script>var challenge = 1;") == "Checking"


def test_snippet_is_text_not_markup() -> None:
    page = b"<html><head><title>Just a moment...</title><script>var x=1</script></head><body><h1>Checking your browser</h1></body></html>"

    assert markup_snippet(page) == "Just a moment... Checking your browser"
