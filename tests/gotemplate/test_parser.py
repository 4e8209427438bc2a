from __future__ import annotations

import pytest

from luna.gotemplate import TemplateSyntaxError, parse


def syntax_error(source: str, **kwargs) -> TemplateSyntaxError:
    with pytest.raises(TemplateSyntaxError) as caught:
        parse(source, name="t", **kwargs)
    return caught.value


def test_unclosed_action_reports_position() -> None:
    error = syntax_error("first line\n  {{ .Name ")

    assert (error.line, error.column) == (2, 3)
    assert "unclosed action" in error.message


def test_missing_end_is_reported() -> None:
    error = syntax_error("{{ if .A }}yes")

    assert "has no {{end}}" in error.message


@pytest.mark.parametrize(
    ("source", "keyword", "position"),
    [
        ("<ul>\n  {{ range .Items }}\n  <li>{{ . }}</li>\n</ul>\n", "range", (2, 3)),
        ("{{ if .A }}\n{{ with .B }}{{ end }}", "if", (1, 1)),
        ("{{ if .A }}{{ range .B }}\n{{ end }}", "if", (1, 1)),
        ("{{ range .A }}{{ if .B }}{{ end }}", "range", (1, 1)),
        ("{{ with .A }}x{{ else }}y", "with", (1, 1)),
        ("{{ if .A }}a{{ else if .B }}b", "if", (1, 1)),
        ("top\n{{- define \"row\" }}<p>", "define", (2, 1)),
        ('{{ block "row" . }}<p>', "block", (1, 1)),
    ],
)
def test_unclosed_block_reported_where_opened(source: str, keyword: str, position: tuple[int, int]) -> None:
    error = syntax_error(source)

    assert error.message == f"the {{{{{keyword}}}}} opened here has no {{{{end}}}} before the template ends"
    assert (error.line, error.column) == position


def test_unknown_function_names_it() -> None:
    error = syntax_error("ok\n{{ nosuch 1 }}")

    assert error.message == "function 'nosuch' not defined"
    assert (error.line, error.column) == (2, 4)


def test_undefined_variable_is_rejected() -> None:
    error = syntax_error("{{ $x }}")

    assert error.message == "undefined variable '$x'"


def test_assignment_needs_declared_variable() -> None:
    error = syntax_error("{{ $x = 1 }}")

    assert "undefined variable" in error.message


def test_variable_out_of_scope_after_end() -> None:
    error = syntax_error("{{ if true }}{{ $y := 1 }}{{ end }}{{ $y }}")

    assert error.message == "undefined variable '$y'"


def test_break_outside_range_is_rejected() -> None:
    error = syntax_error("{{ if true }}{{ break }}{{ end }}")

    assert error.message == "{{break}} outside {{range}}"


def test_stray_end_is_rejected() -> None:
    error = syntax_error("text {{ end }}")

    assert error.message == "unexpected {{end}}"


def test_unclosed_comment_is_rejected() -> None:
    error = syntax_error("{{/* never closed }}")

    assert error.message == "unclosed comment"


def test_unclosed_parenthesis_is_rejected() -> None:
    error = syntax_error("{{ (len .A }}")

    assert "unclosed left parenthesis" in error.message


def test_empty_action_is_rejected() -> None:
    error = syntax_error("{{ }}")

    assert error.message == "missing value for command"


def test_operands_need_spaces_between() -> None:
    error = syntax_error('{{ printf "%d"1 }}')

    assert error.message == "missing space before '1'"


def test_error_string_has_go_prefix() -> None:
    error = syntax_error("{{ nosuch }}")

    assert str(error) == "template: t:1:4: function 'nosuch' not defined"


def test_functions_extend_builtins() -> None:
    template = parse("{{ shout .A }}", functions={"shout": lambda text: text.upper()})

    assert template.execute({"A": "hi"}) == "HI"


def test_define_only_at_top_level() -> None:
    error = syntax_error('{{ if true }}{{ define "x" }}{{ end }}{{ end }}')

    assert "top level" in error.message


def test_number_literal_forms_parse() -> None:
    template = parse("{{ 0x1F }} {{ 1_000 }} {{ 1.5e3 }} {{ -2 }} {{ 'a' }} {{ 0o17 }}", autoescape=False)

    assert template.execute() == "31 1000 1500 -2 97 15"


def test_raw_and_escaped_strings_parse() -> None:
    template = parse('{{ "tab\\there" }}|{{ `raw\\n` }}', autoescape=False)

    assert template.execute() == "tab\there|raw\\n"
