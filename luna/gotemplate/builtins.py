"""The functions every Go template has: comparisons, len, index, slice, print and escapers."""

from __future__ import annotations

from typing import Any, Callable
from urllib.parse import quote_plus

from .errors import FunctionError
from .escape import escape_html
from .gofmt import sprint, sprintf, sprintln
from .values import MISSING, is_int, is_true, type_name

# and, or and call are listed so the parser knows them; the executor runs
# them itself because they evaluate arguments lazily or call a value.
SPECIAL_FORMS = ("and", "or", "call")


def _basic_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if is_int(value):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    return ""


def _is_nil(value: Any) -> bool:
    return value is None or value is MISSING


def eq(first: Any, *others: Any) -> bool:
    """Report whether the first value equals any of the others, as Go's eq does.

    Values of different basic kinds (int and float, say) are an error, except
    that nil compares unequal to everything but nil.
    """
    if not others:
        raise FunctionError("missing argument for comparison")
    for other in others:
        first_kind, other_kind = _basic_kind(first), _basic_kind(other)
        if first_kind != other_kind:
            if not _is_nil(first) and not _is_nil(other):
                raise FunctionError(f"incompatible types for comparison: {type_name(first)} and {type_name(other)}")
            continue
        if _equal(first, other):
            return True
    return False


def _equal(first: Any, other: Any) -> bool:
    if _is_nil(first) or _is_nil(other):
        return _is_nil(first) == _is_nil(other)
    if isinstance(first, (list, tuple, dict)) or isinstance(other, (list, tuple, dict)):
        raise FunctionError(f"non-comparable type {type_name(first)}")
    return bool(first == other)


def ne(first: Any, second: Any) -> bool:
    return not eq(first, second)


def _ordered(first: Any, second: Any) -> tuple[Any, Any]:
    first_kind, second_kind = _basic_kind(first), _basic_kind(second)
    if first_kind in ("", "bool") or second_kind in ("", "bool"):
        raise FunctionError(f"invalid type for comparison: {type_name(first if first_kind in ('', 'bool') else second)}")
    if first_kind != second_kind:
        raise FunctionError(f"incompatible types for comparison: {type_name(first)} and {type_name(second)}")
    return first, second


def lt(first: Any, second: Any) -> bool:
    a, b = _ordered(first, second)
    return bool(a < b)


def le(first: Any, second: Any) -> bool:
    a, b = _ordered(first, second)
    return bool(a <= b)


def gt(first: Any, second: Any) -> bool:
    a, b = _ordered(first, second)
    return bool(a > b)


def ge(first: Any, second: Any) -> bool:
    a, b = _ordered(first, second)
    return bool(a >= b)


def not_(value: Any) -> bool:
    return not is_true(value)


def length(value: Any) -> int:
    """Return len as Go counts it: bytes of a string, items of a slice or map."""
    if isinstance(value, str):
        return len(value.encode())
    if isinstance(value, (list, tuple, dict)):
        return len(value)
    raise FunctionError(f"len of type {type_name(value)}")


def index(value: Any, *keys: Any) -> Any:
    """Index slices by int and maps by key, one level per key; a missing map key gives nil."""
    for key in keys:
        value = _index_once(value, key)
    return value


def _index_once(value: Any, key: Any) -> Any:
    if value is None or value is MISSING:
        raise FunctionError("index of untyped nil")
    if isinstance(value, dict):
        return value.get(key)
    if isinstance(value, (list, tuple, str)):
        if not is_int(key):
            raise FunctionError(f"cannot index slice/array with type {type_name(key)}")
        if not 0 <= key < len(value):
            raise FunctionError(f"index out of range: {key}")
        item = value[key]
        return item.encode()[0] if isinstance(value, str) else item
    raise FunctionError(f"can't index item of type {type_name(value)}")


def slice_(value: Any, *bounds: Any) -> Any:
    """Slice a string or list as Go's slice x 1 2 means x[1:2]."""
    if len(bounds) > 3 or (isinstance(value, str) and len(bounds) > 2):
        raise FunctionError(f"too many slice indexes: {len(bounds)}")
    if not isinstance(value, (str, list, tuple)):
        raise FunctionError(f"can't slice item of type {type_name(value)}")
    if any(not is_int(bound) for bound in bounds):
        raise FunctionError("cannot slice with a non-integer index")
    start = bounds[0] if bounds else 0
    end = bounds[1] if len(bounds) > 1 else len(value)
    if not 0 <= start <= end <= len(value):
        raise FunctionError(f"slice index out of range: [{start}:{end}] with length {len(value)}")
    if isinstance(value, str):
        return value.encode()[start:end].decode(errors="replace")
    return list(value[start:end])


def html_escaper(*args: Any) -> str:
    # Go's HTMLEscapeString leaves "+" alone; only html/template's escaper encodes it.
    return escape_html(sprint(*args)).replace("&#43;", "+")


def js_escaper(*args: Any) -> str:
    """Escape as Go's JSEscapeString: quotes and backslash escaped, <>&= as \\uXXXX."""
    output = []
    for char in sprint(*args):
        if char in "\\'\"":
            output.append("\\" + char)
        elif char in "<>&=" or ord(char) < 0x20:
            output.append(f"\\u{ord(char):04X}")
        else:
            output.append(char)
    return "".join(output)


def urlquery_escaper(*args: Any) -> str:
    return quote_plus(sprint(*args), safe="-_.~")


def _placeholder(*args: Any) -> Any:
    raise FunctionError("this function runs inside the executor")


BUILTINS: dict[str, Callable[..., Any]] = {
    "and": _placeholder,
    "or": _placeholder,
    "call": _placeholder,
    "not": not_,
    "eq": eq,
    "ne": ne,
    "lt": lt,
    "le": le,
    "gt": gt,
    "ge": ge,
    "len": length,
    "index": index,
    "slice": slice_,
    "print": sprint,
    "printf": sprintf,
    "println": sprintln,
    "html": html_escaper,
    "js": js_escaper,
    "urlquery": urlquery_escaper,
}
