"""`split-column`: widgets laid out side by side in a masonry of up to `max-columns` columns."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from luna.widgets.base import Widget, WidgetOptions
from luna.widgets.registry import register


class SplitColumnOptions(WidgetOptions):
    hide_header: bool = True
    max_columns: int = Field(default=2, ge=2)
    widgets: list[Any] = Field(min_length=1)


@register
class SplitColumnWidget(Widget):
    type = "split-column"
    options_model = SplitColumnOptions
    default_title = ""
    children_key = "widgets"
    forbidden_children = frozenset({"split-column"})
