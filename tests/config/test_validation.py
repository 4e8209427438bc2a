"""Every problem with the structure and values of a configuration, worded and located."""

from __future__ import annotations

from pathlib import Path

import pytest

from luna.config.loader import load_config
from tests.config.support import load, only_problem, problems_of, where, write_file


def widgets_config(folder: Path, widgets: str) -> Path:
    """Write a one-page configuration whose single column contains the given widget YAML."""

    indented = "".join(f"          {line}\n" if line else "\n" for line in widgets.strip("\n").splitlines())
    text = "pages:\n  - name: Home\n    columns:\n      - size: full\n        widgets:\n" + indented
    return write_file(folder, "luna.yml", text)


def test_page_pasted_as_whole_file(tmp_path: Path) -> None:
    path = write_file(
        tmp_path,
        "luna.yml",
        """
        - name: Startpage
          columns:
            - size: full
              widgets: []
        """,
    )

    problem = only_problem(path)

    assert where(problem) == ("luna.yml", 1, 1)
    assert problem.message == (
        "the top level must be a mapping with a `pages:` key, not a list; "
        "this looks like a single page: add a line `pages:` at the top and indent the page under it"
    )


def test_top_level_list_without_page_shape(tmp_path: Path) -> None:
    path = write_file(tmp_path, "luna.yml", "- one\n- two\n")

    problem = only_problem(path)

    assert where(problem) == ("luna.yml", 1, 1)
    assert problem.message == "the top level must be a mapping with a `pages:` key, not a list"


def test_empty_file_reported(tmp_path: Path) -> None:
    path = write_file(tmp_path, "luna.yml", "# nothing yet\n")

    problem = only_problem(path)

    assert where(problem) == ("luna.yml", 1, 1)
    assert problem.message == "the configuration is empty; it needs at least a `pages:` list with one page"


def test_pages_as_mapping_reported(tmp_path: Path) -> None:
    path = write_file(
        tmp_path,
        "luna.yml",
        """
        pages:
          name: Home
          columns:
            - size: full
              widgets: []
        """,
    )

    problem = only_problem(path)

    assert where(problem) == ("luna.yml", 2, 3)
    assert problem.key_path == "pages"
    assert problem.message == (
        "`pages` must be a list; begin each page with `- name:`, got a mapping (key: value pairs)"
    )


def test_string_where_list_belongs(tmp_path: Path) -> None:
    path = write_file(
        tmp_path,
        "luna.yml",
        """
        pages:
          - name: Home
            columns:
              - size: full
                widgets: clock
        """,
    )

    problem = only_problem(path)

    assert where(problem) == ("luna.yml", 5, 18)
    assert problem.key_path == "pages[0].columns[0].widgets"
    assert problem.message == (
        'must be a list; start each item on its own line with `- `, got the text "clock" (in page "Home")'
    )


def test_text_where_number_belongs(tmp_path: Path) -> None:
    path = write_file(tmp_path, "luna.yml", "server:\n  port: eighty\npages: []\n")

    problems = problems_of(path)

    assert [where(problem) for problem in problems] == [("luna.yml", 2, 9), ("luna.yml", 3, 8)]
    assert problems[0].message == 'must be a whole number, got the text "eighty"'
    assert problems[1].message == "must not be empty"


def test_boolean_in_text_field_hint(tmp_path: Path) -> None:
    path = widgets_config(tmp_path, "- type: clock\n  title: true\n")

    problem = only_problem(path)

    assert where(problem) == ("luna.yml", 7, 20)
    assert problem.message.startswith("must be text, got the boolean true; put the value in quotes")


def test_unknown_key_suggests_nearest(tmp_path: Path) -> None:
    path = widgets_config(tmp_path, "- type: clock\n  hour-fromat: 12h\n")

    problem = only_problem(path)

    assert where(problem) == ("luna.yml", 7, 13)
    assert problem.key_path == "pages[0].columns[0].widgets[0].hour-fromat"
    assert problem.message == 'unknown key "hour-fromat"; did you mean "hour-format"? (in page "Home", clock widget)'


def test_unknown_key_lists_valid_keys(tmp_path: Path) -> None:
    path = widgets_config(tmp_path, "- type: iframe\n  source: https://example.com/\n  zoom: 2\n")

    problem = only_problem(path)

    assert where(problem) == ("luna.yml", 8, 13)
    assert problem.message.startswith(
        'unknown key "zoom"; the keys here are: type, title, title-url, hide-header, css-class, cache, source, height'
    )


def test_misspelt_required_key_reported_once(tmp_path: Path) -> None:
    path = write_file(tmp_path, "luna.yml", "pages:\n  - name: Home\n    colums:\n      - size: full\n")

    problem = only_problem(path)

    assert where(problem) == ("luna.yml", 3, 5)
    assert problem.message == 'unknown key "colums"; did you mean "columns"? (in page "Home")'


def test_missing_required_key_reported(tmp_path: Path) -> None:
    path = write_file(tmp_path, "luna.yml", "pages:\n  - name: Home\n")

    problem = only_problem(path)

    assert where(problem) == ("luna.yml", 2, 5)
    assert problem.key_path == "pages[0]"
    assert problem.message == 'missing required key "columns" (in page "Home")'


def test_monitor_alternative_status_codes_hint(tmp_path: Path) -> None:
    path = widgets_config(
        tmp_path, "- type: monitor\n  sites:\n    - url: http://nas.local/\n      alternative-status-codes: [401]\n"
    )

    problem = only_problem(path)

    assert where(problem) == ("luna.yml", 9, 17)
    assert problem.message.startswith('unknown key "alternative-status-codes"; the key is called "alt-status-codes"')


def test_unknown_widget_type_suggests_nearest(tmp_path: Path) -> None:
    path = widgets_config(tmp_path, "- type: bookmark\n- type: clok\n")

    problems = problems_of(path)

    assert [where(problem) for problem in problems] == [("luna.yml", 6, 19), ("luna.yml", 7, 19)]
    assert problems[0].message == 'unknown widget type "bookmark"; did you mean "bookmarks"? (in page "Home")'
    assert problems[1].message == 'unknown widget type "clok"; did you mean "clock"? (in page "Home")'


def test_monitors_type_suggests_monitor(tmp_path: Path) -> None:
    path = widgets_config(tmp_path, "- type: monitors\n  sites:\n    - url: http://nas.local/\n")

    problem = only_problem(path)

    assert where(problem) == ("luna.yml", 6, 19)
    assert problem.key_path == "pages[0].columns[0].widgets[0].type"
    assert problem.message == 'unknown widget type "monitors"; did you mean "monitor"? (in page "Home")'


def test_unrelated_widget_type_lists_types(tmp_path: Path) -> None:
    path = widgets_config(tmp_path, "- type: spreadsheet\n")

    problem = only_problem(path)

    assert problem.message == (
        'unknown widget type "spreadsheet"; the types are: '
        "bookmarks, calendar, clock, custom-api, docker-containers, extension, group, hacker-news, html, iframe, "
        "lobsters, monitor, reddit, rss, search, server-stats, split-column, to-do, twitch-channels, "
        'twitch-top-games, videos (in page "Home")'
    )


def test_glance_only_widget_type_named(tmp_path: Path) -> None:
    path = widgets_config(tmp_path, "- type: markets\n  markets: []\n")

    problem = only_problem(path)

    assert where(problem) == ("luna.yml", 6, 19)
    assert problem.message.startswith('the widget type "markets" is a Glance type that this version of luna does not have yet')


def test_widget_without_type_reported(tmp_path: Path) -> None:
    path = widgets_config(tmp_path, "- title: Clock\n")

    problem = only_problem(path)

    assert where(problem) == ("luna.yml", 6, 13)
    assert problem.message == 'the widget has no `type`; add one such as `type: clock` (in page "Home")'


def test_group_inside_group_rejected(tmp_path: Path) -> None:
    path = widgets_config(tmp_path, "- type: group\n  widgets:\n    - type: group\n      widgets:\n        - type: clock\n")

    problem = only_problem(path)

    assert where(problem) == ("luna.yml", 8, 23)
    assert problem.message == 'a group widget cannot contain a group widget (in page "Home", group widget)'


def test_duplicate_page_slugs_reported(tmp_path: Path) -> None:
    path = write_file(
        tmp_path,
        "luna.yml",
        """
        pages:
          - name: Home
            columns:
              - size: full
          - name: home
            columns:
              - size: full
        """,
    )

    problem = only_problem(path)

    assert where(problem) == ("luna.yml", 5, 11)
    assert problem.key_path == "pages[1].name"
    assert problem.message == (
        'pages "Home" (at luna.yml:2) and "home" both have the slug "home"; give one of them another `slug:` or name (in page "home")'
    )


def test_duplicate_explicit_slug_points_at_slug(tmp_path: Path) -> None:
    path = write_file(
        tmp_path,
        "luna.yml",
        """
        pages:
          - name: Home
            columns:
              - size: full
          - name: Start
            slug: home
            columns:
              - size: full
        """,
    )

    problem = only_problem(path)

    assert where(problem) == ("luna.yml", 6, 11)
    assert problem.key_path == "pages[1].slug"


def test_reserved_slug_rejected(tmp_path: Path) -> None:
    path = write_file(tmp_path, "luna.yml", "pages:\n  - name: API\n    columns:\n      - size: full\n")

    problem = only_problem(path)

    assert where(problem) == ("luna.yml", 2, 11)
    assert problem.message.startswith('the slug "api" is a path luna uses itself')


@pytest.mark.parametrize(
    ("width", "sizes", "message"),
    [
        ("", ["small"], "a page needs one or two columns with `size: full`, this one has none"),
        ("", ["small", "small"], "a page needs one or two columns with `size: full`, this one has none"),
        (
            "",
            ["full", "full", "full"],
            "a page has at most two columns with `size: full`, this one has 3; make the others `size: small`",
        ),
        ("", ["small", "full", "small", "small"], "a page has at most 3 columns, this one has 4"),
        ("slim", ["small", "full", "small"], "a slim page has at most 2 columns, this one has 3"),
    ],
    ids=["no full column", "two small columns", "three full columns", "four columns", "three on slim page"],
)
def test_column_layout_rules(tmp_path: Path, width: str, sizes: list[str], message: str) -> None:
    width_line = f"    width: {width}\n" if width else ""
    columns = "".join(f"      - size: {size}\n" for size in sizes)
    path = write_file(tmp_path, "luna.yml", f"pages:\n  - name: Home\n{width_line}    columns:\n{columns}")

    problem = only_problem(path)

    assert where(problem) == ("luna.yml", 4 if width else 3, 5)
    assert problem.key_path == "pages[0].columns"
    assert problem.message == f'{message} (in page "Home")'


@pytest.mark.parametrize("sizes", [["full"], ["small", "full"], ["full", "full"], ["small", "full", "small"]])
def test_valid_column_layouts_load(tmp_path: Path, sizes: list[str]) -> None:
    columns = "".join(f"      - size: {size}\n" for size in sizes)
    path = write_file(tmp_path, "luna.yml", f"pages:\n  - name: Home\n    columns:\n{columns}")

    config = load(path).config

    assert [column.size for column in config.pages[0].columns] == sizes


def test_invalid_column_size_suggested(tmp_path: Path) -> None:
    path = write_file(tmp_path, "luna.yml", "pages:\n  - name: Home\n    columns:\n      - size: ful\n")

    problem = only_problem(path)

    # Only the misspelt size: counting full columns around it would add a second problem.
    assert where(problem) == ("luna.yml", 4, 15)
    assert problem.message == (
        "must be one of 'small' or 'full', got the text \"ful\"; did you mean \"full\"? (in page \"Home\")"
    )


def test_invalid_time_zone_suggested(tmp_path: Path) -> None:
    path = widgets_config(tmp_path, "- type: clock\n  timezones:\n    - timezone: Europe/Berln\n      label: Berlin\n")

    problem = only_problem(path)

    assert where(problem) == ("luna.yml", 8, 27)
    assert problem.key_path == "pages[0].columns[0].widgets[0].timezones[0].timezone"
    assert problem.message == (
        'unknown time zone "Europe/Berln"; did you mean "Europe/Berlin"? (in page "Home", clock widget)'
    )


def test_unknown_time_zone_gives_example(tmp_path: Path) -> None:
    path = widgets_config(tmp_path, "- type: clock\n  timezones:\n    - timezone: Mars/Olympus_Mons\n")

    problem = only_problem(path)

    assert where(problem) == ("luna.yml", 8, 27)
    assert problem.message.startswith(
        'unknown time zone "Mars/Olympus_Mons"; use an IANA name such as Europe/Berlin or America/New_York'
    )


def test_bookmark_url_with_space_rejected(tmp_path: Path) -> None:
    path = widgets_config(
        tmp_path,
        "- type: bookmarks\n  groups:\n    - links:\n        - title: Wiki\n          url: https://wiki.local/my page\n",
    )

    problem = only_problem(path)

    assert where(problem) == ("luna.yml", 10, 26)
    assert problem.key_path == "pages[0].columns[0].widgets[0].groups[0].links[0].url"
    assert problem.message == (
        'invalid URL "https://wiki.local/my page": it contains spaces; write them as %20 (in page "Home", bookmarks widget)'
    )


def test_bookmark_javascript_url_rejected(tmp_path: Path) -> None:
    path = widgets_config(
        tmp_path, "- type: bookmarks\n  groups:\n    - links:\n        - title: X\n          url: javascript:alert(1)\n"
    )

    problem = only_problem(path)

    assert where(problem) == ("luna.yml", 10, 26)
    assert problem.message.startswith('the URL scheme "javascript:" is not allowed in links')


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("ftp://nas.local/", 'unknown scheme "ftp://"'),
        ("192.168.1.20", '"192.168.1.20" has no scheme'),
        ("htp://nas.local/", 'did you mean "http://"?'),
    ],
)
def test_monitor_target_invalid(tmp_path: Path, url: str, expected: str) -> None:
    path = widgets_config(tmp_path, f"- type: monitor\n  title: Lab\n  sites:\n    - title: NAS\n      url: {url}\n")

    problem = only_problem(path)

    assert where(problem) == ("luna.yml", 10, 22)
    assert problem.key_path == "pages[0].columns[0].widgets[0].sites[0].url"
    assert problem.message.startswith('site "NAS": ')
    assert expected in problem.message
    assert problem.message.endswith('(in page "Home", monitor widget "Lab")')


def test_monitor_bare_host_port_is_tcp(tmp_path: Path) -> None:
    path = widgets_config(tmp_path, "- type: monitor\n  sites:\n    - url: nas.local:5000\n")

    loaded = load_config(path, environ={})

    assert loaded.config.pages[0].columns[0].widgets[0].sites[0].url == "nas.local:5000"


def test_monitor_status_code_out_of_range(tmp_path: Path) -> None:
    path = widgets_config(tmp_path, "- type: monitor\n  sites:\n    - url: http://nas.local/\n      alt-status-codes: [401, 999]\n")

    problem = only_problem(path)

    assert where(problem) == ("luna.yml", 9, 41)
    assert problem.key_path == "pages[0].columns[0].widgets[0].sites[0].alt-status-codes[1]"
    assert problem.message.startswith("999 is not an HTTP status code; use codes from 100 to 599")


def test_other_tool_keys_reported_together(tmp_path: Path) -> None:
    path = write_file(
        tmp_path,
        "luna.yml",
        """
        port: 8080
        pages:
          - name: Home
            path: home.yml
        """,
    )

    problems = problems_of(path)
    by_key = {problem.key_path: problem for problem in problems}

    assert where(by_key["port"]) == ("luna.yml", 1, 1)
    assert by_key["port"].message == 'unknown key "port"; did you mean `server.port`? Write it as `server: {port: 8080}`'
    assert where(by_key["pages[0].path"]) == ("luna.yml", 4, 5)
    assert by_key["pages[0].path"].message == (
        'unknown key "path"; to take a page from another file, list it as `- $include: home.yml` under `pages:` '
        '(in page "Home")'
    )


def test_every_problem_listed_in_order(tmp_path: Path) -> None:
    main = write_file(
        tmp_path,
        "luna.yml",
        """
        port: 8080
        pages:
          - $include: pages/home.yml
          - name: Links
            columns:
              - size: small
        """,
    )
    write_file(
        tmp_path,
        "pages/home.yml",
        """
        - name: Home
          columns:
            - size: full
              widgets:
                - type: clock
                  timezones:
                    - timezone: Europe/Berln
                - $include: ../widgets.yml
        """,
    )
    write_file(
        tmp_path,
        "widgets.yml",
        """
        - type: monitors
        - type: monitor
          sites:
            - url: http://${NAS_HOST}/
        """,
    )

    problems = problems_of(main)

    assert [where(problem) for problem in problems] == [
        ("luna.yml", 1, 1),
        ("luna.yml", 5, 5),
        ("home.yml", 7, 25),
        ("widgets.yml", 1, 9),
        ("widgets.yml", 4, 19),
    ]
    assert [problem.message.split(";")[0] for problem in problems] == [
        'unknown key "port"',
        "a page needs one or two columns with `size: full`, this one has none (in page \"Links\")",
        'unknown time zone "Europe/Berln"',
        'unknown widget type "monitors"',
        "environment variable NAS_HOST is not set (used as ${NAS_HOST})",
    ]


def test_server_as_number_suggests_port(tmp_path: Path) -> None:
    path = write_file(tmp_path, "luna.yml", "server: 9000\npages:\n  - name: Home\n    columns:\n      - size: full\n")

    problem = only_problem(path)

    assert where(problem) == ("luna.yml", 1, 9)
    assert problem.message == (
        "must be a mapping of keys and values, got the number 9000; to set the port, write `server: {port: 9000}`"
    )
