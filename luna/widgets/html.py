"""`html`: the user's own HTML, shown as written and without a frame."""

from __future__ import annotations

from luna.widgets.base import Widget, WidgetOptions
from luna.widgets.registry import register


class HtmlOptions(WidgetOptions):
    # Glance shows this widget bare, so its header is off unless asked for.
    hide_header: bool = True
    source: str = ""


@register
class HtmlWidget(Widget):
    type = "html"
    options_model = HtmlOptions
    default_title = ""
