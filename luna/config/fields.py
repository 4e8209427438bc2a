"""Value types shared by configuration models: durations, colours, links, time zones."""

from __future__ import annotations

import ipaddress
import re
import zoneinfo
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import BeforeValidator, PlainSerializer

DURATION = re.compile(r"^\s*(?P<amount>\d+(?:\.\d+)?)\s*(?P<unit>ms|s|m|h|d)\s*$")
DURATION_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def parse_duration(value: Any) -> float:
    """Read `30s`, `5m`, `2h`, `1d` or `500ms` as seconds."""

    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError(f"a duration must be text such as 30s or 5m, got {describe_value(value)}")
    if isinstance(value, (int, float)):
        raise ValueError(f"a duration needs a unit: write {value}ms, {value}s, {value}m or {value}h")

    match = DURATION.match(value)
    if match is None:
        raise ValueError(f'invalid duration "{value}": use a number followed by ms, s, m, h or d, for example 30s or 5m')
    return float(match["amount"]) * DURATION_UNITS[match["unit"]]


def format_duration(seconds: float) -> str:
    for unit in ("d", "h", "m", "s"):
        size = DURATION_UNITS[unit]
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{int(seconds * 1000)}ms"


Duration = Annotated[float, BeforeValidator(parse_duration), PlainSerializer(format_duration)]


@dataclass(frozen=True)
class HSL:
    """A colour as hue (0-360), saturation and lightness (0-100), as Glance themes write it."""

    hue: float
    saturation: float
    lightness: float

    def css(self) -> str:
        return f"hsl({_number(self.hue)}, {_number(self.saturation)}%, {_number(self.lightness)}%)"

    def __str__(self) -> str:
        return f"{_number(self.hue)} {_number(self.saturation)} {_number(self.lightness)}"

    def hex(self) -> str:
        import colorsys

        red, green, blue = colorsys.hls_to_rgb(self.hue / 360, self.lightness / 100, self.saturation / 100)
        return "#{:02x}{:02x}{:02x}".format(round(red * 255), round(green * 255), round(blue * 255))


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


HSL_TEXT = re.compile(r"^\s*(?:hsla?\()?\s*([\d.]+)(?:deg)?[\s,]+([\d.]+)%?[\s,]+([\d.]+)%?\s*\)?\s*$", re.IGNORECASE)


def parse_hsl(value: Any) -> HSL:
    if isinstance(value, HSL):
        return value
    if not isinstance(value, str):
        raise ValueError(f'a colour must be text such as "240 8 9" (hue saturation lightness), got {describe_value(value)}')

    match = HSL_TEXT.match(value)
    if match is None:
        raise ValueError(f'invalid colour "{value}": write hue, saturation and lightness, for example "240 8 9"')

    hue, saturation, lightness = (float(part) for part in match.groups())
    if hue > 360:
        raise ValueError(f'invalid colour "{value}": hue must be between 0 and 360')
    if saturation > 100 or lightness > 100:
        raise ValueError(f'invalid colour "{value}": saturation and lightness must be between 0 and 100')
    return HSL(hue, saturation, lightness)


HSLColor = Annotated[HSL, BeforeValidator(parse_hsl), PlainSerializer(str)]

# Schemes a link may not use: they run code or embed content in the dashboard's origin.
UNSAFE_SCHEMES = frozenset({"javascript", "vbscript", "data"})
# Prefixes of a path on the same server, which the browser resolves against the page that links it.
RELATIVE_STARTS = ("/", "#", "?", ".")
# A host name or address, an optional port, then the end or a path: `nas.lan/api`, `192.168.1.5:8080`.
HOST_WITHOUT_SCHEME = re.compile(r"^[\w.-]+(?::\d+)?(?:[/?#]|$)")


def _url_text(value: Any) -> str:
    """Return the URL as written, without surrounding space, after the checks that every URL passes."""

    if not isinstance(value, str):
        raise ValueError(f"a URL must be text, got {describe_value(value)}")

    text = value.strip()
    if not text:
        raise ValueError("the URL is empty")
    if any(character.isspace() for character in text):
        if "://" not in text and not text.startswith(RELATIVE_STARTS):
            raise ValueError(f'invalid URL "{text}": it is not a web address; write one such as https://example.com/')
        raise ValueError(f'invalid URL "{text}": it contains spaces; write them as %20')
    return text


def _url_scheme(text: str) -> str:
    """Return the lower-case scheme of a URL, after checking its port, its host and that the scheme is safe."""

    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - reading it validates the port
    except ValueError as error:
        raise ValueError(f'invalid URL "{text}": {error}') from None

    scheme = parts.scheme.lower()
    if scheme in UNSAFE_SCHEMES:
        raise ValueError(f'the URL scheme "{scheme}:" is not allowed in links')
    if scheme in ("http", "https") and not parts.hostname:
        raise ValueError(f'invalid URL "{text}": it has no host name after {scheme}://')
    return scheme


def parse_link(value: Any) -> str:
    """Accept an absolute URL of any safe scheme, or a path on this server."""

    text = _url_text(value)
    scheme = _url_scheme(text)
    if not scheme and not text.startswith(RELATIVE_STARTS):
        raise ValueError(f'invalid URL "{text}": add a scheme such as https:// or start a local path with /')
    return text


def parse_web_url(value: Any) -> str:
    """Accept only absolute http and https URLs, for things luna itself requests.

    luna sends these requests from the server, where a path such as
    `/ext/report` has no page to be relative to, so the advice for a missing
    scheme never suggests a path.
    """

    text = _url_text(value)
    if text.startswith("//"):
        raise ValueError(f'invalid URL "{text}": add http: or https: in front, such as http:{text}')
    if text.startswith(RELATIVE_STARTS):
        example = text if text.startswith("/") else "/"
        raise ValueError(
            f'invalid URL "{text}": luna sends this request itself, so a path alone names no server; '
            f"write the full address, such as http://192.168.1.10:8080{example}"
        )
    if "://" not in text and HOST_WITHOUT_SCHEME.match(text):
        raise ValueError(f'invalid URL "{text}": add http:// or https:// in front, such as http://{text}')

    scheme = _url_scheme(text)
    if scheme not in ("http", "https"):
        raise ValueError(f'invalid URL "{text}": it must start with http:// or https://')
    return text


Link = Annotated[str, BeforeValidator(parse_link)]
WebURL = Annotated[str, BeforeValidator(parse_web_url)]


IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_network(value: Any) -> IPNetwork:
    """Read an IP address (`10.0.0.2`, `::1`) or a range in CIDR form (`10.0.0.0/8`)."""

    if isinstance(value, (ipaddress.IPv4Network, ipaddress.IPv6Network)):
        return value
    if not isinstance(value, str):
        raise ValueError(f"an address must be text such as 10.0.0.2 or 10.0.0.0/8, got {describe_value(value)}")
    try:
        return ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        raise ValueError(
            f'invalid address or range "{value}": write an IP address such as 10.0.0.2 or a range such as 10.0.0.0/8'
        ) from None


Network = Annotated[IPNetwork, BeforeValidator(parse_network), PlainSerializer(str)]


@lru_cache(maxsize=None)
def _known_time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def parse_time_zone(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"a time zone must be an IANA name such as Europe/Berlin, got {describe_value(value)}")

    name = value.strip()
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        hint = suggest(name, _known_time_zones())
        extra = f'; did you mean "{hint}"?' if hint else "; use an IANA name such as Europe/Berlin or America/New_York"
        raise ValueError(f'unknown time zone "{name}"{extra}') from None
    return name


TimeZone = Annotated[str, BeforeValidator(parse_time_zone)]


def suggest(word: str, choices: Any) -> str | None:
    """Return the valid choice closest to a misspelt word, if any is close."""

    import difflib

    lowered = {str(choice).lower(): str(choice) for choice in choices}
    matches = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[matches[0]] if matches else None


def describe_value(value: Any) -> str:
    """Name a YAML value's kind the way a user wrote it, for error messages."""

    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f'the text "{shown}"'
    if isinstance(value, dict):
        return "a mapping (key: value pairs)"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__
