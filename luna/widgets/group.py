"""`group`: several widgets behind tabs, one shown at a time."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from luna.widgets.base import Widget, WidgetOptions
from luna.widgets.registry import register


class GroupOptions(WidgetOptions):
    widgets: list[Any] = Field(min_length=1)


@register
class GroupWidget(Widget):
    type = "group"
    options_model = GroupOptions
    default_title = "Group"
    children_key = "widgets"
    forbidden_children = frozenset({"group", "split-column"})

    @property
    def shows_header(self) -> bool:
        return False
