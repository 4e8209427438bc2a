"""Go's view of Python values: type names, truth, printing with %v, comparison.

Templates see Python values through Go's rules. The mapping is:
``None`` is nil, ``bool`` is bool, ``int`` is int (64-bit in Go; Python
ints do not wrap), ``float`` is float64, ``str`` is string, ``list`` and
``tuple`` are slices, ``dict`` is a map. Any other object is a struct whose
exported members are its attributes that start with an upper-case letter,
as Go exports only those names.
"""

from __future__ import annotations

import math
from typing import Any

MISSING = type("MissingValue", (), {"__repr__": lambda self: "<no value>"})()
"""The value of a map key that is absent; Go prints it as ``<no value>``."""


class GoStringer:
    """A value that prints through a ``String()`` method, like Go's fmt.Stringer."""

    def go_string(self) -> str:
        raise NotImplementedError


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    return is_int(value) or isinstance(value, float)


def type_name(value: Any) -> str:
    """Return the Go type name that %T and error messages show for a value."""
    if value is None or value is MISSING:
        return "<nil>"
    named = getattr(value, "go_type_name", None)
    if isinstance(named, str):
        return named
    if isinstance(value, bool):
        return "bool"
    if is_int(value):
        return "int"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "[]interface {}"
    if isinstance(value, dict):
        return "map[string]interface {}"
    if callable(value):
        return "func"
    return type(value).__name__


def is_true(value: Any) -> bool:
    """Apply Go's truth rule: zero values and empty collections are false, structs true."""
    if value is None or value is MISSING:
        return False
    if isinstance(value, (bool, int, float, str, list, tuple, dict)):
        return bool(value)
    truth = getattr(value, "go_truth", None)
    if callable(truth):
        return bool(truth())
    return True


def format_float(value: float, verb: str = "g", precision: int = -1) -> str:
    """Format a float as Go's strconv.FormatFloat does for 'e', 'f' and 'g'."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if verb in "eE":
        text = _format_exponent(value, precision)
        return text.upper() if verb == "E" else text
    if verb in "fF":
        return _format_fixed(value, precision)
    text = _format_general(value, precision)
    return text.upper() if verb == "G" else text


def _shortest_digits(value: float) -> tuple[str, int]:
    """Return the shortest round-trip digits of |value| and its decimal exponent.

    The exponent is the position of the decimal point: 1.5 gives ("15", 1).
    """
    text = repr(abs(value))
    mantissa, _, exponent = text.partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = (whole + fraction).lstrip("0")
    point = len(whole) + (int(exponent) if exponent else 0)
    point -= len(whole + fraction) - len((whole + fraction).lstrip("0"))
    digits = digits.rstrip("0") or "0"
    if digits == "0":
        point = 1
    return digits, point


def _format_fixed(value: float, precision: int) -> str:
    if precision >= 0:
        return f"{value:.{precision}f}"
    digits, point = _shortest_digits(value)
    sign = "-" if math.copysign(1.0, value) < 0 else ""
    if point <= 0:
        return sign + "0." + "0" * -point + digits
    if point >= len(digits):
        return sign + digits + "0" * (point - len(digits))
    return sign + digits[:point] + "." + digits[point:]


def _format_exponent(value: float, precision: int) -> str:
    if precision >= 0:
        text = f"{value:.{precision}e}"
    else:
        digits, point = _shortest_digits(value)
        sign = "-" if math.copysign(1.0, value) < 0 else ""
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        exponent = point - 1 if digits != "0" else 0
        text = f"{sign}{mantissa}e{exponent:+03d}"
    return text


def _format_general(value: float, precision: int) -> str:
    """Go's %g: with no precision, shortest digits and exponent form from 1e+06 or below 1e-04."""
    if precision >= 0:
        return f"{value:.{max(precision, 1)}g}"
    digits, point = _shortest_digits(value)
    exponent = point - 1
    if digits != "0" and (exponent < -4 or exponent >= 6):
        return _format_exponent(value, -1)
    return _format_fixed(value, -1)


def format_value(value: Any, nested: bool = False) -> str:
    """Format a value as Go's fmt %v does."""
    if value is MISSING:
        return "<no value>"
    if value is None:
        return "<nil>"
    if isinstance(value, GoStringer):
        return value.go_string()
    if isinstance(value, bool):
        return "true" if value else "false"
    if is_int(value) or isinstance(value, str):
        return str(value) if not isinstance(value, str) else value
    if isinstance(value, float):
        return format_float(value, "g", -1)
    if isinstance(value, (list, tuple)):
        return "[" + " ".join(format_value(item, True) for item in value) + "]"
    if isinstance(value, dict):
        pairs = (f"{format_value(k, True)}:{format_value(value[k], True)}" for k in sort_keys(value))
        return "map[" + " ".join(pairs) + "]"
    return str(value)


def sort_keys(mapping: dict) -> list:
    """Order map keys as Go's fmt and range do: numbers and strings ascending."""
    try:
        return sorted(mapping)
    except TypeError:
        return sorted(mapping, key=lambda key: (type(key).__name__, str(key)))
