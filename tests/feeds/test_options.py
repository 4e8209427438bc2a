"""Keys the feed widgets share: sizes, Glance's defaults for limits and collapsing, and api-base-url."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from luna.config.errors import ConfigError
from luna.feeds.options import parse_size
from tests.support.widgets import MINIMAL_WIDGETS, stage_widget


@pytest.mark.parametrize(("text", "size"), [("10MB", 10 * 1024 * 1024), ("512 KB", 512 * 1024), ("1.5mb", 1572864), (4096, 4096)])
def test_sizes_read(text: str | int, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["ten", "10 TB", "-1MB", True, "12"])
def test_bad_sizes_rejected(text: object) -> None:
    with pytest.raises(ValueError):
        parse_size(text)


def widget_with(type_name: str, extra: str) -> str:
    return textwrap.dedent(MINIMAL_WIDGETS[type_name]).strip() + "\n" + extra


# Each widget's defaults, which Glance also uses for a `limit` of 0 or less.
LIMIT_DEFAULTS = {"hacker-news": 15, "lobsters": 15, "reddit": 15, "rss": 25, "videos": 25, "twitch-top-games": 10}
COLLAPSE_DEFAULTS = {"hacker-news": 5, "lobsters": 5, "reddit": 5, "rss": 5, "videos": 7, "twitch-channels": 5, "twitch-top-games": 5}


@pytest.mark.parametrize("type_name", sorted(LIMIT_DEFAULTS))
@pytest.mark.parametrize("limit", [0, -3])
def test_limit_zero_or_below_means_default(tmp_path: Path, type_name: str, limit: int) -> None:
    staged = stage_widget(tmp_path, widget_with(type_name, f"limit: {limit}"))

    assert staged.widget.options.limit == LIMIT_DEFAULTS[type_name]  # type: ignore[attr-defined]


@pytest.mark.parametrize("type_name", sorted(COLLAPSE_DEFAULTS))
@pytest.mark.parametrize("collapse_after", [0, -2, -10])
def test_collapse_after_outside_range_means_default(tmp_path: Path, type_name: str, collapse_after: int) -> None:
    staged = stage_widget(tmp_path, widget_with(type_name, f"collapse-after: {collapse_after}"))

    assert staged.widget.options.collapse_after == COLLAPSE_DEFAULTS[type_name]  # type: ignore[attr-defined]


@pytest.mark.parametrize("type_name", sorted(COLLAPSE_DEFAULTS))
def test_collapse_after_minus_one_kept(tmp_path: Path, type_name: str) -> None:
    staged = stage_widget(tmp_path, widget_with(type_name, "collapse-after: -1"))

    assert staged.widget.options.collapse_after == -1  # type: ignore[attr-defined]


@pytest.mark.parametrize("rows", [0, -2])
def test_collapse_after_rows_outside_range_means_default(tmp_path: Path, rows: int) -> None:
    staged = stage_widget(tmp_path, widget_with("videos", f"collapse-after-rows: {rows}"))

    assert staged.widget.options.collapse_after_rows == 4  # type: ignore[attr-defined]


@pytest.mark.parametrize(("key", "default"), [("thumbnail-height", 10.0), ("card-height", 27.0)])
@pytest.mark.parametrize("value", ["0", "-4.5"])
def test_card_sizes_zero_or_below_mean_default(tmp_path: Path, key: str, default: float, value: str) -> None:
    staged = stage_widget(tmp_path, widget_with("rss", f"{key}: {value}"))

    assert getattr(staged.widget.options, key.replace("-", "_")) == default


@pytest.mark.parametrize(("type_name", "limit", "maximum"), [("hacker-news", 900, 500), ("reddit", 250, 100), ("twitch-top-games", 101, 100)])
def test_limit_above_maximum_lowered(tmp_path: Path, type_name: str, limit: int, maximum: int) -> None:
    staged = stage_widget(tmp_path, widget_with(type_name, f"limit: {limit}"))

    assert staged.widget.options.limit == maximum  # type: ignore[attr-defined]


def test_negative_feed_limit_means_all(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, "type: rss\nfeeds:\n  - url: http://127.0.0.1:9/feed.xml\n    limit: -1")

    assert staged.widget.options.feeds[0].limit == 0  # type: ignore[attr-defined]


def test_limit_on_widget_without_limit_rejected(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="limit"):
        stage_widget(tmp_path, widget_with("twitch-channels", "limit: 0"))


def test_api_base_url_must_be_web_url(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="api-base-url"):
        stage_widget(tmp_path, "type: hacker-news\napi-base-url: ftp://mirror.example/")


def test_max_response_size_read(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, "type: rss\nmax-response-size: 2MB\nfeeds: []")

    assert staged.widget.options.max_response_size == 2 * 1024 * 1024  # type: ignore[attr-defined]
