"""Go's time.Time, time.Duration and layout strings, as templates see them.

A layout is an example of Go's reference time ``Mon Jan 2 15:04:05 MST 2006``
(``01/02 03:04:05PM '06 -0700``); each element of it stands for that element
of the time being formatted or parsed.

NOTE: Python's datetime cannot hold year 0, which Go gives a time parsed
from a layout without a year; such times get year 1 here. Sub-microsecond
digits are kept for formatting but not for arithmetic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any

from .values import GoStringer

NANOSECOND = 1
MICROSECOND = 1000
MILLISECOND = 1000 * MICROSECOND
SECOND = 1000 * MILLISECOND
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE

LONG_MONTHS = ["January", "February", "March", "April", "May", "June", "July",
               "August", "September", "October", "November", "December"]
LONG_DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]

NAMED_LAYOUTS = {
    "rfc3339": "2006-01-02T15:04:05Z07:00",
    "rfc3339nano": "2006-01-02T15:04:05.999999999Z07:00",
    "datetime": "2006-01-02 15:04:05",
    "dateonly": "2006-01-02",
    "timeonly": "15:04:05",
    "kitchen": "3:04PM",
    "rfc1123": "Mon, 02 Jan 2006 15:04:05 MST",
    "rfc1123z": "Mon, 02 Jan 2006 15:04:05 -0700",
    "rfc822": "02 Jan 06 15:04 MST",
    "rfc822z": "02 Jan 06 15:04 -0700",
    "rfc850": "Monday, 02-Jan-06 15:04:05 MST",
    "ansic": "Mon Jan _2 15:04:05 2006",
    "unixdate": "Mon Jan _2 15:04:05 MST 2006",
}


class TimeError(ValueError):
    """A value that does not match a layout, or a duration that does not parse."""


class Month(int, GoStringer):
    go_type_name = "time.Month"

    def go_string(self) -> str:
        return LONG_MONTHS[self - 1] if 1 <= self <= 12 else f"%!Month({int(self)})"

    def String(self) -> str:
        return self.go_string()


class Weekday(int, GoStringer):
    go_type_name = "time.Weekday"

    def go_string(self) -> str:
        return LONG_DAYS[self] if 0 <= self <= 6 else f"%!Weekday({int(self)})"

    def String(self) -> str:
        return self.go_string()


class Location(GoStringer):
    """A time zone with the name Go shows for it (``UTC``, ``Local``, ``Europe/Paris``)."""

    go_type_name = "*time.Location"

    def __init__(self, name: str, zone: tzinfo) -> None:
        self.name = name
        self.zone = zone

    def go_string(self) -> str:
        return self.name

    def String(self) -> str:
        return self.name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Location) and other.zone == self.zone

    def __hash__(self) -> int:
        return hash(self.name)


UTC = Location("UTC", timezone.utc)


class Duration(int, GoStringer):
    """Nanoseconds, printed as Go prints a time.Duration (``1h2m3.5s``)."""

    go_type_name = "time.Duration"

    def go_string(self) -> str:
        return format_duration(int(self))

    def String(self) -> str:
        return self.go_string()

    def Hours(self) -> float:
        return int(self) / HOUR

    def Minutes(self) -> float:
        return int(self) / MINUTE

    def Seconds(self) -> float:
        return int(self) / SECOND

    def Milliseconds(self) -> int:
        return int(self) // MILLISECOND

    def Nanoseconds(self) -> int:
        return int(self)

    def Abs(self) -> "Duration":
        return Duration(abs(int(self)))


@dataclass(frozen=True)
class GoTime(GoStringer):
    """An instant with its location and nanoseconds, exposing Go's Time methods."""

    moment: datetime
    location: Location
    nanosecond: int = 0

    go_type_name = "time.Time"

    @classmethod
    def from_unix(cls, seconds: float, location: Location = UTC) -> "GoTime":
        whole = int(seconds // 1)
        nanos = int(round((seconds - whole) * SECOND))
        moment = datetime.fromtimestamp(whole, timezone.utc) + timedelta(microseconds=nanos // MICROSECOND)
        return cls(moment.astimezone(location.zone), location, nanos)

    def go_string(self) -> str:
        return format_time(self, "2006-01-02 15:04:05.999999999 -0700 MST")

    def _local(self) -> datetime:
        return self.moment.astimezone(self.location.zone)

    def _with(self, moment: datetime, nanosecond: int | None = None) -> "GoTime":
        nanos = self.nanosecond if nanosecond is None else nanosecond
        return GoTime(moment.astimezone(self.location.zone), self.location, nanos)

    def Unix(self) -> int:
        return int(self.moment.timestamp() // 1)

    def UnixMilli(self) -> int:
        return self.Unix() * 1000 + self.nanosecond // MILLISECOND

    def UnixNano(self) -> int:
        return self.Unix() * SECOND + self.nanosecond

    def Format(self, layout: str) -> str:
        return format_time(self, layout)

    def String(self) -> str:
        return self.go_string()

    def Year(self) -> int:
        return self._local().year

    def Month(self) -> Month:
        return Month(self._local().month)

    def Day(self) -> int:
        return self._local().day

    def Hour(self) -> int:
        return self._local().hour

    def Minute(self) -> int:
        return self._local().minute

    def Second(self) -> int:
        return self._local().second

    def Nanosecond(self) -> int:
        return self.nanosecond

    def YearDay(self) -> int:
        return self._local().timetuple().tm_yday

    def Weekday(self) -> Weekday:
        return Weekday((self._local().weekday() + 1) % 7)

    def Location(self) -> Location:
        return self.location

    def In(self, location: Location) -> "GoTime":
        return GoTime(self.moment.astimezone(location.zone), location, self.nanosecond)

    def UTC(self) -> "GoTime":
        return self.In(UTC)

    def Add(self, duration: int) -> "GoTime":
        total = self.nanosecond + int(duration)
        seconds, nanos = divmod(total, SECOND)
        moment = self.moment.replace(microsecond=0) + timedelta(seconds=seconds, microseconds=nanos // MICROSECOND)
        return self._with(moment, nanos)

    def AddDate(self, years: int, months: int, days: int) -> "GoTime":
        local = self._local()
        month_index = local.month - 1 + months
        year = local.year + years + month_index // 12
        month = month_index % 12 + 1
        first = local.replace(year=year, month=month, day=1)
        return self._with(first + timedelta(days=local.day - 1 + days))

    def Sub(self, other: "GoTime") -> Duration:
        delta = self.moment - other.moment
        whole = delta.days * 86400 + delta.seconds
        # The microseconds of both moments are already in their nanosecond fields.
        return Duration(whole * SECOND + self.nanosecond - other.nanosecond)

    def After(self, other: "GoTime") -> bool:
        return self._key() > other._key()

    def Before(self, other: "GoTime") -> bool:
        return self._key() < other._key()

    def Equal(self, other: "GoTime") -> bool:
        return self._key() == other._key()

    def Compare(self, other: "GoTime") -> int:
        return (self._key() > other._key()) - (self._key() < other._key())

    def IsZero(self) -> bool:
        return self.moment.year == 1 and self.Unix() == ZERO_UNIX and self.nanosecond == 0

    def Truncate(self, duration: int) -> "GoTime":
        if duration <= 0:
            return self
        nanos = self.UnixNano() - ZERO_UNIX * SECOND
        return self.Add(-(nanos % int(duration)))

    def _key(self) -> tuple[int, int]:
        return (self.Unix(), self.nanosecond)


ZERO_UNIX = int(datetime(1, 1, 1, tzinfo=timezone.utc).timestamp())


def local_location(zone: tzinfo | None) -> Location:
    """Return Go's ``Local`` location for a zone, or the machine's zone when None."""
    if zone is None:
        zone = datetime.now().astimezone().tzinfo or timezone.utc
    return Location("Local", zone)


# Layout elements, longest first where one is a prefix of another.
_LAYOUT_TOKENS = [
    "January", "Jan", "Monday", "Mon", "MST",
    "2006", "002", "__2", "_2", "06", "01", "02", "03", "04", "05",
    "15", "1", "2", "3", "4", "5", "PM", "pm",
    "Z07:00:00", "Z070000", "Z07:00", "Z0700", "Z07",
    "-07:00:00", "-070000", "-07:00", "-0700", "-07",
]
_FRACTION = re.compile(r"[.,](0+|9+)(?![0-9])")


def split_layout(layout: str) -> list[str | tuple[str]]:
    """Split a layout into literal text (str) and elements (1-tuples)."""
    parts: list[str | tuple[str]] = []
    literal = []
    index = 0
    while index < len(layout):
        token = _token_at(layout, index)
        if token is None:
            literal.append(layout[index])
            index += 1
            continue
        if literal:
            parts.append("".join(literal))
            literal = []
        parts.append((token,))
        index += len(token)
    if literal:
        parts.append("".join(literal))
    return parts


def _token_at(layout: str, index: int) -> str | None:
    if layout.startswith("_2006", index):
        return None
    fraction = _FRACTION.match(layout, index)
    if fraction:
        return fraction.group(0)
    for token in _LAYOUT_TOKENS:
        if layout.startswith(token, index):
            return None if _starts_lower_word(layout, index, token) else token
    return None


def _starts_lower_word(layout: str, index: int, token: str) -> bool:
    # Go reads "Jan" and "Mon" as elements only when no lower-case letter
    # follows, so "Month" stays literal text.
    after = layout[index + len(token):index + len(token) + 1]
    return token in ("Jan", "Mon") and after.islower()


def format_time(value: GoTime, layout: str) -> str:
    local = value._local()
    output = []
    for part in split_layout(layout):
        if isinstance(part, str):
            output.append(part)
        else:
            output.append(_format_element(part[0], local, value))
    return "".join(output)


def _format_element(token: str, local: datetime, value: GoTime) -> str:
    hour12 = local.hour % 12 or 12
    simple = {
        "January": LONG_MONTHS[local.month - 1], "Jan": LONG_MONTHS[local.month - 1][:3],
        "Monday": LONG_DAYS[(local.weekday() + 1) % 7], "Mon": LONG_DAYS[(local.weekday() + 1) % 7][:3],
        "2006": f"{local.year:04d}", "06": f"{local.year % 100:02d}",
        "01": f"{local.month:02d}", "1": str(local.month),
        "02": f"{local.day:02d}", "2": str(local.day), "_2": f"{local.day:>2d}",
        "002": f"{local.timetuple().tm_yday:03d}", "__2": f"{local.timetuple().tm_yday:>3d}",
        "15": f"{local.hour:02d}", "03": f"{hour12:02d}", "3": str(hour12),
        "04": f"{local.minute:02d}", "4": str(local.minute),
        "05": f"{local.second:02d}", "5": str(local.second),
        "PM": "PM" if local.hour >= 12 else "AM", "pm": "pm" if local.hour >= 12 else "am",
    }
    if token in simple:
        return simple[token]
    if token == "MST":
        return _zone_abbreviation(local)
    if token[0] in ".,":
        return _format_fraction(token, value.nanosecond)
    return _format_offset(token, local)


def _zone_abbreviation(local: datetime) -> str:
    name = local.tzname() or ""
    if name.isalpha() and name.isupper() or name == "UTC":
        return name
    return _format_offset("-0700", local)


def _format_fraction(token: str, nanosecond: int) -> str:
    digits = f"{nanosecond:09d}"[: len(token) - 1]
    if token[1] == "9":
        digits = digits.rstrip("0")
        return token[0] + digits if digits else ""
    return token[0] + digits


def _format_offset(token: str, local: datetime) -> str:
    offset = int(local.utcoffset().total_seconds()) if local.utcoffset() else 0
    if token.startswith("Z") and offset == 0:
        return "Z"
    sign = "-" if offset < 0 else "+"
    offset = abs(offset)
    hours, minutes, seconds = offset // 3600, offset // 60 % 60, offset % 60
    body = token.lstrip("Z-")
    if body == "07":
        return f"{sign}{hours:02d}"
    if body == "0700":
        return f"{sign}{hours:02d}{minutes:02d}"
    if body == "07:00":
        return f"{sign}{hours:02d}:{minutes:02d}"
    if body == "070000":
        return f"{sign}{hours:02d}{minutes:02d}{seconds:02d}"
    return f"{sign}{hours:02d}:{minutes:02d}:{seconds:02d}"


def resolve_layout(layout: str) -> str:
    """Map a layout name (``RFC3339``, ``DateTime`` …, any case) to its Go layout."""
    return NAMED_LAYOUTS.get(layout.lower(), layout)


@dataclass
class _Fields:
    year: int = 1
    month: int = 1
    day: int = 1
    yday: int = -1
    hour: int = 0
    minute: int = 0
    second: int = 0
    nanosecond: int = 0
    pm: bool | None = None
    offset: int | None = None
    zone_name: str | None = None


def parse_time(layout: str, value: str, default: Location, local: Location | None = None) -> GoTime:
    """Parse value by a Go layout, as time.ParseInLocation does.

    A value without zone information lands in ``default``. A zone
    abbreviation that is not ``local``'s gets a zero offset, as in Go.
    Raises TimeError naming the element that did not match.
    """
    fields = _Fields()
    rest = value
    for part in split_layout(layout):
        if isinstance(part, str):
            rest = _expect_literal(part, rest, value)
        else:
            rest = _parse_element(part[0], rest, fields, value)
    if rest:
        raise TimeError(f"parsing time {value!r}: extra text {rest!r}")
    return _build_time(fields, value, default, local)


def _expect_literal(literal: str, rest: str, value: str) -> str:
    # Go lets runs of spaces in the layout and value differ in length.
    for char in literal:
        if char == " " and rest.startswith(" "):
            rest = rest.lstrip(" ") if not literal.endswith(char * 2) else rest[1:]
            continue
        if char == " ":
            continue
        if not rest.startswith(char):
            raise TimeError(f"parsing time {value!r}: expected {literal!r} at {rest!r}")
        rest = rest[1:]
    return rest


def _take_number(rest: str, minimum: int, maximum: int, value: str, what: str) -> tuple[int, str]:
    match = re.match(r"[0-9]{%d,%d}" % (minimum, maximum), rest)
    if not match:
        raise TimeError(f"parsing time {value!r}: cannot parse {rest!r} as {what}")
    return int(match.group(0)), rest[match.end():]


def _take_name(rest: str, names: list[str], value: str, what: str) -> tuple[int, str]:
    for index, name in enumerate(names):
        if rest[: len(name)].lower() == name.lower():
            return index, rest[len(name):]
    raise TimeError(f"parsing time {value!r}: cannot parse {rest!r} as {what}")


def _parse_element(token: str, rest: str, fields: _Fields, value: str) -> str:
    if token in ("January", "Jan"):
        names = LONG_MONTHS if token == "January" else [name[:3] for name in LONG_MONTHS]
        index, rest = _take_name(rest, names, value, token)
        fields.month = index + 1
        return rest
    if token in ("Monday", "Mon"):
        names = LONG_DAYS if token == "Monday" else [name[:3] for name in LONG_DAYS]
        return _take_name(rest, names, value, token)[1]
    numeric = _NUMERIC_ELEMENTS.get(token)
    if numeric:
        attribute, minimum, maximum = numeric
        if token in ("_2", "__2"):
            rest = rest.lstrip(" ") if rest.startswith(" ") else rest
        number, rest = _take_number(rest, minimum, maximum, value, token)
        setattr(fields, attribute, number + 1900 + (100 if number < 69 else 0) if token == "06" else number)
        return rest
    if token in ("PM", "pm"):
        marker = rest[:2].upper()
        if marker not in ("AM", "PM"):
            raise TimeError(f"parsing time {value!r}: cannot parse {rest!r} as {token}")
        fields.pm = marker == "PM"
        return rest[2:]
    if token[0] in ".,":
        return _parse_fraction(token, rest, fields, value)
    if token == "MST":
        return _parse_abbreviation(rest, fields, value)
    return _parse_offset(token, rest, fields, value)


_NUMERIC_ELEMENTS = {
    "2006": ("year", 4, 4), "06": ("year", 2, 2),
    "01": ("month", 2, 2), "1": ("month", 1, 2),
    "02": ("day", 2, 2), "2": ("day", 1, 2), "_2": ("day", 1, 2),
    "002": ("yday", 3, 3), "__2": ("yday", 1, 3),
    "15": ("hour", 1, 2), "03": ("hour", 2, 2), "3": ("hour", 1, 2),
    "04": ("minute", 2, 2), "4": ("minute", 1, 2),
    "05": ("second", 2, 2), "5": ("second", 1, 2),
}


def _parse_fraction(token: str, rest: str, fields: _Fields, value: str) -> str:
    match = re.match(r"[.,]([0-9]+)", rest)
    if token[1] == "9" and not match:
        return rest
    if not match or (token[1] == "0" and len(match.group(1)) != len(token) - 1):
        raise TimeError(f"parsing time {value!r}: cannot parse {rest!r} as {token}")
    fields.nanosecond = int((match.group(1) + "000000000")[:9])
    return rest[match.end():]


def _parse_abbreviation(rest: str, fields: _Fields, value: str) -> str:
    match = re.match(r"UTC|GMT[+-][0-9]{1,2}|[A-Z]{3,5}", rest)
    if not match:
        raise TimeError(f"parsing time {value!r}: cannot parse {rest!r} as MST")
    fields.zone_name = match.group(0)
    return rest[match.end():]


def _parse_offset(token: str, rest: str, fields: _Fields, value: str) -> str:
    if token.startswith("Z") and rest.startswith("Z"):
        fields.offset = 0
        return rest[1:]
    shapes = {"07": r"([+-])(\d\d)", "0700": r"([+-])(\d\d)(\d\d)", "07:00": r"([+-])(\d\d):(\d\d)",
              "070000": r"([+-])(\d\d)(\d\d)(\d\d)", "07:00:00": r"([+-])(\d\d):(\d\d):(\d\d)"}
    match = re.match(shapes[token.lstrip("Z-")], rest)
    if not match:
        raise TimeError(f"parsing time {value!r}: cannot parse {rest!r} as {token}")
    numbers = [int(group) for group in match.groups()[1:]] + [0, 0]
    seconds = numbers[0] * 3600 + numbers[1] * 60 + numbers[2]
    fields.offset = -seconds if match.group(1) == "-" else seconds
    return rest[match.end():]


def _build_time(fields: _Fields, value: str, default: Location, local: Location | None) -> GoTime:
    hour = fields.hour
    if fields.pm is not None:
        if hour > 12:
            raise TimeError(f"parsing time {value!r}: hour out of range")
        hour = hour % 12 + (12 if fields.pm else 0)
    if fields.yday >= 0:
        start = datetime(max(fields.year, 1), 1, 1) + timedelta(days=fields.yday - 1)
        fields.month, fields.day = start.month, start.day
    try:
        naive = datetime(max(fields.year, 1), fields.month, fields.day, hour, fields.minute,
                         fields.second, fields.nanosecond // MICROSECOND)
    except ValueError as error:
        raise TimeError(f"parsing time {value!r}: {error}") from None
    location = _location_for(fields, default, local, naive)
    moment = naive.replace(tzinfo=location.zone) if location.zone is not None else naive
    return GoTime(moment, location, fields.nanosecond)


def _location_for(fields: _Fields, default: Location, local: Location | None, naive: datetime) -> Location:
    if fields.offset is not None:
        if fields.offset == 0 and default.zone.utcoffset(naive) == timedelta(0):
            return default
        return Location("", timezone(timedelta(seconds=fields.offset)))
    if fields.zone_name is not None:
        if fields.zone_name == "UTC":
            return UTC
        if local is not None and naive.replace(tzinfo=local.zone).tzname() == fields.zone_name:
            return local
        # Go fabricates a zone with the abbreviation and a zero offset.
        return Location(fields.zone_name, timezone(timedelta(0), fields.zone_name))
    return default


_DURATION_UNITS = {"ns": 1, "us": MICROSECOND, "µs": MICROSECOND, "μs": MICROSECOND,
                   "ms": MILLISECOND, "s": SECOND, "m": MINUTE, "h": HOUR}
_DURATION_PART = re.compile(r"([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)")


def parse_duration(text: str) -> Duration:
    """Parse a Go duration such as ``1h30m``, ``-1.5h`` or ``300ms``."""
    rest = text
    sign = -1 if rest.startswith("-") else 1
    rest = rest[1:] if rest[:1] in "+-" else rest
    if rest == "0":
        return Duration(0)
    if not rest:
        raise TimeError(f"invalid duration {text!r}")
    total = 0.0
    while rest:
        match = _DURATION_PART.match(rest)
        if not match or match.group(1) in ("", "."):
            raise TimeError(f"invalid duration {text!r}: expected a number and a unit (ns us ms s m h)")
        total += float(match.group(1)) * _DURATION_UNITS[match.group(2)]
        rest = rest[match.end():]
    return Duration(sign * int(round(total)))


def format_duration(nanos: int) -> str:
    """Format nanoseconds as Go's Duration.String does: ``1h2m3.5s``, ``1.5ms``, ``0s``."""
    if nanos == 0:
        return "0s"
    sign = "-" if nanos < 0 else ""
    nanos = abs(nanos)
    if nanos < SECOND:
        for unit, size in (("ms", MILLISECOND), ("µs", MICROSECOND), ("ns", 1)):
            if nanos >= size:
                return sign + _trim_decimal(nanos, size) + unit
    hours, rest = divmod(nanos, HOUR)
    minutes, rest = divmod(rest, MINUTE)
    seconds = _trim_decimal(rest, SECOND) + "s"
    if hours:
        return f"{sign}{hours}h{minutes}m{seconds}"
    if minutes:
        return f"{sign}{minutes}m{seconds}"
    return sign + seconds


def _trim_decimal(value: int, unit: int) -> str:
    whole, fraction = divmod(value, unit)
    if not fraction:
        return str(whole)
    width = len(str(unit)) - 1
    return f"{whole}." + f"{fraction:0{width}d}".rstrip("0")
