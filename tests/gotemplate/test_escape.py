from __future__ import annotations

import pytest

from luna.gotemplate import CSS, HTML, JS, URL, HTMLAttr, parse


def render(source: str, value) -> str:
    return parse(source).execute({"V": value})


def test_text_is_escaped() -> None:
    assert render("<p>{{ .V }}</p>", "<b>Tom & \"Jerry's\" C++</b>") == (
        "<p>&lt;b&gt;Tom &amp; &#34;Jerry&#39;s&#34; C&#43;&#43;&lt;/b&gt;</p>"
    )


def test_safe_html_passes_in_text() -> None:
    assert render("<p>{{ .V }}</p>", HTML("<b>bold</b>")) == "<p><b>bold</b></p>"


def test_safe_html_is_stripped_in_attribute() -> None:
    assert render('<p title="{{ .V }}">', HTML("<b>bold</b>")) == '<p title="bold">'


def test_nil_prints_nothing() -> None:
    assert parse("[{{ .V }}][{{ .Missing }}]").execute({"V": None}) == "[][]"


def test_quoted_attribute_is_escaped() -> None:
    assert render("<div class='{{ .V }}'>", "a' onclick='x") == "<div class='a&#39; onclick=&#39;x'>"


def test_unquoted_attribute_escapes_spaces() -> None:
    assert render("<div class={{ .V }}>", "a b") == "<div class=a&#32;b>"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JavaScript:x", "data:text/html,x", "vbscript:x"])
def test_unsafe_url_scheme_is_filtered(url: str) -> None:
    assert render('<a href="{{ .V }}">', url) == '<a href="#ZgotmplZ">'


@pytest.mark.parametrize("url", ["https://example.com/a?b=c&d=e", "/relative/path", "mailto:a@b.c", "#top"])
def test_safe_url_scheme_passes(url: str) -> None:
    assert render('<a href="{{ .V }}">', url) == f'<a href="{url.replace("&", "&amp;")}">'


def test_url_is_normalized() -> None:
    assert render('<img src="{{ .V }}">', "https://x.y/a b/é") == '<img src="https://x.y/a%20b/%c3%a9">'


def test_safe_url_skips_scheme_check() -> None:
    assert render('<a href="{{ .V }}">', URL("steam://run/42")) == '<a href="steam://run/42">'


def test_url_query_value_is_escaped() -> None:
    assert render('<a href="/search?q={{ .V }}">', "a b&c/d") == '<a href="/search?q=a%20b%26c%2fd">'


def test_url_after_prefix_is_not_filtered() -> None:
    assert render('<a href="https://site/{{ .V }}">', "javascript:x") == '<a href="https://site/javascript:x">'


def test_css_value_passes_plain() -> None:
    assert render('<div style="color: {{ .V }}">', "#ff0000") == '<div style="color: #ff0000">'


def test_css_value_with_parenthesis_is_filtered() -> None:
    assert render('<div style="background: {{ .V }}">', "url(evil)") == '<div style="background: ZgotmplZ">'


def test_safe_css_passes() -> None:
    assert render('<div style="{{ .V }}">', CSS("color: rgb(1, 2, 3)")) == '<div style="color: rgb(1, 2, 3)">'


def test_style_element_filters_values() -> None:
    assert render("<style>.a { width: {{ .V }}; }</style>", "10px;}") == "<style>.a { width: ZgotmplZ; }</style>"


def test_script_value_is_json() -> None:
    assert render("<script>let v = {{ .V }};</script>", 'a"</script>') == (
        '<script>let v = "a\\"\\u003c/script\\u003e";</script>'
    )


def test_script_string_is_escaped() -> None:
    assert render("<script>let v = 'x{{ .V }}';</script>", "';alert(1)//") == (
        "<script>let v = 'x\\u0027;alert(1)\\/\\/';</script>"
    )


def test_safe_js_passes() -> None:
    assert render("<script>{{ .V }}</script>", JS("run(1)")) == "<script>run(1)</script>"


def test_event_handler_string() -> None:
    source = """<button onclick="go('Bearer {{ .V }}')">"""

    assert render(source, "t'k") == """<button onclick="go('Bearer t\\u0027k')">"""


def test_attribute_value_in_tag_passes_when_safe() -> None:
    assert render("<div {{ .V }}>", HTMLAttr('data-dynamic-relative-time="5"')) == '<div data-dynamic-relative-time="5">'


def test_plain_string_in_tag_is_filtered() -> None:
    assert render("<div {{ .V }}>", 'onclick="x"') == "<div ZgotmplZ>"


def test_context_returns_to_text_after_tag() -> None:
    assert render('<a href="/x">{{ .V }}</a>', "javascript:x") == '<a href="/x">javascript:x</a>'


def test_autoescape_off_writes_raw() -> None:
    assert parse("{{ .V }}", autoescape=False).execute({"V": "<b>"}) == "<b>"
