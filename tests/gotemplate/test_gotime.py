from __future__ import annotations

from datetime import timezone
from zoneinfo import ZoneInfo

import pytest

from luna.gotemplate.gotime import UTC, Duration, GoTime, Location, TimeError, parse_duration, parse_time

PARIS = Location("Europe/Paris", ZoneInfo("Europe/Paris"))
# 2006-01-02 15:04:05.123456789 UTC, a Monday: the reference time with nanoseconds.
REFERENCE = GoTime.from_unix(1136214245, UTC).Add(123456789)

FORMAT_CASES = [
    ("2006-01-02 15:04", "2006-01-02 15:04"),
    ("Mon Jan 2 15:04:05 MST 2006", "Mon Jan 2 15:04:05 UTC 2006"),
    ("Jan _2", "Jan  2"),
    ("January 02, 2006", "January 02, 2006"),
    ("Monday 3:04PM", "Monday 3:04PM"),
    ("03:04:05 pm", "03:04:05 pm"),
    ("15:04:05.000", "15:04:05.123"),
    ("15:04:05.999999999", "15:04:05.123456789"),
    ("05,000000", "05,123456"),
    ("2006-01-02T15:04:05Z07:00", "2006-01-02T15:04:05Z"),
    ("-0700 -07:00 -07", "+0000 +00:00 +00"),
    ("06/1/2 002", "06/1/2 002"),
    ("Month: Jan", "Month: Jan"),
]


@pytest.mark.parametrize(("layout", "expected"), FORMAT_CASES)
def test_format_reference_time(layout: str, expected: str) -> None:
    assert REFERENCE.Format(layout) == expected


def test_format_in_zone_with_offset() -> None:
    moment = REFERENCE.In(PARIS)

    assert moment.Format("2006-01-02T15:04:05Z07:00 MST -0700") == "2006-01-02T16:04:05+01:00 CET +0100"


def test_format_zero_fraction_trimmed() -> None:
    moment = GoTime.from_unix(0, UTC)

    assert moment.Format("05.999|05.000") == "00|00.000"


def test_parse_rfc3339_with_offset() -> None:
    moment = parse_time("2006-01-02T15:04:05Z07:00", "2023-11-15T14:30:00+01:00", UTC)

    assert moment.Unix() == 1700055000
    assert moment.Format("15:04 -07:00") == "14:30 +01:00"


def test_parse_without_zone_uses_default() -> None:
    moment = parse_time("2006-01-02 15:04", "2024-07-01 12:00", PARIS)

    assert moment.Format("MST -0700") == "CEST +0200"
    assert moment.Unix() == 1719828000


def test_parse_month_names_and_padding() -> None:
    moment = parse_time("Jan _2 2006 3:04PM", "Feb  3 2021 4:05PM", UTC)

    assert moment.Format("2006-01-02 15:04") == "2021-02-03 16:05"


def test_parse_fraction_and_z() -> None:
    moment = parse_time("2006-01-02T15:04:05.999999999Z07:00", "2023-10-27T10:00:00.25Z", UTC)

    assert moment.Nanosecond() == 250_000_000
    assert moment.Location().String() == "UTC"


def test_parse_numeric_zone() -> None:
    moment = parse_time("02 Jan 06 15:04 -0700", "05 Mar 24 08:00 -0500", UTC)

    assert moment.UTC().Format("2006-01-02 15:04") == "2024-03-05 13:00"


def test_parse_mismatch_raises() -> None:
    with pytest.raises(TimeError):
        parse_time("2006-01-02", "2024/01/02", UTC)


def test_parse_day_out_of_range() -> None:
    with pytest.raises(TimeError):
        parse_time("2006-01-02", "2024-02-30", UTC)


def test_time_methods() -> None:
    moment = REFERENCE.In(PARIS)

    assert (moment.Year(), int(moment.Month()), moment.Day(), moment.Hour(), moment.YearDay()) == (2006, 1, 2, 16, 2)
    assert moment.Weekday().String() == "Monday"
    assert moment.Month().String() == "January"


def test_time_arithmetic() -> None:
    later = REFERENCE.Add(parse_duration("90m"))

    assert later.Sub(REFERENCE) == parse_duration("1h30m")
    assert later.After(REFERENCE) and REFERENCE.Before(later)


def test_time_string_like_go() -> None:
    assert GoTime.from_unix(0, UTC).String() == "1970-01-01 00:00:00 +0000 UTC"


@pytest.mark.parametrize(
    ("text", "nanoseconds"),
    [("1h", 3_600_000_000_000), ("2h30m10s", 9_010_000_000_000), ("-1.5h", -5_400_000_000_000),
     ("300ms", 300_000_000), ("1us", 1000), ("0", 0)],
)
def test_parse_duration(text: str, nanoseconds: int) -> None:
    assert parse_duration(text) == nanoseconds


def test_parse_duration_rejects_missing_unit() -> None:
    with pytest.raises(TimeError):
        parse_duration("5")


@pytest.mark.parametrize(
    ("nanoseconds", "text"),
    [(0, "0s"), (1_500_000_000, "1.5s"), (3_723_000_000_000, "1h2m3s"), (1_500_000, "1.5ms"), (-60_000_000_000, "-1m0s")],
)
def test_duration_string(nanoseconds: int, text: str) -> None:
    assert Duration(nanoseconds).String() == text


def test_fixed_zone_without_name_prints_offset() -> None:
    moment = GoTime.from_unix(0, Location("", timezone.utc)).In(Location("", ZoneInfo("Asia/Kolkata")))

    assert moment.Format("MST") == "IST"
