"""YAML parsing with positions: syntax errors, tabs, duplicate keys, scalars, anchors and merges."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from luna.config.yaml_tree import Mark, YamlIssue, YamlSyntaxError, parse_yaml
from tests.config.support import MINIMAL_PAGES, load, only_problem, where, write_file


def syntax_issue(text: str) -> YamlIssue:
    with pytest.raises(YamlSyntaxError) as raised:
        parse_yaml(text)
    return raised.value.issue


def test_syntax_error_located_with_hint(tmp_path: Path) -> None:
    path = write_file(
        tmp_path,
        "luna.yml",
        """
        pages:
          - name: Home: main
            columns:
              - size: full
        """,
    )

    problem = only_problem(path)

    assert where(problem) == ("luna.yml", 2, 15)
    assert problem.message.startswith("invalid YAML: mapping values are not allowed")
    assert problem.message.endswith('a plain value cannot contain ": ", so put the value in quotes')


def test_key_indented_past_key_above_named() -> None:
    issue = syntax_issue("widgets:\n  - type: custom-api\n        title: Frigate\n        url: x\n")

    assert issue.mark == Mark(2, 8)
    assert issue.message == (
        'invalid YAML: "title" is indented deeper than "type" on line 2, '
        "so YAML reads it as part of that value; line the keys up at the same column"
    )


def test_colon_in_value_keeps_quote_hint() -> None:
    issue = syntax_issue("widgets:\n  - type: clock\n    title: Time: local\n")

    assert issue.message.endswith('a plain value cannot contain ": ", so put the value in quotes')


def test_syntax_error_in_included_file(tmp_path: Path) -> None:
    main = write_file(
        tmp_path,
        "luna.yml",
        """
        pages:
          - name: Home
            columns:
              - size: full
                widgets:
                  - $include: clock.yml
        """,
    )
    write_file(tmp_path, "clock.yml", "- type: clock\n  title: Time: local\n")

    problem = only_problem(main)

    assert where(problem) == ("clock.yml", 2, 14)
    assert problem.message.startswith("invalid YAML: mapping values are not allowed")


def test_unclosed_quote_points_at_quote() -> None:
    issue = syntax_issue('pages:\n  - name: "Home\n    columns: []\n')

    assert issue.mark == Mark(1, 10)
    assert issue.message.startswith("invalid YAML: the file ends before a quote or bracket is closed")


def test_unclosed_bracket_points_at_end() -> None:
    issue = syntax_issue("pages:\n  - name: Home\n    columns: [\n\n")

    assert issue.mark == Mark(2, 14)
    assert issue.message.endswith("; close it")


def test_key_without_colon_points_at_key() -> None:
    issue = syntax_issue("pages:\n  - name: Home\n    columns\n    width: slim\n")

    assert issue.mark == Mark(2, 4)
    assert issue.message.endswith("a key needs a `:` after it")


def test_misaligned_key_hint() -> None:
    issue = syntax_issue("pages:\n  name: Home\n  - name: Other\n")

    assert issue.mark == Mark(2, 2)
    assert issue.message.endswith("indent this line like the keys above it")


def test_text_after_closing_quote_hint() -> None:
    issue = syntax_issue('title: "Home"page\n')

    assert issue.mark == Mark(0, 13)
    assert issue.message.endswith("text after a closing quote must go inside the quotes")


def test_second_document_rejected() -> None:
    issue = syntax_issue("pages: []\n---\npages: []\n")

    assert issue.mark == Mark(1, 0)
    assert issue.message.endswith("a configuration file contains one YAML document, so remove the `---` line")


def test_tab_indentation_says_use_spaces(tmp_path: Path) -> None:
    path = write_file(tmp_path, "luna.yml", "pages:\n  - name: Home\n\tcolumns:\n\t  - size: full\n")

    problem = only_problem(path)

    assert where(problem) == ("luna.yml", 3, 1)
    assert problem.message == (
        "tab character in indentation; YAML indents with spaces only, so replace the tabs with spaces"
    )


def test_tab_after_spaces_located(tmp_path: Path) -> None:
    path = write_file(tmp_path, "luna.yml", "pages:\n  - name: Home\n    columns:\n   \t- size: full\n")

    problem = only_problem(path)

    assert where(problem) == ("luna.yml", 4, 4)
    assert problem.message.startswith("tab character in indentation")


def test_tab_in_included_file_located(tmp_path: Path) -> None:
    main = write_file(tmp_path, "luna.yml", "pages:\n  - $include: home.yml\n")
    write_file(tmp_path, "home.yml", "- name: Home\n\tcolumns:\n")

    problem = only_problem(main)

    assert where(problem) == ("home.yml", 2, 1)
    assert problem.message.startswith("tab character in indentation")


def test_tab_inside_block_scalar_allowed() -> None:
    tree, issues = parse_yaml("source: |\n  <pre>\n  \tindented by a tab\n  </pre>\n")

    assert issues == []
    assert tree.value == {"source": "<pre>\n\tindented by a tab\n</pre>\n"}


def test_tab_in_block_scalar_not_blamed() -> None:
    issue = syntax_issue("source: |\n  code\n  \tmore code\nnext: a: b\n")

    assert issue.mark == Mark(3, 7)
    assert issue.message.startswith("invalid YAML: mapping values are not allowed")


def test_duplicate_key_located(tmp_path: Path) -> None:
    path = write_file(
        tmp_path,
        "luna.yml",
        """
        pages:
          - name: Home
            columns:
              - size: full
            name: Start
        """,
    )

    problem = only_problem(path)

    assert where(problem) == ("luna.yml", 5, 5)
    assert problem.key_path == "pages[0].name"
    assert problem.message == 'duplicate key "name"; keep one of them and remove the other (the first is on line 2)'


def test_duplicate_key_in_include_names_file_line(tmp_path: Path) -> None:
    main = write_file(tmp_path, "luna.yml", "pages:\n  - $include: home.yml\n")
    write_file(tmp_path, "home.yml", "- name: Home\n  columns:\n    - size: full\n  name: Start\n")

    problem = only_problem(main)

    assert where(problem) == ("home.yml", 4, 3)
    assert problem.message.endswith("(the first is on line 1)")


def test_duplicate_in_anchor_reported_once() -> None:
    _, issues = parse_yaml("a: &shared\n  title: A\n  title: B\nb: *shared\nc:\n  <<: *shared\n")

    assert [(issue.message, issue.mark) for issue in issues] == [
        ('duplicate key "title"; keep one of them and remove the other', Mark(2, 2))
    ]


@pytest.mark.parametrize("word", ["yes", "no", "on", "off", "y", "n", "Yes", "ON"])
def test_yaml11_booleans_stay_text(word: str) -> None:
    tree, _ = parse_yaml(f"value: {word}\n")

    assert tree.value["value"] == word


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("12:30", "12:30"),
        ("1:02:03", "1:02:03"),
        ("true", True),
        ("False", False),
        ("null", None),
        ("~", None),
        ("", None),
        ("42", 42),
        ("-7", -7),
        ("0x1F", 31),
        ("0o17", 15),
        ("3.5", 3.5),
        ("1e3", 1000.0),
        ("2024-01-01", "2024-01-01"),
    ],
)
def test_plain_scalars_by_yaml12_core_schema(written: str, expected: object) -> None:
    tree, _ = parse_yaml(f"value: {written}\n")

    assert tree.value["value"] == expected
    assert isinstance(tree.value["value"], type(expected))


def test_infinity_and_nan_read() -> None:
    tree, _ = parse_yaml("a: .inf\nb: -.Inf\nc: .nan\n")

    assert tree.value["a"] == math.inf
    assert tree.value["b"] == -math.inf
    assert math.isnan(tree.value["c"])


def test_quoted_scalars_stay_text() -> None:
    tree, _ = parse_yaml("a: '42'\nb: \"true\"\nc: |\n  null\n")

    assert tree.value == {"a": "42", "b": "true", "c": "null\n"}


def test_numbers_keep_written_text() -> None:
    tree, _ = parse_yaml("a: 1.10\nb: 007\nc: 0x1F\n")

    assert [str(tree.value[key]) for key in "abc"] == ["1.10", "007", "0x1F"]


def test_glance_scalars_reach_text_fields(tmp_path: Path) -> None:
    path = write_file(
        tmp_path,
        "luna.yml",
        """
        pages:
          - name: 2048
            columns:
              - size: full
                widgets:
                  - type: clock
                    title: 12:30
                  - type: bookmarks
                    title: yes
                    groups:
                      - title: on
                        links:
                          - title: 1.10
                            url: https://example.com/
        """,
    )

    config = load(path).config
    clock, bookmarks = config.pages[0].columns[0].widgets

    assert config.pages[0].name == "2048"
    assert clock.title == "12:30"
    assert bookmarks.title == "yes"
    assert bookmarks.groups[0].title == "on"
    assert bookmarks.groups[0].links[0].title == "1.10"


def test_yaml11_boolean_accepted_for_flag(tmp_path: Path) -> None:
    # Glance's decoder reads yes/no/on/off into a boolean key, so luna does too.
    path = write_file(tmp_path, "luna.yml", "server:\n  proxied: yes\n" + MINIMAL_PAGES)

    config = load(path).config

    assert config.server.proxied is True


def test_anchor_and_alias_reused(tmp_path: Path) -> None:
    path = write_file(
        tmp_path,
        "luna.yml",
        """
        pages:
          - name: Home
            columns:
              - size: full
                widgets:
                  - &berlin
                    type: clock
                    timezones:
                      - timezone: Europe/Berlin
                  - *berlin
        """,
    )

    widgets = load(path).config.pages[0].columns[0].widgets

    assert [widget.timezones[0].timezone for widget in widgets] == ["Europe/Berlin", "Europe/Berlin"]


def test_merge_key_with_override(tmp_path: Path) -> None:
    path = write_file(
        tmp_path,
        "luna.yml",
        """
        pages:
          - name: Home
            columns:
              - size: full
                widgets:
                  - type: monitor
                    sites:
                      - &nas
                        title: NAS
                        url: http://nas.local/
                        timeout: 2s
                      - <<: *nas
                        title: NAS admin
                        url: http://nas.local/admin
        """,
    )

    sites = load(path).config.pages[0].columns[0].widgets[0].sites

    assert [site.title for site in sites] == ["NAS", "NAS admin"]
    assert [site.url for site in sites] == ["http://nas.local/", "http://nas.local/admin"]
    assert [site.timeout for site in sites] == [2.0, 2.0]


def test_merge_of_several_mappings_first_wins() -> None:
    tree, issues = parse_yaml("a: &a {x: 1, y: 1}\nb: &b {y: 2, z: 2}\nc:\n  <<: [*a, *b]\n  z: 3\n")

    assert issues == []
    assert tree.value["c"] == {"z": 3, "x": 1, "y": 1}


def test_error_after_merge_points_at_override(tmp_path: Path) -> None:
    path = write_file(
        tmp_path,
        "luna.yml",
        """
        pages:
          - name: Home
            columns:
              - size: full
                widgets:
                  - &clock
                    type: clock
                    hour-format: 24h
                  - <<: *clock
                    hour-format: 25h
        """,
    )

    problem = only_problem(path)

    assert where(problem) == ("luna.yml", 10, 26)
    assert problem.key_path == "pages[0].columns[0].widgets[1].hour-format"


def test_merge_of_scalar_rejected() -> None:
    _, issues = parse_yaml("a: &text hello\nb:\n  <<: *text\n")

    assert [(issue.message, issue.mark) for issue in issues] == [
        ("`<<` merges only mappings (an alias such as *defaults)", Mark(0, 3))
    ]


def test_positions_recorded_by_key_path() -> None:
    tree, _ = parse_yaml("pages:\n  - name: Home\n    columns: []\n")

    assert tree.key_marks[("pages", 0, "columns")] == Mark(2, 4)
    assert tree.value_marks[("pages", 0, "name")] == Mark(1, 10)
