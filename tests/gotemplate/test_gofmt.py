from __future__ import annotations

import pytest

from luna.gotemplate.gofmt import sprint, sprintf
from luna.gotemplate.values import format_float, format_value

PRINTF_CASES = [
    ("%d", (42,), "42"),
    ("%5d|%-5d|%05d", (42, 42, -42), "   42|42   |-0042"),
    ("%+d % d", (5, 5), "+5  5"),
    ("%s", ("text",), "text"),
    ("%10s|%-10s|", ("ab", "ab"), "        ab|ab        |"),
    ("%.2s", ("héllo",), "hé"),
    ("%03s", ("7",), "007"),
    ("%v %v %v %v", (1, 2.5, "s", True), "1 2.5 s true"),
    ("%v", ([1, "a", 2.5],), "[1 a 2.5]"),
    ("%f", (3.14159,), "3.141590"),
    ("%.2f", (2.675,), "2.67"),
    ("%.0f", (2.5,), "2"),
    ("%8.3f|%-8.1f|%08.2f", (3.14159, 3.14159, -3.14159), "   3.142|3.1     |-0003.14"),
    ("%e %E", (1234.5678, 0.000123), "1.234568e+03 1.230000E-04"),
    ("%g %g %g %.3g", (100000.0, 1e6, 0.0001, 1234.5678), "100000 1e+06 0.0001 1.23e+03"),
    ("%q", ('say "hi"\n',), '"say \\"hi\\"\\n"'),
    ("%x %X %#x %o %b", (255, 255, 255, 8, 5), "ff FF 0xff 10 101"),
    ("%x", ("hi",), "6869"),
    ("%t", (False,), "false"),
    ("%c %U", (65, 0x1F600), "A U+1F600"),
    ("%%", (), "%"),
    ("%*d", (5, 1), "    1"),
    ("%T %T %T %T", (1, 1.0, "s", None), "int float64 string <nil>"),
]


@pytest.mark.parametrize(("template", "args", "expected"), PRINTF_CASES)
def test_printf_matches_go(template: str, args: tuple, expected: str) -> None:
    assert sprintf(template, *args) == expected


def test_printf_wrong_type() -> None:
    assert sprintf("%d|%s|%f", "x", 5, 1) == "%!d(string=x)|%!s(int=5)|%!f(int=1)"


def test_printf_missing_argument() -> None:
    assert sprintf("%d and %d", 1) == "1 and %!d(MISSING)"


def test_printf_extra_argument() -> None:
    assert sprintf("%d", 1, "x") == "1%!(EXTRA string=x)"


def test_printf_nil_with_verb() -> None:
    assert sprintf("%s", None) == "%!s(<nil>)"


def test_sprint_spaces_between_non_strings() -> None:
    assert sprint(1, 2, "a", 3, "b", "c") == "1 2a3bc"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1.0, "1"), (0.1, "0.1"), (123456.0, "123456"), (1e6, "1e+06"), (-2.5e-5, "-2.5e-05"), (1e21, "1e+21"),
     (float("nan"), "NaN"), (float("inf"), "+Inf"), (float("-inf"), "-Inf")],
)
def test_float_prints_as_go(value: float, expected: str) -> None:
    assert format_value(value) == expected


def test_fixed_shortest_float() -> None:
    assert format_float(1e21, "f", -1) == "1000000000000000000000"


def test_nil_and_collections_print() -> None:
    assert format_value([None, {"k": True}]) == "[<nil> map[k:true]]"
