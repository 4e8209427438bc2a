"""`calendar`: a month grid drawn by the browser, with previous, next and back-to-today."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator

from luna.config.fields import describe_value, suggest
from luna.widgets.base import Widget, WidgetOptions
from luna.widgets.registry import register

# JavaScript's Date.getDay() numbering, which calendar.js uses.
WEEKDAYS = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")


def parse_weekday(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"first-day-of-week must be a weekday name such as monday, got {describe_value(value)}")

    name = value.strip().lower()
    if name not in WEEKDAYS:
        hint = suggest(name, WEEKDAYS)
        extra = f'; did you mean "{hint}"?' if hint else f"; use one of {', '.join(WEEKDAYS)}"
        raise ValueError(f'"{value.strip()}" is not a weekday{extra}')
    return name


Weekday = Annotated[str, BeforeValidator(parse_weekday)]


class CalendarOptions(WidgetOptions):
    first_day_of_week: Weekday = "monday"


@register
class CalendarWidget(Widget):
    type = "calendar"
    options_model = CalendarOptions
    default_title = "Calendar"

    def template_context(self) -> dict[str, Any]:
        options: CalendarOptions = self.options  # type: ignore[assignment]
        return {"first_day_number": WEEKDAYS.index(options.first_day_of_week)}
