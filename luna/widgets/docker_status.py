"""A container's state from the Docker API, and since when it holds, read from the `Status` text.

The container list has no start or exit time, only a phrase such as
"Up 3 minutes (unhealthy)" or "Exited (1) 2 hours ago" that changes every
minute. Rendering that phrase would change the widget's HTML on every
refresh, so luna turns it into a moment (Unix seconds) that the browser
shows as "started 3m ago". Each phrase only bounds the moment, so the
bounds of successive refreshes are intersected, and the moment on screen
changes only when it falls outside them: a few times in the first minutes
after a start, then no more.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# The phrases Docker writes for a duration (go-units' HumanDuration) and the
# range in seconds each one covers. Hours are rounded to the nearest hour, so
# "3 hours" is 2.5 h to 3.5 h. Days, weeks and months count whole rounded
# hours, and a month is 30 days.
HOUR = 3600.0
DAY = 24 * HOUR
_UNITS = {
    "second": (1.0, 0.0),
    "minute": (60.0, 0.0),
    "hour": (HOUR, -HOUR / 2),
    "day": (DAY, -HOUR / 2),
    "week": (7 * DAY, -HOUR / 2),
    "month": (30 * DAY, -HOUR / 2),
    "year": (365 * DAY, 0.0),
}
_FIXED_PHRASES = {
    "less than a second": (0.0, 1.0),
    "about a minute": (60.0, 120.0),
    "about an hour": (HOUR, 1.5 * HOUR),
}
_AMOUNT = re.compile(r"^(?P<count>\d+) (?P<unit>second|minute|hour|day|week|month|year)s?$")
_UP = re.compile(r"^up (?P<age>.+?)(?: \((?P<note>[^)]*)\))?$")
_ENDED = re.compile(r"^(?P<verb>exited|restarting) \((?P<code>-?\d+)\) (?P<age>.+) ago$")
# Seconds added to each side of a range, for the time between Docker writing
# the phrase and luna reading it, and small clock differences.
SLACK = 5.0

HEALTH_NOTES = {"healthy": "healthy", "unhealthy": "unhealthy", "health: starting": "starting"}


@dataclass(frozen=True)
class ContainerStatus:
    """A container's state as the Docker API reports it.

    `phase` names what the age counts from: "up" (started), "exited" or
    "restarting" (the last exit); `age` bounds that age in seconds.
    """

    state: str
    health: str | None = None
    exit_code: int | None = None
    phase: str | None = None
    age: tuple[float, float] | None = None


def parse_age(phrase: str) -> tuple[float, float] | None:
    """Return the range of seconds a phrase such as "3 minutes" or "About an hour" covers."""

    text = phrase.strip().lower()
    if text in _FIXED_PHRASES:
        return _FIXED_PHRASES[text]

    match = _AMOUNT.match(text)
    if match is None:
        return None
    count = int(match["count"])
    size, shift = _UNITS[match["unit"]]
    return count * size + shift, (count + 1) * size + shift


def parse_status(state: str, status: str, health: str | None = None) -> ContainerStatus:
    """Read `State` and `Status` of one container of `GET /containers/json`.

    `health` is the `Health.Status` field that newer Docker API versions
    include in the list; older ones give the health only inside `Status`.
    """

    state = (state or "").strip().lower() or "unknown"
    text = " ".join((status or "").split()).lower()

    up = _UP.match(text)
    if up is not None:
        note = (up["note"] or "").strip()
        if state == "running" and note == "paused":
            state = "paused"
        found_health = HEALTH_NOTES.get(note)
        return ContainerStatus(state, _health(health) or found_health, None, "up", parse_age(up["age"]))

    ended = _ENDED.match(text)
    if ended is not None:
        return ContainerStatus(state, _health(health), int(ended["code"]), ended["verb"], parse_age(ended["age"]))

    return ContainerStatus(state, _health(health))


def _health(value: str | None) -> str | None:
    text = (value or "").strip().lower()
    return {"healthy": "healthy", "unhealthy": "unhealthy", "starting": "starting"}.get(text)


@dataclass(frozen=True)
class Since:
    """When a container's phase began: the bounds known so far and the moment shown, in Unix seconds."""

    key: str
    earliest: float
    latest: float
    shown: int


def estimate_since(key: str, age: tuple[float, float], now: float, before: Since | None) -> Since:
    """Narrow the moment a phase began with one more observation, keeping the shown moment while it still fits.

    A phase that began again (a restart between two refreshes) no longer fits
    the earlier bounds and starts a new estimate.
    """

    earliest = now - age[1] - SLACK
    latest = now - age[0] + SLACK
    if before is not None and before.key == key:
        narrowed_earliest = max(earliest, before.earliest)
        narrowed_latest = min(latest, before.latest)
        if narrowed_earliest <= narrowed_latest:
            earliest, latest = narrowed_earliest, narrowed_latest
            if earliest <= before.shown <= latest:
                return Since(key, earliest, latest, before.shown)

    return Since(key, earliest, latest, round((earliest + latest) / 2))
