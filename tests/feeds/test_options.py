"""Keys the feed widgets share: sizes, collapse defaults and api-base-url."""

from __future__ import annotations

from pathlib import Path

import pytest

from luna.config.errors import ConfigError
from luna.feeds.options import parse_size
from tests.support.widgets import stage_widget


@pytest.mark.parametrize(("text", "size"), [("10MB", 10 * 1024 * 1024), ("512 KB", 512 * 1024), ("1.5mb", 1572864), (4096, 4096)])
def test_sizes_read(text: str | int, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["ten", "10 TB", "-1MB", True, "12"])
def test_bad_sizes_rejected(text: object) -> None:
    with pytest.raises(ValueError):
        parse_size(text)


def test_zero_collapse_after_means_default(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, "type: hacker-news\ncollapse-after: 0")

    assert staged.widget.options.collapse_after == 5  # type: ignore[attr-defined]


def test_collapse_below_minus_one_rejected(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="collapse-after"):
        stage_widget(tmp_path, "type: hacker-news\ncollapse-after: -2")


def test_api_base_url_must_be_web_url(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="api-base-url"):
        stage_widget(tmp_path, "type: hacker-news\napi-base-url: ftp://mirror.example/")


def test_max_response_size_read(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, "type: rss\nmax-response-size: 2MB\nfeeds: []")

    assert staged.widget.options.max_response_size == 2 * 1024 * 1024  # type: ignore[attr-defined]
