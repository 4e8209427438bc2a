"""A GJSON path evaluator: the path syntax and value conversions of Go's tidwall/gjson.

Glance's custom-api templates select data with GJSON paths, so luna needs
them to behave as in Go. The one GJSON library on PyPI (gjson-py) is
GPL-3.0-licensed while luna is MIT, and it works on decoded Python objects,
raising on a missing key where Go's gjson returns an empty result; so this
module implements the subset templates use:

- keys and indexes joined by ``.``, with ``\\`` escapes and ``*``/``?`` wildcards;
- ``#`` (array length), ``#.key`` (the key of every element);
- queries ``#(key==value)`` (first match) and ``#(…)#`` (all matches), with
  ``== = != < <= > >= % !%``, nested paths and queries on the element itself;
- ``|`` pipes, ``..`` for JSON Lines, and the modifiers ``@this @reverse
  @keys @values @flatten @pretty @ugly @valid``.

NOTE: multipaths (``[a,b]``, ``{a,b}``), literals (``!true``), modifier
arguments and ``@join``/``@tostr``/``@fromstr`` are not implemented and yield
a result that does not exist. ``String`` of an object or array returns
compact JSON, where Go returns the text as it appeared in the response.
"""

from __future__ import annotations

import fnmatch
import json
import math
from dataclasses import dataclass
from typing import Any

from .values import format_float

_QUERY_OPERATORS = ("==", "!=", "<=", ">=", "!%", "=", "<", ">", "%")


@dataclass(frozen=True)
class Number:
    """A JSON number that keeps its text, as gjson's Result.Raw does."""

    raw: str

    @property
    def value(self) -> float:
        return float(self.raw)


class Result:
    """A value found by a path, or a result that does not exist."""

    __slots__ = ("value", "exists")

    def __init__(self, value: Any = None, exists: bool = True) -> None:
        self.value = value
        self.exists = exists

    def __repr__(self) -> str:
        return f"Result({self.raw()!r})" if self.exists else "Result(<none>)"

    def raw(self) -> str:
        if not self.exists:
            return ""
        return json.dumps(_plain(self.value), separators=(",", ":"), ensure_ascii=False)

    def string(self) -> str:
        value = self.value
        if not self.exists or value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, Number):
            digits = value.raw.lstrip("-")
            return value.raw if digits.isdigit() else format_float(value.value, "f", -1)
        if isinstance(value, str):
            return value
        return self.raw()

    def int(self) -> int:
        value = self.value
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, Number):
            return _number_to_int(value)
        if isinstance(value, str):
            return _parse_int(value)
        return 0

    def float(self) -> float:
        value = self.value
        if isinstance(value, bool):
            return float(value)
        if isinstance(value, Number):
            return value.value
        if isinstance(value, str):
            try:
                return float(value.strip())
            except ValueError:
                return 0.0
        return 0.0

    def bool(self) -> bool:
        value = self.value
        if isinstance(value, bool):
            return value
        if isinstance(value, Number):
            return value.value != 0
        if isinstance(value, str):
            return value in ("1", "t", "T", "TRUE", "true", "True")
        return False

    def array(self) -> list["Result"]:
        """Return the elements; a scalar gives itself alone, null or nothing an empty list."""
        if not self.exists or self.value is None:
            return []
        if isinstance(self.value, list):
            return [Result(item) for item in self.value]
        return [self]

    def get(self, path: str) -> "Result":
        if not self.exists:
            return _NONE
        return get(self.value, path)


_NONE = Result(None, exists=False)


def _plain(value: Any) -> Any:
    if isinstance(value, Number):
        number = value.value
        return int(value.raw) if value.raw.lstrip("-").isdigit() else number
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def _number_to_int(number: Number) -> int:
    value = number.value
    if math.isfinite(value) and abs(value) <= 9007199254740991:
        return int(value)
    parsed = _parse_int(number.raw)
    if parsed or number.raw.lstrip("-") == "0":
        return parsed
    return int(value) if math.isfinite(value) else 0


def _parse_int(text: str) -> int:
    body = text[1:] if text.startswith("-") else text
    if not body.isdigit() or not body.isascii():
        return 0
    return int(text)


def parse(text: str) -> Result:
    """Decode JSON text, keeping number text; invalid JSON gives a result that does not exist."""
    try:
        return Result(json.loads(text, parse_float=Number, parse_int=Number, parse_constant=Number))
    except ValueError:
        return _NONE


def is_valid(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def parse_lines(text: str) -> list[Result]:
    """Decode the JSON values of a JSON Lines text, one after another."""
    decoder = json.JSONDecoder(parse_float=Number, parse_int=Number, parse_constant=Number)
    values = []
    position = 0
    while True:
        while position < len(text) and text[position] in " \t\r\n":
            position += 1
        if position >= len(text):
            return values
        try:
            value, position = decoder.raw_decode(text, position)
        except ValueError:
            return values
        values.append(Result(value))


def get_lines(text: str, path: str) -> Result:
    """Evaluate a path that starts with ``..`` over the values of a JSON Lines text."""
    return get([result.value for result in parse_lines(text)], path[2:])


# Path evaluation


def get(value: Any, path: str) -> Result:
    if not path:
        return _NONE
    if path.startswith(".."):
        # Outside a JSON Lines text, the value is the only line.
        return get([value], path[2:])
    component, separator, rest = _split_component(path)
    if component.startswith("@"):
        found = _modifier(value, component)
    elif isinstance(value, list):
        return _get_in_array(value, component, separator, rest)
    elif isinstance(value, dict):
        found = _get_in_object(value, component)
    else:
        return _NONE
    if not found.exists or not separator:
        return found
    return get(found.value, rest)


def _split_component(path: str) -> tuple[str, str, str]:
    """Split off the first component; queries keep their dots and pipes inside parentheses."""
    index = 0
    depth = 0
    quote = False
    while index < len(path):
        char = path[index]
        if char == "\\":
            index += 2
            continue
        if quote:
            quote = char != '"'
        elif char == '"' and depth:
            quote = True
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif depth == 0 and char in ".|":
            return path[:index], char, path[index + 1:]
        index += 1
    return path, "", ""


def _unescape(key: str) -> str:
    output = []
    index = 0
    while index < len(key):
        if key[index] == "\\" and index + 1 < len(key):
            index += 1
        output.append(key[index])
        index += 1
    return "".join(output)


def _has_wildcard(key: str) -> bool:
    index = 0
    while index < len(key):
        if key[index] == "\\":
            index += 2
            continue
        if key[index] in "*?":
            return True
        index += 1
    return False


def _get_in_object(mapping: dict, component: str) -> Result:
    if _has_wildcard(component):
        pattern = component.replace("[", "[[]")
        for key, item in mapping.items():
            if fnmatch.fnmatchcase(key, pattern):
                return Result(item)
        return _NONE
    key = _unescape(component)
    if key in mapping:
        return Result(mapping[key])
    return _NONE


def _get_in_array(items: list, component: str, separator: str, rest: str) -> Result:
    if component == "#":
        if separator == ".":
            mapped = [get(item, rest) for item in items]
            return Result([result.value for result in mapped if result.exists])
        found = Result(Number(str(len(items))))
    elif component.startswith(("#(", "#[")):
        return _query(items, component, separator, rest)
    elif component.isdigit():
        position = int(component)
        found = Result(items[position]) if position < len(items) else _NONE
    else:
        return _NONE
    if not found.exists or not separator:
        return found
    return get(found.value, rest)


def _query(items: list, component: str, separator: str, rest: str) -> Result:
    match_all = component.endswith("#")
    body = component[2:-2] if match_all else component[2:-1]
    key, operator, expected = _parse_query(body)
    matches = [item for item in items if _query_matches(item, key, operator, expected)]
    if not match_all:
        if not matches:
            return _NONE
        found = Result(matches[0])
        return get(found.value, rest) if separator else found
    if separator == ".":
        mapped = [get(item, rest) for item in matches]
        return Result([result.value for result in mapped if result.exists])
    found = Result(matches)
    return get(found.value, rest) if separator == "|" else found


def _parse_query(body: str) -> tuple[str, str, Any]:
    quote = False
    depth = 0
    for index, char in enumerate(body):
        if char == '"' and (index == 0 or body[index - 1] != "\\"):
            quote = not quote
        if quote:
            continue
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif depth == 0:
            for operator in _QUERY_OPERATORS:
                if body.startswith(operator, index):
                    return body[:index].strip(), operator, _query_value(body[index + len(operator):].strip())
    return body.strip(), "", None


def _query_value(text: str) -> Any:
    if text.startswith('"'):
        try:
            return json.loads(text)
        except ValueError:
            return text.strip('"')
    if text in ("true", "false"):
        return text == "true"
    try:
        return Number(str(float(text)) if text not in ("", "null") else "nan")
    except ValueError:
        return None


def _query_matches(item: Any, key: str, operator: str, expected: Any) -> bool:
    target = get(item, key) if key else Result(item)
    if not target.exists:
        return False
    if not operator:
        return True
    value = target.value
    if isinstance(expected, str) and isinstance(value, str):
        return _compare_strings(value, operator, expected)
    if isinstance(expected, Number) and isinstance(value, Number):
        return _compare(value.value, operator, expected.value)
    if isinstance(expected, bool) and isinstance(value, bool):
        return _compare(value, operator, expected)
    return False


def _compare_strings(value: str, operator: str, expected: str) -> bool:
    if operator == "%":
        return fnmatch.fnmatchcase(value, expected.replace("[", "[[]"))
    if operator == "!%":
        return not fnmatch.fnmatchcase(value, expected.replace("[", "[[]"))
    return _compare(value, operator, expected)


def _compare(value: Any, operator: str, expected: Any) -> bool:
    if operator in ("==", "="):
        return value == expected
    if operator == "!=":
        return value != expected
    if isinstance(value, bool):
        return False
    return {"<": value < expected, "<=": value <= expected, ">": value > expected,
            ">=": value >= expected}.get(operator, False)


def _modifier(value: Any, component: str) -> Result:
    name = component[1:].split(":", 1)[0]
    if name in ("this", "pretty", "ugly", "valid"):
        return Result(value)
    if name == "reverse":
        if isinstance(value, list):
            return Result(list(reversed(value)))
        if isinstance(value, dict):
            return Result(dict(reversed(list(value.items()))))
        return Result(value)
    if name == "keys" and isinstance(value, dict):
        return Result(list(value))
    if name == "values" and isinstance(value, dict):
        return Result(list(value.values()))
    if name == "flatten" and isinstance(value, list):
        flat: list[Any] = []
        for item in value:
            flat.extend(item if isinstance(item, list) else [item])
        return Result(flat)
    return _NONE
