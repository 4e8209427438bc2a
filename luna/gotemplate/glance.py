"""Glance's custom-api template data and functions, on top of the generic interpreter.

The dot of a custom-api template is ``TemplateData``: ``.JSON`` and
``.Response`` of the primary request, ``.JSONLines``, ``.Subrequest "name"``
and ``.Options``. ``glance_functions`` returns the helper functions, bound to
a clock, a local time zone and the fetch callback that ``getResponse`` uses.
Nothing here opens a connection itself.

Behaviour follows Glance's widget-custom-api.go and templates.go: argument
order puts the piped value last (``.String "x" | trimPrefix "v"``), failed
time parsing gives the Unix epoch, math on two ints stays int, and division
by zero gives 0.
"""

from __future__ import annotations

import json
import logging
import math
import operator
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import tzinfo
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

from . import gjson
from .errors import FunctionError
from .escape import CSS, HTML, URL, HTMLAttr
from .executor import resolve_awaitable
from .gofmt import join_operands, sprintf
from .gotime import UTC, Duration, GoTime, Location, TimeError, local_location, parse_duration, parse_time
from .values import GoStringer, format_float, is_int, is_number, type_name

logger = logging.getLogger(__name__)

# Layout names Glance's parseTime and formatTime accept in any case, besides "unix".
LAYOUT_NAMES = {
    "rfc3339": "2006-01-02T15:04:05Z07:00",
    "rfc3339nano": "2006-01-02T15:04:05.999999999Z07:00",
    "datetime": "2006-01-02 15:04:05",
    "dateonly": "2006-01-02",
}


# Template data


class JSONValue(GoStringer):
    """A GJSON result with the methods Glance's templates call (String, Int, Array …)."""

    go_type_name = "customapi.JSON"

    def __init__(self, result: gjson.Result, text: str | None = None) -> None:
        self.result = result
        self.text = text

    def go_string(self) -> str:
        return self.result.raw()

    def go_truth(self) -> bool:
        return True

    def _get(self, key: str) -> gjson.Result:
        if key.startswith("..") and self.text is not None:
            return gjson.get_lines(self.text, key)
        return self.result.get(key)

    def _pick(self, key: str) -> gjson.Result:
        return self.result if key == "" else self._get(key)

    def String(self, key: str) -> str:
        return self._pick(key).string()

    def Int(self, key: str) -> int:
        return self._pick(key).int()

    def Float(self, key: str) -> float:
        return self._pick(key).float()

    def Bool(self, key: str) -> bool:
        return self._pick(key).bool()

    def Array(self, key: str) -> list["JSONValue"]:
        return [JSONValue(item) for item in self._pick(key).array()]

    def Exists(self, key: str) -> bool:
        return self._get(key).exists

    def Get(self, key: str) -> "JSONValue":
        return JSONValue(self._get(key))

    # The fields and methods of gjson.Result, which Glance's wrapper embeds.

    @property
    def Raw(self) -> str:
        return self.result.raw()

    @property
    def Str(self) -> str:
        return self.result.value if isinstance(self.result.value, str) else ""

    @property
    def Num(self) -> float:
        value = self.result.value
        return value.value if isinstance(value, gjson.Number) else 0.0

    @property
    def Type(self) -> int:
        """gjson's type code: 0 Null, 1 False, 2 Number, 3 String, 4 True, 5 JSON."""
        value = self.result.value
        if value is None:
            return 0
        if isinstance(value, bool):
            return 4 if value else 1
        if isinstance(value, gjson.Number):
            return 2
        return 3 if isinstance(value, str) else 5

    def Value(self) -> Any:
        return _python_value(self.result.value) if self.result.exists else None

    def Map(self) -> dict[str, "JSONValue"]:
        value = self.result.value
        if not isinstance(value, dict):
            return {}
        return {key: JSONValue(gjson.Result(item)) for key, item in value.items()}

    def IsArray(self) -> bool:
        return isinstance(self.result.value, list)

    def IsObject(self) -> bool:
        return isinstance(self.result.value, dict)


def _python_value(value: Any) -> Any:
    """Convert to the Go values gjson's Value returns: numbers become float64."""
    if isinstance(value, gjson.Number):
        return value.value
    if isinstance(value, list):
        return [_python_value(item) for item in value]
    if isinstance(value, dict):
        return {key: _python_value(item) for key, item in value.items()}
    return value


class Header(dict):
    """Response headers by canonical name, each with its list of values, like Go's http.Header."""

    go_type_name = "http.Header"

    def Get(self, key: str) -> str:
        values = self.get(canonical_header(key))
        return values[0] if values else ""

    def Values(self, key: str) -> list[str]:
        return list(self.get(canonical_header(key), []))


def canonical_header(key: str) -> str:
    return "-".join(part.capitalize() for part in key.split("-"))


@dataclass
class HTTPResponse:
    """The fields of Go's http.Response that templates read."""

    StatusCode: int = 0
    Status: str = ""
    Header: Header = field(default_factory=Header)

    go_type_name = "*http.Response"


@dataclass
class FetchResult:
    """The status, body and headers that a fetch callback returns for one request."""

    status_code: int
    body: str | bytes = ""
    headers: Mapping[str, str] | list[tuple[str, str]] = field(default_factory=dict)
    reason: str = ""


@dataclass
class ResponseData:
    """``.JSON`` and ``.Response`` of one request."""

    JSON: JSONValue
    Response: HTTPResponse
    text: str = ""

    go_type_name = "*customapi.Response"

    @classmethod
    def empty(cls, status: str = "") -> "ResponseData":
        return cls(JSONValue(gjson.Result(None, exists=False)), HTTPResponse(Status=status))

    @classmethod
    def from_fetch(cls, result: FetchResult) -> "ResponseData":
        body = result.body.decode(errors="replace") if isinstance(result.body, bytes) else result.body
        body = body.strip()
        reason = result.reason or _reason_phrase(result.status_code)
        response = HTTPResponse(result.status_code, f"{result.status_code} {reason}".strip(), _header(result.headers))
        return cls(JSONValue(gjson.parse(body), body), response, body)


def _reason_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _header(headers: Mapping[str, str] | list[tuple[str, str]]) -> Header:
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    header = Header()
    for key, value in pairs:
        header.setdefault(canonical_header(key), []).append(value)
    return header


class InvalidResponse(Exception):
    """A response that is not valid JSON when the widget expects JSON."""


def check_json(result: FetchResult, skip_validation: bool = False) -> None:
    """Raise InvalidResponse as Glance does for a body that is neither empty nor valid JSON."""
    body = result.body.decode(errors="replace") if isinstance(result.body, bytes) else result.body
    body = body.strip()
    if skip_validation or not body or gjson.is_valid(body):
        return
    if 200 <= result.status_code < 300:
        raise InvalidResponse("invalid response JSON")
    raise InvalidResponse(f"{result.status_code} {_reason_phrase(result.status_code)}".strip())


class Options(dict):
    """The widget's ``options:`` map, read with defaults of the matching type."""

    go_type_name = "customapi.Options"

    def _typed(self, key: str, default: Any, accepts: Callable[[Any], bool]) -> Any:
        value = self.get(key)
        return value if key in self and accepts(value) else default

    def StringOr(self, key: str, default: str) -> str:
        return self._typed(key, default, lambda value: isinstance(value, str))

    def IntOr(self, key: str, default: int) -> int:
        return self._typed(key, default, is_int)

    def FloatOr(self, key: str, default: float) -> float:
        # A YAML integer is not a float to Go's type assertion, so it yields the default.
        return self._typed(key, default, lambda value: isinstance(value, float))

    def BoolOr(self, key: str, default: bool) -> bool:
        return self._typed(key, default, lambda value: isinstance(value, bool))

    def JSON(self, key: str) -> str:
        if key not in self:
            raise FunctionError(f"key {key!r} does not exist in options")
        # Go's encoding/json writes the keys of a map in sorted order.
        return json.dumps(self[key], separators=(",", ":"), sort_keys=True)


class TemplateData:
    """The dot of a custom-api template."""

    go_type_name = "*customapi.TemplateData"

    def __init__(self, primary: ResponseData | None = None, subrequests: Mapping[str, ResponseData] | None = None,
                 options: Mapping[str, Any] | None = None) -> None:
        primary = primary or ResponseData.empty()
        self.JSON = primary.JSON
        self.Response = primary.Response
        self.Options = Options(options or {})
        self._text = primary.text
        self._subrequests = dict(subrequests or {})

    def JSONLines(self) -> list[JSONValue]:
        return [JSONValue(result) for result in gjson.parse_lines(self._text)]

    def Subrequest(self, key: str) -> ResponseData:
        if key not in self._subrequests:
            raise FunctionError(f"subrequest with key {key!r} has not been defined")
        return self._subrequests[key]


# Requests built inside templates


@dataclass
class CustomAPIRequest:
    """A request a template builds with newRequest and the with… functions."""

    url: str
    method: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    parameters: list[tuple[str, str]] = field(default_factory=list)
    body: str | None = None
    allow_insecure: bool = False

    go_type_name = "*customapi.Request"

    @property
    def effective_method(self) -> str:
        """GET, or POST when the request has a body and no method was set."""
        if self.method:
            return self.method.upper()
        return "POST" if self.body is not None else "GET"


Fetch = Callable[[CustomAPIRequest], "FetchResult | Awaitable[FetchResult]"]


# The functions


def glance_functions(*, now: Callable[[], float] = time.time, local_zone: tzinfo | None = None,
                     fetch: Fetch | None = None, fetch_timeout: float | None = 30.0) -> dict[str, Callable[..., Any]]:
    """Return Glance's custom-api functions.

    ``now`` returns seconds since the epoch, as ``luna.clock`` clocks do.
    ``local_zone`` is Go's ``Local``, the machine's zone when None.
    ``fetch`` performs the requests of ``getResponse``. It may be a
    coroutine function when the template runs under ``execute_async``.
    """
    local = local_location(local_zone)
    functions: dict[str, Callable[..., Any]] = {}
    functions.update(_math_functions())
    functions.update(_time_functions(now, local))
    functions.update(_string_functions())
    functions.update(_array_functions())
    functions.update(_request_functions(fetch, fetch_timeout))
    functions.update(_format_functions())
    return functions


def _math_functions() -> dict[str, Callable[..., Any]]:
    def to_float(value: int) -> float:
        return float(value)

    def to_int(value: float) -> int:
        return int(value) if math.isfinite(value) else -(2**63)

    def mod(a: int, b: int) -> int:
        return 0 if b == 0 else a - b * _truncated_division(a, b)

    return {
        "toFloat": to_float, "toInt": to_int, "mod": mod,
        "add": _arithmetic("add"), "sub": _arithmetic("sub"), "mul": _arithmetic("mul"), "div": _arithmetic("div"),
        "percentChange": percent_change,
    }


def _truncated_division(a: int, b: int) -> int:
    quotient = abs(a) // abs(b)
    return quotient if (a < 0) == (b < 0) else -quotient


_OPERATORS = {"add": operator.add, "sub": operator.sub, "mul": operator.mul}


def _arithmetic(operation: str) -> Callable[[Any, Any], Any]:
    def apply(a: Any, b: Any) -> Any:
        if not is_number(a) or not is_number(b):
            return math.nan
        both_int = is_int(a) and is_int(b)
        if operation == "div":
            return _divide(a, b, both_int)
        return _OPERATORS[operation](a, b) if both_int else _OPERATORS[operation](float(a), float(b))

    apply.__name__ = operation
    return apply


def _divide(a: Any, b: Any, both_int: bool) -> Any:
    if b == 0:
        return 0 if both_int else 0.0
    return _truncated_division(a, b) if both_int else float(a) / float(b)


def percent_change(current: float, previous: float) -> float:
    """Return (current / previous - 1) * 100, with Go's infinities and NaN for a zero previous."""
    if previous == 0:
        if current == 0 or math.isnan(current):
            return math.nan
        ratio = math.copysign(math.inf, current) * math.copysign(1.0, previous)
        return (ratio - 1) * 100
    return (current / previous - 1) * 100


def _time_functions(now: Callable[[], float], local: Location) -> dict[str, Callable[..., Any]]:
    def current() -> GoTime:
        return GoTime.from_unix(now(), local)

    def offset_now(offset: str) -> GoTime:
        try:
            return current().Add(parse_duration(offset))
        except TimeError:
            return current()

    def duration(text: str) -> Duration:
        try:
            return parse_duration(text)
        except TimeError:
            return Duration(0)

    def parse_utc(layout: str, value: str) -> GoTime:
        return parse_glance_time(layout, value, UTC, local)

    def parse_local(layout: str, value: str) -> GoTime:
        return parse_glance_time(layout, value, local, local)

    def parse_relative(layout: str, value: str) -> HTMLAttr:
        return relative_time_attributes(parse_utc(layout, value))

    return {
        "now": current, "offsetNow": offset_now, "duration": duration,
        "parseTime": parse_utc, "parseLocalTime": parse_local, "parseRelativeTime": parse_relative,
        "formatTime": format_glance_time, "toRelativeTime": relative_time_attributes,
        "dynamicRelativeTimeAttrs": relative_time_attributes,
        "startOfDay": start_of_day, "endOfDay": end_of_day,
    }


def parse_glance_time(layout: str, value: str, default: Location, local: Location) -> GoTime:
    """Parse as Glance does: named layouts, ``unix`` seconds, and the epoch for a value that fails."""
    if layout.lower() == "unix":
        try:
            return GoTime.from_unix(int(value.strip()), local)
        except ValueError:
            return GoTime.from_unix(0, local)
    try:
        return parse_time(LAYOUT_NAMES.get(layout.lower(), layout), value, default, local)
    except TimeError as error:
        logger.debug("custom-api template: %s", error)
        return GoTime.from_unix(0, local)


def format_glance_time(layout: str, moment: GoTime) -> str:
    if layout.lower() == "unix":
        return str(moment.Unix())
    return moment.Format(LAYOUT_NAMES.get(layout.lower(), layout))


def relative_time_attributes(moment: Any) -> HTMLAttr:
    """Return the attribute that luna's relative-time script turns into "2h", "3d" …"""
    unix = getattr(moment, "Unix", None)
    if not callable(unix):
        raise FunctionError(f"expected a time, got {type_name(moment)}")
    return HTMLAttr(f'data-dynamic-relative-time="{unix()}"')


def start_of_day(moment: GoTime) -> GoTime:
    local = moment._local().replace(hour=0, minute=0, second=0, microsecond=0)
    return GoTime(local, moment.location, 0)


def end_of_day(moment: GoTime) -> GoTime:
    local = moment._local().replace(hour=23, minute=59, second=59, microsecond=0)
    return GoTime(local, moment.location, 0)


def _string_functions() -> dict[str, Callable[..., Any]]:
    def trim_prefix(prefix: str, text: str) -> str:
        return text[len(prefix):] if prefix and text.startswith(prefix) else text

    def trim_suffix(suffix: str, text: str) -> str:
        return text[: -len(suffix)] if suffix and text.endswith(suffix) else text

    def trim_space(text: str) -> str:
        return text.strip()

    def replace_all(old: str, new: str, text: str) -> str:
        return text.replace(old, new)

    def concat(*items: str) -> str:
        return "".join(items)

    return {
        "trimPrefix": trim_prefix, "trimSuffix": trim_suffix, "trimSpace": trim_space, "replaceAll": replace_all,
        "replaceMatches": replace_matches, "findMatch": find_match, "findSubmatch": find_submatch, "concat": concat,
    }


_PATTERNS: dict[str, re.Pattern[str]] = {}


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """Compile a Go (RE2) regular expression with Python's re, caching it.

    NOTE: the two dialects agree on what templates use (classes, groups,
    anchors, repetition); Go's ``\\z`` is translated, but RE2-only syntax
    such as ``\\pN`` classes is not.
    """
    compiled = _PATTERNS.get(pattern)
    if compiled is None:
        try:
            compiled = re.compile(pattern.replace(r"\z", r"\Z").replace("(?<", "(?P<").replace("(?P<=", "(?<=")
                                  .replace("(?P<!", "(?<!"))
        except re.error as error:
            raise FunctionError(f"invalid regular expression {pattern!r}: {error}") from None
        _PATTERNS[pattern] = compiled
    return compiled


_REPLACEMENT_REFERENCE = re.compile(r"\$(\$|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))")


def replace_matches(pattern: str, replacement: str, text: str) -> str:
    """Replace every match; ``$1``, ``${name}`` and ``$$`` in the replacement work as in Go."""
    if text == "":
        return ""
    compiled = compile_pattern(pattern)

    def expand(match: re.Match[str]) -> str:
        def reference(ref: re.Match[str]) -> str:
            if ref.group(1) == "$":
                return "$"
            name = ref.group(2) or ref.group(3)
            try:
                group = match.group(int(name) if name.isdigit() else name)
            except IndexError:
                return ""
            return group or ""

        return _REPLACEMENT_REFERENCE.sub(reference, replacement)

    return compiled.sub(expand, text)


def find_match(pattern: str, text: str) -> str:
    if text == "":
        return ""
    match = compile_pattern(pattern).search(text)
    return match.group(0) if match else ""


def find_submatch(pattern: str, text: str) -> str:
    if text == "":
        return ""
    match = compile_pattern(pattern).search(text)
    if not match or match.re.groups < 1:
        return ""
    return match.group(1) or ""


def _array_functions() -> dict[str, Callable[..., Any]]:
    def sorter(read: Callable[[JSONValue, str], Any]) -> Callable[[str, str, list], list]:
        def sort(key: str, order: str, items: list) -> list:
            items.sort(key=lambda item: read(item, key), reverse=order != "asc")
            return items

        return sort

    def sort_by_time(key: str, layout: str, order: str, items: list) -> list:
        def moment(item: JSONValue) -> tuple[int, int]:
            parsed = parse_glance_time(layout, item.String(key), UTC, UTC)
            return parsed.Unix(), parsed.Nanosecond()

        items.sort(key=moment, reverse=order != "asc")
        return items

    def unique(key: str, items: list) -> list:
        seen: set[str] = set()
        kept = []
        for item in items:
            value = item.String(key)
            if value not in seen:
                seen.add(value)
                kept.append(item)
        return kept

    return {
        "sortByString": sorter(lambda item, key: item.String(key)),
        "sortByInt": sorter(lambda item, key: item.Int(key)),
        "sortByFloat": sorter(lambda item, key: item.Float(key)),
        "sortByTime": sort_by_time,
        "unique": unique,
    }


def _request_functions(fetch: Fetch | None, fetch_timeout: float | None) -> dict[str, Callable[..., Any]]:
    def new_request(url: str) -> CustomAPIRequest:
        return CustomAPIRequest(url)

    def with_header(key: str, value: str, request: CustomAPIRequest) -> CustomAPIRequest:
        # Header names are case-insensitive, so a second withHeader for the same name replaces the first.
        for existing in [name for name in request.headers if name.lower() == key.lower()]:
            del request.headers[existing]
        request.headers[key] = value
        return request

    def with_parameter(key: str, value: str, request: CustomAPIRequest) -> CustomAPIRequest:
        request.parameters.append((key, value))
        return request

    def with_string_body(body: str, request: CustomAPIRequest) -> CustomAPIRequest:
        request.body = body
        return request

    def with_method(method: str, request: CustomAPIRequest) -> CustomAPIRequest:
        request.method = method.upper()
        return request

    def with_allow_insecure(*arguments: Any) -> CustomAPIRequest:
        # Both "withAllowInsecure true $request" and "withAllowInsecure $request" are accepted.
        if len(arguments) not in (1, 2) or not isinstance(arguments[-1], CustomAPIRequest):
            raise FunctionError("withAllowInsecure takes an optional bool and a request from newRequest")
        request = arguments[-1]
        request.allow_insecure = bool(arguments[0]) if len(arguments) == 2 else True
        return request

    def get_response(request: CustomAPIRequest) -> ResponseData:
        if not isinstance(request, CustomAPIRequest):
            raise FunctionError(f"getResponse needs a request from newRequest, got {type_name(request)}")
        return perform_request(request, fetch, fetch_timeout)

    return {
        "newRequest": new_request, "withHeader": with_header, "withParameter": with_parameter,
        "withStringBody": with_string_body, "withMethod": with_method, "withAllowInsecure": with_allow_insecure,
        "getResponse": get_response,
    }


def perform_request(request: CustomAPIRequest, fetch: Fetch | None, timeout: float | None) -> ResponseData:
    """Fetch a template's request; a failure gives an empty response whose Status is the error, as in Glance."""
    if fetch is None:
        raise FunctionError("getResponse is not available: this template runs without a fetch function")
    try:
        result = resolve_awaitable(fetch(request), timeout)
        check_json(result)
    except FunctionError:
        raise
    except Exception as error:  # noqa: BLE001 - the fetch callback belongs to the caller
        logger.warning("custom-api template request to %s failed: %s", _url_without_secrets(request.url), error)
        return ResponseData.empty(str(error) or type(error).__name__)
    return ResponseData.from_fetch(result)


def _url_without_secrets(url: str) -> str:
    """Return the URL without its query and user info, which often carry API keys, for the log."""
    try:
        parts = urlsplit(url)
        netloc = parts.hostname or ""
        if ":" in netloc:
            netloc = f"[{netloc}]"
        if parts.port:
            netloc += f":{parts.port}"
    except ValueError:
        return "an invalid URL"
    query = "?…" if parts.query else ""
    return f"{parts.scheme}://{netloc}{parts.path}{query}" if parts.scheme else parts.path + query


def _format_functions() -> dict[str, Callable[..., Any]]:
    def safe_css(text: str) -> CSS:
        return CSS(text)

    def safe_url(text: str) -> URL:
        return URL(text)

    def safe_html(text: str) -> HTML:
        return HTML(text)

    def abs_int(value: int) -> int:
        return abs(value)

    def format_price(price: float) -> str:
        return group_digits(sprintf("%.2f", price))

    def format_price_with_precision(precision: int, price: float) -> str:
        return group_digits(sprintf(f"%.{precision}f", price))

    return {
        "formatNumber": format_number, "formatApproxNumber": format_approx_number,
        "safeCSS": safe_css, "safeURL": safe_url, "safeHTML": safe_html, "absInt": abs_int,
        "formatPrice": format_price, "formatPriceWithPrecision": format_price_with_precision,
        "formatServerMegabytes": format_server_megabytes,
    }


def group_digits(number: str) -> str:
    """Insert thousands separators into the integer part of a formatted number."""
    match = re.match(r"([-+]?)([0-9]+)(.*)", number, re.S)
    if not match:
        return number
    sign, whole, rest = match.groups()
    return f"{sign}{int(whole):,}{rest}"


def format_number(*values: Any) -> str:
    """Print values as Go's English message printer does: numbers get thousands separators."""
    return join_operands(values, _format_localized)


def _format_localized(value: Any) -> str:
    if is_int(value):
        return group_digits(str(value))
    if isinstance(value, float):
        text = format_float(value, "g", -1)
        return text if "e" in text or not math.isfinite(value) else group_digits(text)
    return sprintf("%v", value)


def format_approx_number(count: int) -> str:
    if count < 1_000:
        return str(count)
    if count < 10_000:
        return format_float(count / 1_000, "f", 1) + "k"
    if count < 1_000_000:
        return f"{count // 1_000}k"
    return format_float(count / 1_000_000, "f", 1) + "m"


def format_server_megabytes(megabytes: int) -> HTML:
    if megabytes < 0:
        raise FunctionError(f"formatServerMegabytes needs a size of zero or more, got {megabytes}")
    if megabytes < 1_000:
        value, label = str(megabytes), "MB"
    elif megabytes < 1_000_000:
        value = format_float(megabytes / 1_000, "f", 1) if megabytes < 10_000 else str(megabytes // 1_000)
        label = "GB"
    else:
        value, label = format_float(megabytes / 1_000_000, "f", 1), "TB"
    return HTML(f'{value} <span class="color-base size-h5">{label}</span>')
