from __future__ import annotations

from pathlib import Path

import pytest

from luna.config.errors import ConfigError
from tests.support.widgets import stage_widget

ZONES = """
type: clock
timezones:
  - timezone: America/New_York
  - timezone: Asia/Kolkata
    label: Bangalore office
  - timezone: UTC
"""


def test_default_hour_format_24h(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, "type: clock")

    clock = staged.element.select_one("[data-clock]")

    assert clock["data-hour-format"] == "24h"


def test_hour_format_12h(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, "type: clock\nhour-format: 12h")

    clock = staged.element.select_one("[data-clock]")

    assert clock["data-hour-format"] == "12h"


def test_invalid_hour_format_rejected(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="hour-format"):
        stage_widget(tmp_path, "type: clock\nhour-format: 13h")


def test_local_time_always_shown(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, "type: clock")

    local = staged.element.select_one(".clock-local")

    assert local.select("time[data-clock-time]") != []
    assert local.select("[data-clock-weekday]") != []
    assert local.select("[data-clock-date]") != []


def test_no_zone_list_without_timezones(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, "type: clock")

    assert staged.element.select(".clock-zones") == []


def test_each_timezone_listed_in_order(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, ZONES)

    zones = staged.element.select("li.clock-zone")

    assert [zone["data-clock-zone"] for zone in zones] == ["America/New_York", "Asia/Kolkata", "UTC"]


def test_zone_label_defaults_to_city(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, ZONES)

    labels = [label.text for label in staged.element.select(".clock-zone-label")]

    assert labels[0] == "New York"
    assert labels[2] == "UTC"


def test_zone_label_replaces_city(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, ZONES)

    label = staged.element.select_one("[data-clock-zone=Asia/Kolkata] .clock-zone-label")

    assert label.text == "Bangalore office"
    assert label["title"] == "Asia/Kolkata"


def test_zone_has_time_and_offset(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, ZONES)

    zone = staged.element.select_one("[data-clock-zone=UTC]")

    assert zone.select("time[data-clock-time]") != []
    assert zone.select("[data-clock-offset]") != []


def test_zone_label_escaped(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, "type: clock\ntimezones:\n  - timezone: UTC\n    label: <b>HQ</b>")

    label = staged.element.select_one(".clock-zone-label")

    assert label.text == "<b>HQ</b>"
    assert label.select("b") == []


def test_unknown_timezone_rejected_with_suggestion(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="Europe/Berlin"):
        stage_widget(tmp_path, "type: clock\ntimezones:\n  - timezone: Europe/Berln")
