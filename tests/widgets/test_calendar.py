"""The calendar's server side: the first day of the week and the frame calendar.js fills in."""

from __future__ import annotations

from pathlib import Path

import pytest

from luna.config.errors import ConfigError
from tests.support.widgets import stage_widget


def test_week_starts_monday_by_default(tmp_path: Path) -> None:
    calendar = stage_widget(tmp_path, "type: calendar").element.select_one("[data-calendar]")

    assert calendar["data-first-day-of-week"] == "1"


@pytest.mark.parametrize(("name", "number"), [("sunday", "0"), ("Saturday", "6"), (" WEDNESDAY ", "3")])
def test_first_day_named_any_case(tmp_path: Path, name: str, number: str) -> None:
    staged = stage_widget(tmp_path, f"type: calendar\nfirst-day-of-week: '{name}'")

    assert staged.element.select_one("[data-calendar]")["data-first-day-of-week"] == number


def test_misspelt_weekday_suggested(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match='did you mean "monday"'):
        stage_widget(tmp_path, "type: calendar\nfirst-day-of-week: mondey")


def test_number_weekday_rejected(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="weekday name"):
        stage_widget(tmp_path, "type: calendar\nfirst-day-of-week: 1")


def test_calendar_never_refreshes(tmp_path: Path) -> None:
    assert stage_widget(tmp_path, "type: calendar").widget.interval is None


def test_navigation_buttons_labelled(tmp_path: Path) -> None:
    calendar = stage_widget(tmp_path, "type: calendar").element

    labels = [button["aria-label"] for button in calendar.select("button")]

    assert labels == ["Back to this month", "Previous month", "Next month"]


def test_back_button_hidden_initially(tmp_path: Path) -> None:
    back = stage_widget(tmp_path, "type: calendar").element.select_one("[data-calendar-today]")

    assert "hidden" in back.attrs
