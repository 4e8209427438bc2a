from __future__ import annotations

import pytest

from luna.gotemplate import gjson

DOCUMENT = gjson.parse("""
{
  "name": {"first": "Tom", "last": "Anderson"},
  "age": 37,
  "ratio": 2.50,
  "big": 12345678901234567890,
  "count": "12",
  "flag": "true",
  "empty": null,
  "children": ["Sara", "Alex", "Jack"],
  "dotted.key": "yes",
  "friends": [
    {"first": "Dale", "last": "Murphy", "age": 44, "nets": ["ig", "fb", "tw"]},
    {"first": "Roger", "last": "Craig", "age": 68, "nets": ["fb", "tw"]},
    {"first": "Jane", "last": "Murphy", "age": 47, "nets": ["ig", "tw"]}
  ],
  "summary": {"a": {"v": 1}, "b": {"v": 2}}
}
""")

PATHS = [
    ("name.last", "Anderson"),
    ("age", "37"),
    ("ratio", "2.5"),
    ("children.1", "Alex"),
    ("children.#", "3"),
    ("friends.#.first", '["Dale","Roger","Jane"]'),
    ("friends.1.first", "Roger"),
    ('friends.#(last=="Murphy").first', "Dale"),
    ('friends.#(last=="Murphy")#.first', '["Dale","Jane"]'),
    ("friends.#(age>45)#.last", '["Craig","Murphy"]'),
    ('friends.#(first%"D*").last', "Murphy"),
    ('friends.#(first!%"D*")#.first', '["Roger","Jane"]'),
    ('friends.#(nets.#(=="fb"))#.first', '["Dale","Roger"]'),
    ('friends.#(last=="Murphy")#|#', "2"),
    ("friends|#", "3"),
    ("friends.#(last==\"Murphy\")#|0.first", "Dale"),
    ("dotted\\.key", "yes"),
    ("name.f*", "Tom"),
    ("name.?ast", "Anderson"),
    ("summary|@values|#.v", "[1,2]"),
    ("summary|@keys", '["a","b"]'),
    ("children|@reverse|0", "Jack"),
    ("empty", ""),
]


@pytest.mark.parametrize(("path", "expected"), PATHS)
def test_path_string(path: str, expected: str) -> None:
    assert DOCUMENT.get(path).string() == expected


@pytest.mark.parametrize("path", ["nope", "name.middle", "children.9", "age.x", "friends.#(age>100)", "name.#"])
def test_missing_paths_do_not_exist(path: str) -> None:
    assert not DOCUMENT.get(path).exists


def test_null_exists() -> None:
    assert DOCUMENT.get("empty").exists


def test_int_conversions() -> None:
    assert [DOCUMENT.get(p).int() for p in ("age", "ratio", "count", "flag", "name")] == [37, 2, 12, 0, 0]


def test_float_conversions() -> None:
    assert [DOCUMENT.get(p).float() for p in ("age", "ratio", "count", "name")] == [37.0, 2.5, 12.0, 0.0]


def test_bool_conversions() -> None:
    assert [DOCUMENT.get(p).bool() for p in ("flag", "age", "count", "empty")] == [True, True, False, False]


def test_big_integer_keeps_digits() -> None:
    assert DOCUMENT.get("big").string() == "12345678901234567890"


def test_array_of_scalar_is_itself() -> None:
    assert [item.string() for item in DOCUMENT.get("age").array()] == ["37"]


def test_array_of_missing_is_empty() -> None:
    assert DOCUMENT.get("nope").array() == []


def test_object_string_is_json() -> None:
    assert DOCUMENT.get("name").string() == '{"first":"Tom","last":"Anderson"}'


def test_json_lines_paths() -> None:
    text = '{"name": "Steve", "age": 30}\n{"name": "Alex", "age": 25}\n'

    assert gjson.get_lines(text, "..#.name").string() == '["Steve","Alex"]'
    assert gjson.get_lines(text, "..1.age").int() == 25
    assert gjson.get_lines(text, "..#").int() == 2


def test_invalid_json_does_not_exist() -> None:
    assert not gjson.parse("{broken").exists
