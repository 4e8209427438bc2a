"""`$include` expansion and the map from expanded lines back to each file."""

from __future__ import annotations

from pathlib import Path

from luna.config.errors import Location
from luna.config.source import read_config_source
from tests.config.support import load, only_problem, problems_of, where, write_file


def test_include_mapping_form_adds_indentation(tmp_path: Path) -> None:
    main = write_file(
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
                      $include: sites.yml
        """,
    )
    write_file(tmp_path, "sites.yml", "- title: NAS\n  url: http://nas.local/\n")

    source, problems = read_config_source(main)

    assert problems == []
    assert source.lines[-2:] == ["              - title: NAS", "                url: http://nas.local/"]


def test_include_list_item_form_swallows_dash(tmp_path: Path) -> None:
    main = write_file(
        tmp_path,
        "luna.yml",
        """
        pages:
          - $include: home.yml
          - $include: other.yml
        """,
    )
    write_file(tmp_path, "home.yml", "- name: Home\n  columns:\n    - size: full\n")
    write_file(tmp_path, "other.yml", "- name: Other\n  columns:\n    - size: full\n")

    loaded = load(main)

    assert [page.name for page in loaded.config.pages] == ["Home", "Other"]


def test_include_bang_spelling_accepted(tmp_path: Path) -> None:
    main = write_file(tmp_path, "luna.yml", "pages:\n  - !include: home.yml\n")
    write_file(tmp_path, "home.yml", "- name: Home\n  columns:\n    - size: full\n")

    loaded = load(main)

    assert loaded.config.pages[0].name == "Home"


def test_nested_include_relative_to_including_file(tmp_path: Path) -> None:
    main = write_file(tmp_path, "luna.yml", "pages:\n  - $include: pages/home.yml\n")
    write_file(
        tmp_path,
        "pages/home.yml",
        """
        - name: Home
          columns:
            - size: full
              widgets:
                - $include: widgets/clock.yml
        """,
    )
    write_file(tmp_path, "pages/widgets/clock.yml", "- type: clock\n  title: Nested\n")

    loaded = load(main)

    assert loaded.config.pages[0].columns[0].widgets[0].title == "Nested"
    assert tmp_path / "pages/widgets/clock.yml" in loaded.files


def test_expanded_line_maps_to_included_file(tmp_path: Path) -> None:
    main = write_file(tmp_path, "luna.yml", "pages:\n  - $include: home.yml\n")
    home = write_file(tmp_path, "home.yml", "- name: Home\n  columns: []\n")

    source, _ = read_config_source(main)

    # Expanded line 2 is home.yml's line 2, indented by two more spaces.
    assert source.lines[2] == "    columns: []"
    assert source.locate(2, 4) == Location(home.resolve(), 2, 3)


def test_error_column_in_indented_include(tmp_path: Path) -> None:
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
    write_file(tmp_path, "clock.yml", "- type: clock\n  hour-format: 25h\n")

    problem = only_problem(main)

    assert where(problem) == ("clock.yml", 2, 16)
    assert "must be one of '12h' or '24h'" in problem.message


def test_missing_include_points_at_directive(tmp_path: Path) -> None:
    main = write_file(
        tmp_path,
        "luna.yml",
        """
        pages:
          - $include: pages/missing.yml
        """,
    )

    problem = only_problem(main)

    assert where(problem) == ("luna.yml", 2, 3)
    assert problem.message.startswith(f"included file not found: {tmp_path / 'pages/missing.yml'}")
    assert "relative to the folder of the file that includes it" in problem.message


def test_missing_include_reports_no_empty_pages(tmp_path: Path) -> None:
    main = write_file(tmp_path, "luna.yml", "pages:\n  - $include: missing.yml\n")

    problems = problems_of(main)

    assert [problem.message.split(":")[0] for problem in problems] == ["included file not found"]


def test_missing_include_keeps_other_problems(tmp_path: Path) -> None:
    main = write_file(
        tmp_path,
        "luna.yml",
        """
        pages:
          - name: Home
            colour: red
            columns:
              - size: full
                widgets:
                  - $include: missing.yml
        """,
    )

    problems = problems_of(main)

    assert [where(problem) for problem in problems] == [("luna.yml", 3, 5), ("luna.yml", 7, 11)]
    assert 'unknown key "colour"' in problems[0].message
    assert problems[1].message.startswith("included file not found")


def test_include_cycle_names_every_file(tmp_path: Path) -> None:
    main = write_file(tmp_path, "luna.yml", "pages:\n  - $include: a.yml\n")
    write_file(
        tmp_path,
        "a.yml",
        """
        - name: A
          columns:
            - size: full
              widgets:
                - $include: b.yml
        """,
    )
    write_file(tmp_path, "b.yml", "# Back to a.yml by mistake.\n- $include: a.yml\n")

    problem = only_problem(main)

    assert where(problem) == ("b.yml", 2, 1)
    assert problem.message == "include cycle: luna.yml → a.yml → b.yml → a.yml; remove one of these includes"


def test_include_without_file_name(tmp_path: Path) -> None:
    main = write_file(tmp_path, "luna.yml", "pages:\n  - $include:\n")

    problem = only_problem(main)

    assert where(problem) == ("luna.yml", 2, 3)
    assert problem.message == "$include needs a file name, for example `$include: widgets.yml`"


def test_include_of_folder_reported(tmp_path: Path) -> None:
    (tmp_path / "pages").mkdir()
    main = write_file(tmp_path, "luna.yml", "pages:\n  - $include: pages\n")

    problem = only_problem(main)

    assert where(problem) == ("luna.yml", 2, 3)
    assert problem.message == f"included file is a folder, not a file: {tmp_path / 'pages'}"


def test_include_depth_limited(tmp_path: Path) -> None:
    main = write_file(tmp_path, "luna.yml", "pages:\n  $include: level1.yml\n")
    for level in range(1, 25):
        write_file(tmp_path, f"level{level}.yml", f"$include: level{level + 1}.yml\n")

    problem = only_problem(main)

    assert where(problem) == ("level20.yml", 1, 1)
    assert problem.message.startswith("includes nested more than 20 levels deep at level21.yml")


def test_missing_main_file_reported(tmp_path: Path) -> None:
    problem = only_problem(tmp_path / "luna.yml")

    assert problem.location is None
    assert problem.message == f"configuration file not found: {tmp_path / 'luna.yml'}"


def test_crlf_line_endings_read(tmp_path: Path) -> None:
    main = tmp_path / "luna.yml"
    main.write_bytes(b"pages:\r\n  - name: Home\r\n    columns:\r\n      - size: full\r\n")

    loaded = load(main)

    assert loaded.config.pages[0].name == "Home"


def test_crlf_include_read(tmp_path: Path) -> None:
    main = write_file(tmp_path, "luna.yml", "pages:\n  - $include: home.yml\n")
    (tmp_path / "home.yml").write_bytes(b"- name: Home\r\n  columns:\r\n    - size: full\r\n")

    loaded = load(main)

    assert loaded.config.pages[0].slug == "home"


def test_utf8_byte_order_mark_skipped(tmp_path: Path) -> None:
    main = tmp_path / "luna.yml"
    main.write_bytes(b"\xef\xbb\xbfpages:\n  - name: Caf\xc3\xa9\n    columns:\n      - size: full\n")

    loaded = load(main)

    assert loaded.config.pages[0].name == "Café"


def test_invalid_utf8_reported_with_line(tmp_path: Path) -> None:
    main = tmp_path / "luna.yml"
    main.write_bytes(b"pages:\n  - name: Caf\xe9\n")

    problem = only_problem(main)

    assert where(problem) == ("luna.yml", 2, 1)
    assert problem.message == "the file is not valid UTF-8 text"


def test_missing_nested_include_points_into_included_file(tmp_path: Path) -> None:
    main = write_file(tmp_path, "luna.yml", "pages:\n  - $include: pages/home.yml\n")
    write_file(
        tmp_path,
        "pages/home.yml",
        """
        - name: Home
          columns:
            - size: full
              widgets:
                - $include: widgets/missing.yml
        """,
    )

    problem = only_problem(main)

    assert where(problem) == ("home.yml", 5, 9)
    assert problem.location.file == (tmp_path / "pages/home.yml").resolve()
    assert problem.message.startswith(f"included file not found: {tmp_path / 'pages/widgets/missing.yml'}")


def test_error_column_in_include_after_variable(tmp_path: Path) -> None:
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
    clock = write_file(tmp_path, "clock.yml", '- {type: clock, title: "${CLOCK_TITLE}", hour-format: 25h}\n')

    problem = only_problem(main, {"CLOCK_TITLE": "Local time in the office"})

    assert where(problem) == ("clock.yml", 1, clock.read_text(encoding="utf-8").index("25h") + 1)
    assert problem.key_path == "pages[0].columns[0].widgets[0].hour-format"
