"""`iframe`: another page embedded at a fixed height."""

from __future__ import annotations

from pydantic import Field

from luna.config.fields import Link
from luna.widgets.base import Widget, WidgetOptions
from luna.widgets.registry import register

MIN_HEIGHT = 50


class IframeOptions(WidgetOptions):
    source: Link
    # Glance's documented default; heights below 50 px are raised to 50.
    height: int = Field(default=300, ge=1)

    @property
    def effective_height(self) -> int:
        return max(self.height, MIN_HEIGHT)


@register
class IframeWidget(Widget):
    type = "iframe"
    options_model = IframeOptions
    default_title = "Embedded page"
