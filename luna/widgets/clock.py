"""`clock`: the local time and date, plus other time zones; the browser keeps it ticking."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from luna.config.fields import TimeZone
from luna.config.models import ConfigModel
from luna.widgets.base import Widget, WidgetOptions
from luna.widgets.registry import register


class ClockZone(ConfigModel):
    timezone: TimeZone
    label: str = ""

    @property
    def display_label(self) -> str:
        """The label, or the city part of the zone name: `America/New_York` gives "New York"."""

        return self.label or self.timezone.rsplit("/", 1)[-1].replace("_", " ")


class ClockOptions(WidgetOptions):
    hour_format: Literal["12h", "24h"] = "24h"
    timezones: list[ClockZone] = Field(default_factory=list)


@register
class ClockWidget(Widget):
    type = "clock"
    options_model = ClockOptions
    default_title = "Clock"
