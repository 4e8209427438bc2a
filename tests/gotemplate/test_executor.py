from __future__ import annotations

from dataclasses import dataclass

import pytest

from luna.gotemplate import LimitExceeded, TemplateExecError, parse


def run(source: str, data=None, **kwargs) -> str:
    return parse(source, name="t", autoescape=False, **kwargs).execute(data)


def exec_error(source: str, data=None, **kwargs) -> TemplateExecError:
    with pytest.raises(TemplateExecError) as caught:
        run(source, data, **kwargs)
    return caught.value


@dataclass
class User:
    Name: str
    Tags: list
    secret: str = "hidden"

    def Greeting(self, greeting: str) -> str:
        return f"{greeting}, {self.Name}"

    def Friend(self) -> "User":
        return User("Bo", [])


def test_field_and_method_chain() -> None:
    user = User("Al", ["a"])

    assert run('{{ .Name }} {{ .Greeting "Hi" }} {{ .Friend.Name }}', user) == "Al Hi, Al Bo"


def test_lowercase_attribute_not_exported() -> None:
    error = exec_error("{{ .secret }}", User("Al", []))

    assert "can't evaluate field secret" in error.message


def test_map_keys_by_field_syntax() -> None:
    assert run("{{ .a.b }}", {"a": {"b": 7}}) == "7"


def test_missing_map_key_prints_no_value() -> None:
    assert run("{{ .nope }}", {}) == "<no value>"


def test_field_on_nil_is_error() -> None:
    error = exec_error("line\n{{ .A.B }}", {"A": None})

    assert (error.line, error.column) == (2, 4)
    assert "nil pointer evaluating interface {}.B" in error.message


def test_parenthesised_pipeline_chain() -> None:
    assert run('{{ (index . 0).Name }}', [User("Cy", [])]) == "Cy"


def test_pipeline_passes_last_argument() -> None:
    assert run('{{ "x" | printf "%s-%s" "a" }}') == "a-x"


def test_variables_declare_and_assign() -> None:
    source = "{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ $y := 3 }}{{ $y }}{{ end }}{{ $x }}"

    assert run(source) == "32"


def test_root_variable_inside_range() -> None:
    assert run("{{ range .L }}{{ $.P }}{{ . }}{{ end }}", {"L": [1, 2], "P": "-"}) == "-1-2"


def test_range_variable_scope_resets() -> None:
    source = "{{ $v := 0 }}{{ range $v = .L }}{{ end }}{{ $v }}|{{ range $i, $e := .L }}{{ $i }}{{ $e }}{{ end }}"

    assert run(source, {"L": ["a", "b"]}) == "b|0a1b"


def test_range_one_variable_gets_element() -> None:
    assert run("{{ range $e := .L }}{{ $e }}{{ end }}", {"L": ["a", "b"]}) == "ab"


def test_range_map_sorted_keys() -> None:
    assert run("{{ range $k, $v := . }}{{ $k }}={{ $v }};{{ end }}", {"b": 2, "c": 3, "a": 1}) == "a=1;b=2;c=3;"


def test_range_integer_counts() -> None:
    assert run("{{ range $i := 3 }}{{ $i }}{{ end }}|{{ range 0 }}x{{ else }}none{{ end }}") == "012|none"


def test_range_else_on_empty() -> None:
    assert run("{{ range .L }}x{{ else }}empty{{ end }}", {"L": []}) == "empty"


def test_range_over_nil_runs_else() -> None:
    assert run("{{ range .L }}x{{ else }}nil{{ end }}", {"L": None}) == "nil"


def test_range_over_string_is_error() -> None:
    error = exec_error("{{ range .S }}{{ end }}", {"S": "abc"})

    assert "range can't iterate over abc" in error.message


def test_break_and_continue() -> None:
    source = "{{ range . }}{{ if eq . 2 }}{{ continue }}{{ end }}{{ if eq . 4 }}{{ break }}{{ end }}{{ . }}{{ end }}"

    assert run(source, [1, 2, 3, 4, 5]) == "13"


def test_if_else_if_chain() -> None:
    source = "{{ if eq . 1 }}one{{ else if eq . 2 }}two{{ else }}many{{ end }}"

    assert [run(source, n) for n in (1, 2, 3)] == ["one", "two", "many"]


def test_with_sets_dot_and_else_with() -> None:
    source = "{{ with .A }}a={{ . }}{{ else with .B }}b={{ . }}{{ else }}none{{ end }}"

    assert [run(source, d) for d in ({"A": 1}, {"A": 0, "B": 2}, {})] == ["a=1", "b=2", "none"]


def test_truthiness_follows_go() -> None:
    values = [0, 0.0, "", [], {}, None, False, 1, "0", [0], User("", [])]
    source = "{{ range . }}{{ if . }}T{{ else }}F{{ end }}{{ end }}"

    assert run(source, values) == "FFFFFFFTTTT"


def test_and_or_return_operands() -> None:
    assert run('{{ and 1 "x" }} {{ and 1 0 2 }} {{ or 0 "" "y" }} {{ or 0 "" }}') == "x 0 y "


def test_and_short_circuits() -> None:
    assert run("{{ and .A .A.B }}", {"A": None}) == "<nil>"


def test_or_short_circuits() -> None:
    assert run("{{ or 1 .A.B }}", {"A": None}) == "1"


def test_eq_several_arguments() -> None:
    assert run("{{ eq 3 1 2 3 }} {{ eq 3 1 2 }}") == "true false"


def test_eq_int_float_is_error() -> None:
    error = exec_error("{{ eq 1 1.0 }}")

    assert "incompatible types for comparison" in error.message


def test_eq_nil_is_false() -> None:
    assert run('{{ eq .Missing "x" }}', {}) == "false"


def test_ordering_comparisons() -> None:
    assert run('{{ lt 1 2 }} {{ le 2 2 }} {{ gt "b" "a" }} {{ ge 1.5 2.5 }} {{ ne 1 2 }}') == "true true true false true"


def test_lt_on_bool_is_error() -> None:
    error = exec_error("{{ lt true false }}")

    assert "invalid type for comparison" in error.message


def test_not_and_len() -> None:
    assert run('{{ not 0 }} {{ len "héllo" }} {{ len .L }} {{ len .M }}', {"L": [1, 2], "M": {"a": 1}}) == "true 6 2 1"


def test_index_nested() -> None:
    assert run('{{ index .M "a" 1 }} {{ index .M "zz" }}', {"M": {"a": [5, 6]}}) == "6 <nil>"


def test_index_out_of_range() -> None:
    error = exec_error("{{ index .L 5 }}", {"L": [1]})

    assert "index out of range: 5" in error.message


def test_slice_strings_and_lists() -> None:
    assert run('{{ slice "abcdef" 1 3 }} {{ slice .L 1 }}', {"L": [1, 2, 3]}) == "bc [2 3]"


def test_print_println_spacing() -> None:
    assert run('{{ print 1 2 "a" "b" 3 }}|{{ println "a" 1 }}') == "1 2ab3|a 1\n"


def test_html_js_urlquery_functions() -> None:
    source = """{{ html "<a href='x'>" }} {{ js "it's <b>" }} {{ urlquery "a b&c" }}"""

    assert run(source) == "&lt;a href=&#39;x&#39;&gt; it\\'s \\u003Cb\\u003E a+b%26c"


def test_call_invokes_function_value() -> None:
    assert run("{{ call .F 2 3 }}", {"F": lambda a, b: a * b}) == "6"


def test_wrong_argument_count() -> None:
    error = exec_error("{{ len 1 2 }}")

    assert error.message.endswith("wrong number of args for len: want 1 got 2")


def test_wrong_argument_type() -> None:
    def double(number: int) -> int:
        return number * 2

    error = exec_error('{{ double "x" }}', functions={"double": double})

    assert "expected int; got string" in error.message


def test_number_constant_converts_to_float_parameter() -> None:
    def half(number: float) -> float:
        return number / 2

    assert run("{{ half 3 }}", functions={"half": half}) == "1.5"


def test_int_value_rejected_by_float_parameter() -> None:
    def half(number: float) -> float:
        return number / 2

    error = exec_error("{{ half .N }}", {"N": 3}, functions={"half": half})

    assert "expected float64; got int" in error.message


def test_function_exception_becomes_error() -> None:
    def boom() -> str:
        raise ValueError("bad input")

    error = exec_error("{{ boom }}", functions={"boom": boom})

    assert error.message.endswith("error calling boom: bad input")


def test_argument_to_non_function() -> None:
    error = exec_error("{{ 1 2 }}")

    assert "can't give argument to non-function 1" in error.message


def test_whitespace_trimming() -> None:
    assert run("a  {{- 1 -}}  \n b {{- /* note */ -}} c") == "a1bc"


def test_trim_marker_needs_space() -> None:
    assert run("{{-3}}") == "-3"


def test_comments_produce_nothing() -> None:
    assert run("x{{/* a comment */}}y") == "xy"


def test_define_and_template() -> None:
    source = '{{ define "item" }}<{{ . }}>{{ end }}{{ range . }}{{ template "item" . }}{{ end }}'

    assert run(source, [1, 2]) == "<1><2>"


def test_template_has_own_root_variable() -> None:
    source = '{{ define "t" }}{{ $ }}{{ end }}{{ template "t" "inner" }}'

    assert run(source, "outer") == "inner"


def test_block_defines_and_runs() -> None:
    assert run('{{ block "b" . }}[{{ . }}]{{ end }}', 5) == "[5]"


def test_unknown_template_is_error() -> None:
    error = exec_error('{{ template "nope" }}')

    assert "no such template 'nope'" in error.message


def test_recursion_depth_is_bounded() -> None:
    source = '{{ define "loop" }}{{ template "loop" . }}{{ end }}{{ template "loop" . }}'

    with pytest.raises(LimitExceeded) as caught:
        run(source, max_depth=20)

    assert "maximum template depth (20)" in caught.value.message


def test_output_limit_stops_execution() -> None:
    with pytest.raises(LimitExceeded) as caught:
        parse("{{ range 1000 }}0123456789{{ end }}").execute(max_output=100)

    assert "limit of 100 characters" in caught.value.message


def test_deadline_stops_execution() -> None:
    ticks = iter(range(1_000_000))
    template = parse("{{ range 1000 }}x{{ end }}", timer=lambda: next(ticks))

    with pytest.raises(LimitExceeded) as caught:
        template.execute(timeout=50)

    assert "time limit" in caught.value.message


def test_limits_allow_normal_output() -> None:
    ticks = iter(range(1_000_000))
    template = parse("{{ range 3 }}x{{ end }}", timer=lambda: next(ticks))

    assert template.execute(timeout=1000, max_output=3) == "xxx"


def test_float_output_uses_go_format() -> None:
    assert run("{{ . }}", [1.0, 2.5, 1e6, 1234567.0, 0.00001]) == "[1 2.5 1e+06 1.234567e+06 1e-05]"


def test_map_printing_sorted() -> None:
    assert run("{{ . }}", {"b": 1, "a": [1, "x"]}) == "map[a:[1 x] b:1]"


@pytest.mark.asyncio
async def test_execute_async_awaits_functions() -> None:
    from luna.gotemplate import resolve_awaitable

    async def fetch_word() -> str:
        return "async"

    template = parse("{{ word }}", functions={"word": lambda: resolve_awaitable(fetch_word())})

    assert await template.execute_async() == "async"
