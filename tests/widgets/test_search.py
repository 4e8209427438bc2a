from __future__ import annotations

from pathlib import Path

import pytest

from luna.config.errors import ConfigError
from tests.support.html import Element
from tests.support.widgets import stage_widget

ENGINES = [
    ("duckduckgo", "https://duckduckgo.com/?q={QUERY}"),
    ("google", "https://www.google.com/search?q={QUERY}"),
    ("bing", "https://www.bing.com/search?q={QUERY}"),
    ("perplexity", "https://www.perplexity.ai/search?q={QUERY}"),
    ("kagi", "https://kagi.com/search?q={QUERY}"),
    ("startpage", "https://www.startpage.com/search?query={QUERY}"),
]


def search_box(tmp_path: Path, options: str = "") -> Element:
    staged = stage_widget(tmp_path, "type: search\n" + options)
    return staged.element.select_one("[data-search]")


def test_default_engine_duckduckgo(tmp_path: Path) -> None:
    box = search_box(tmp_path)

    assert box["data-search-url"] == "https://duckduckgo.com/?q={QUERY}"


@pytest.mark.parametrize(("engine", "url"), ENGINES)
def test_named_engine_url(tmp_path: Path, engine: str, url: str) -> None:
    box = search_box(tmp_path, f"search-engine: {engine}")

    assert box["data-search-url"] == url


def test_custom_engine_url(tmp_path: Path) -> None:
    box = search_box(tmp_path, "search-engine: https://searx.lan/search?q={QUERY}&lang=en")

    assert box["data-search-url"] == "https://searx.lan/search?q={QUERY}&lang=en"


def test_custom_engine_needs_query_placeholder(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="QUERY"):
        search_box(tmp_path, "search-engine: https://searx.lan/search")


def test_unknown_engine_name_rejected(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="duckduckgo"):
        search_box(tmp_path, "search-engine: altavista")


def test_defaults_same_tab_target_blank(tmp_path: Path) -> None:
    box = search_box(tmp_path)

    assert box["data-new-tab"] == "false"
    assert box["data-target"] == "_blank"


def test_new_tab_sets_flag(tmp_path: Path) -> None:
    box = search_box(tmp_path, "new-tab: true")

    assert box["data-new-tab"] == "true"


def test_target_passed_to_browser(tmp_path: Path) -> None:
    box = search_box(tmp_path, "new-tab: true\ntarget: search-results")

    assert box["data-target"] == "search-results"


def test_no_autofocus_by_default(tmp_path: Path) -> None:
    box = search_box(tmp_path)

    assert not box.select_one("input.search-input").has("autofocus")


def test_autofocus_sets_attribute(tmp_path: Path) -> None:
    box = search_box(tmp_path, "autofocus: true")

    assert box.select_one("input.search-input").has("autofocus")


def test_default_placeholder(tmp_path: Path) -> None:
    box = search_box(tmp_path)

    assert box.select_one("input.search-input")["placeholder"] == "Type here to search…"


def test_custom_placeholder_labels_input(tmp_path: Path) -> None:
    box = search_box(tmp_path, "placeholder: Search the wiki")

    search_input = box.select_one("input.search-input")

    assert search_input["placeholder"] == "Search the wiki"
    assert search_input["aria-label"] == "Search the wiki"


def test_placeholder_escaped(tmp_path: Path) -> None:
    box = search_box(tmp_path, """placeholder: 'Say "hi" <b>'""")

    search_input = box.select_one("input.search-input")

    assert search_input["placeholder"] == 'Say "hi" <b>'
    assert box.select("b") == []


def test_no_bang_list_without_bangs(tmp_path: Path) -> None:
    box = search_box(tmp_path)

    assert box.select(".search-bangs") == []


def test_bangs_listed_with_shortcut_and_url(tmp_path: Path) -> None:
    bangs = """
bangs:
  - title: YouTube
    shortcut: "!yt"
    url: https://www.youtube.com/results?search_query={QUERY}
  - shortcut: "!w"
    url: https://en.wikipedia.org/w/index.php?search={QUERY}
"""
    box = search_box(tmp_path, bangs)

    items = box.select(".search-bangs li")

    assert [item["data-bang-shortcut"] for item in items] == ["!yt", "!w"]
    assert items[0]["data-bang-url"] == "https://www.youtube.com/results?search_query={QUERY}"
    assert items[0].text == "YouTube"
    assert items[1].text == "!w"


def test_bang_url_needs_query_placeholder(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="QUERY"):
        search_box(tmp_path, 'bangs:\n  - shortcut: "!x"\n    url: https://x.example.invalid/')


def test_bang_shortcut_must_be_one_word(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="one word"):
        search_box(tmp_path, 'bangs:\n  - shortcut: "! x"\n    url: https://x.example.invalid/?q={QUERY}')


def test_bang_indicator_starts_hidden(tmp_path: Path) -> None:
    box = search_box(tmp_path)

    assert box.select_one("[data-search-bang]").has("hidden")


def test_search_widget_frameless(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, "type: search")

    assert staged.element.select_one(".widget-content").has_class("widget-content-frameless")
