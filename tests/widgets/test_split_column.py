from __future__ import annotations

from pathlib import Path

import pytest

from luna.config.errors import ConfigError
from tests.support.widgets import stage_widget

SPLIT = """
type: split-column
widgets:
  - type: clock
    title: Time
  - type: search
  - type: html
    source: <p id="raw">raw</p>
"""


def test_default_two_columns(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, SPLIT)

    masonry = staged.element.select_one("[data-masonry]")

    assert masonry["data-max-columns"] == "2"
    assert masonry["style"] == "--masonry-columns: 2"


def test_max_columns_set(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, SPLIT + "max-columns: 4\n")

    masonry = staged.element.select_one("[data-masonry]")

    assert masonry["data-max-columns"] == "4"
    assert masonry["style"] == "--masonry-columns: 4"


def test_max_columns_below_two_rejected(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="max-columns"):
        stage_widget(tmp_path, SPLIT + "max-columns: 1\n")


def test_children_in_order(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, SPLIT)

    items = staged.element.select("[data-masonry] .masonry-item")
    ids = [item.select_one(".widget")["data-widget-id"] for item in items]

    assert ids == [child.id for child in staged.widget.children]
    assert [item["data-masonry-index"] for item in items] == ["0", "1", "2"]


def test_children_keep_their_headers(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, SPLIT)

    titles = [title.text for title in staged.element.select(".widget-header .widget-title")]

    assert titles == ["Time", "Search"]


def test_group_allowed_inside(tmp_path: Path) -> None:
    text = "type: split-column\nwidgets:\n  - type: group\n    widgets:\n      - type: clock"
    staged = stage_widget(tmp_path, text)

    assert staged.element.select(".masonry-item .widget-type-group") != []


def test_split_column_inside_rejected(tmp_path: Path) -> None:
    text = "type: split-column\nwidgets:\n  - type: split-column\n    widgets:\n      - type: clock"

    with pytest.raises(ConfigError, match="split-column"):
        stage_widget(tmp_path, text)
