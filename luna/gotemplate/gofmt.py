"""Go's fmt.Sprint, Sprintln and Sprintf over Python values.

Verbs: %v %+v %s %q %d %b %o %x %X %c %U %e %E %f %F %g %G %t %T %p-less %%,
with the flags ``+ - # 0`` and space, widths, precisions and ``*``. A value
that does not suit its verb prints as Go prints it: ``%!d(string=abc)``;
missing and surplus arguments print ``%!d(MISSING)`` and ``%!(EXTRA int=1)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

from .values import GoStringer, format_float, format_value, is_int, type_name

_SPEC = re.compile(r"%([-+# 0]*)(\*|[0-9]+)?(?:\.(\*|[0-9]*))?(.)?", re.S)


@dataclass
class _Spec:
    minus: bool = False
    plus: bool = False
    sharp: bool = False
    space: bool = False
    zero: bool = False
    width: int | None = None
    precision: int | None = None


def sprint(*args: Any) -> str:
    return join_operands(args, format_value)


def join_operands(args: tuple[Any, ...], format_one: Callable[[Any], str]) -> str:
    """Join formatted values as fmt.Sprint does: a space only between two non-strings."""
    parts = []
    for index, arg in enumerate(args):
        if index and not isinstance(arg, str) and not isinstance(args[index - 1], str):
            parts.append(" ")
        parts.append(format_one(arg))
    return "".join(parts)


def sprintln(*args: Any) -> str:
    return " ".join(format_value(arg) for arg in args) + "\n"


def sprintf(template: str, *args: Any) -> str:
    output: list[str] = []
    position = 0
    next_arg = 0
    while True:
        start = template.find("%", position)
        if start < 0:
            output.append(template[position:])
            break
        output.append(template[position:start])
        match = _SPEC.match(template, start)
        spec, verb = _read_flags(match)
        next_arg = _star_values(match, spec, args, next_arg, output)
        position = match.end()
        if verb is None:
            output.append("%!(NOVERB)")
            break
        if verb == "%":
            output.append("%")
            continue
        if next_arg >= len(args):
            output.append(f"%!{verb}(MISSING)")
            continue
        output.append(format_arg(args[next_arg], verb, spec))
        next_arg += 1
    if next_arg < len(args):
        extras = ", ".join(f"{type_name(arg)}={format_value(arg)}" for arg in args[next_arg:])
        output.append(f"%!(EXTRA {extras})")
    return "".join(output)


def _read_flags(match: re.Match) -> tuple[_Spec, str | None]:
    flags = match.group(1)
    spec = _Spec(minus="-" in flags, plus="+" in flags, sharp="#" in flags, space=" " in flags)
    spec.zero = "0" in flags and not spec.minus
    if match.group(2) and match.group(2) != "*":
        spec.width = int(match.group(2))
    if match.group(3) is not None and match.group(3) != "*":
        spec.precision = int(match.group(3) or 0)
    return spec, match.group(4)


def _star_values(match: re.Match, spec: _Spec, args: tuple, next_arg: int, output: list[str]) -> int:
    if match.group(2) == "*":
        if next_arg < len(args) and is_int(args[next_arg]):
            spec.width = args[next_arg]
            if spec.width < 0:
                spec.minus, spec.zero, spec.width = True, False, -spec.width
        else:
            output.append("%!(BADWIDTH)")
        next_arg += 1
    if match.group(3) == "*":
        if next_arg < len(args) and is_int(args[next_arg]) and args[next_arg] >= 0:
            spec.precision = args[next_arg]
        else:
            output.append("%!(BADPREC)")
        next_arg += 1
    return next_arg


def format_arg(value: Any, verb: str, spec: _Spec) -> str:
    """Format one argument for one verb, or return Go's ``%!verb(type=value)``."""
    if verb == "T":
        return _pad(type_name(value), spec)
    if verb == "v" and not isinstance(value, (bool, int, float)):
        return _pad(_truncate(format_value(value), spec) if isinstance(value, str) else format_value(value), spec)
    if value is None:
        return f"%!{verb}(<nil>)"
    if isinstance(value, GoStringer) and verb in "sqxX" and not isinstance(value, int):
        value = value.go_string()
    if isinstance(value, (list, tuple)):
        return "[" + " ".join(format_arg(item, verb, spec) for item in value) + "]"
    if not isinstance(value, (bool, int, float, str)):
        return _pad(format_value(value), spec) if verb == "s" else f"%!{verb}({type_name(value)}={format_value(value)})"
    text = _format_typed(value, verb, spec)
    if text is None:
        return f"%!{verb}({type_name(value)}={format_value(value)})"
    return text


def _format_typed(value: Any, verb: str, spec: _Spec) -> str | None:
    if isinstance(value, bool):
        return _pad("true" if value else "false", spec) if verb in "tv" else None
    if is_int(value):
        if isinstance(value, GoStringer) and verb in "vs":
            return _pad(value.go_string(), spec)
        return _format_int(value, verb, spec)
    if isinstance(value, float):
        return _format_float(value, verb, spec)
    if isinstance(value, str):
        return _format_string(value, verb, spec)
    return None


def _format_int(value: int, verb: str, spec: _Spec) -> str | None:
    bases = {"d": 10, "v": 10, "b": 2, "o": 8, "x": 16, "X": 16}
    if verb == "c":
        return _pad(chr(value), spec)
    if verb == "q":
        return _pad(_quote_rune(value), spec)
    if verb == "U":
        return _pad(f"U+{value:04X}", spec)
    if verb in "eEfFgG":
        return None
    if verb not in bases:
        return None
    digits = _int_digits(abs(value), bases[verb], verb == "X")
    if spec.precision is not None:
        digits = "" if spec.precision == 0 and value == 0 else digits.rjust(spec.precision, "0")
    prefix = ""
    if spec.sharp and verb in "xX":
        prefix = "0" + verb
    elif spec.sharp and verb == "o" and not digits.startswith("0"):
        prefix = "0"
    sign = "-" if value < 0 else "+" if spec.plus else " " if spec.space else ""
    if spec.zero and spec.width and spec.precision is None:
        digits = digits.rjust(spec.width - len(sign) - len(prefix), "0")
    return _pad(sign + prefix + digits, spec, zero_ok=False)


def _int_digits(value: int, base: int, upper: bool) -> str:
    if base == 10:
        return str(value)
    text = {2: format(value, "b"), 8: format(value, "o"), 16: format(value, "x")}[base]
    return text.upper() if upper else text


def _format_float(value: float, verb: str, spec: _Spec) -> str | None:
    if verb not in "veEfFgGx":
        return None
    if verb == "v":
        verb = "g"
    default = -1 if verb in "gG" else 6
    precision = default if spec.precision is None else spec.precision
    text = format_float(value, verb, precision)
    if spec.sharp and "." not in text and "e" not in text.lower() and text[-1].isdigit():
        text += "."
    sign = ""
    if text.startswith("-"):
        sign, text = "-", text[1:]
    elif spec.plus:
        sign = "+"
    elif spec.space:
        sign = " "
    if spec.zero and spec.width and text[0].isdigit():
        text = text.rjust(spec.width - len(sign), "0")
    return _pad(sign + text, spec, zero_ok=False)


def _format_string(value: str, verb: str, spec: _Spec) -> str | None:
    if verb in "sv":
        return _pad(_truncate(value, spec), spec)
    if verb == "q":
        return _pad(quote(_truncate(value, spec), ascii_only=spec.plus), spec)
    if verb in "xX":
        data = value.encode()
        if spec.precision is not None:
            data = data[: spec.precision]
        text = data.hex(" ") if spec.space else data.hex()
        if spec.sharp and text:
            text = "0x" + text.replace(" ", " 0x") if spec.space else "0x" + text
        return _pad(text.upper() if verb == "X" else text, spec)
    return None


def _truncate(value: str, spec: _Spec) -> str:
    return value if spec.precision is None else value[: spec.precision]


def _pad(text: str, spec: _Spec, zero_ok: bool = True) -> str:
    if not spec.width or len(text) >= spec.width:
        return text
    if spec.minus:
        return text.ljust(spec.width)
    # Go pads strings with zeros too when the 0 flag is set ("%05s" gives "000ab").
    return text.rjust(spec.width, "0" if spec.zero and zero_ok else " ")


_ESCAPES = {"\a": r"\a", "\b": r"\b", "\f": r"\f", "\n": r"\n", "\r": r"\r", "\t": r"\t", "\v": r"\v",
            "\\": "\\\\"}


def quote(value: str, ascii_only: bool = False, mark: str = '"') -> str:
    """Quote a string as Go's strconv.Quote does."""
    output = [mark]
    for char in value:
        if char == mark:
            output.append("\\" + char)
        elif char in _ESCAPES:
            output.append(_ESCAPES[char])
        elif char.isprintable() and (not ascii_only or ord(char) < 128):
            output.append(char)
        elif ord(char) < 0x80:
            output.append(f"\\x{ord(char):02x}")
        elif ord(char) <= 0xFFFF:
            output.append(f"\\u{ord(char):04x}")
        else:
            output.append(f"\\U{ord(char):08x}")
    output.append(mark)
    return "".join(output)


def _quote_rune(value: int) -> str:
    try:
        char = chr(value)
    except ValueError:
        char = "\ufffd"
    return quote(char, mark="'")
