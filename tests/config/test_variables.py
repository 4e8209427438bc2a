r"""`${VAR}`, `\${VAR}`, `${secret:NAME}` and `${readFileFromEnv:VAR}` substitution."""

from __future__ import annotations

from pathlib import Path

import pytest

from luna.config.source import read_config_source
from luna.config.variables import VariableContext, substitute_variables
from luna.widgets.monitor import SiteOptions
from tests.config.support import load, only_problem, problems_of, where, write_file

MONITOR_PAGE = """
pages:
  - name: Home
    columns:
      - size: full
        widgets:
          - type: monitor
            sites:
              - title: {title}
                url: {url}
"""


def monitor_config(folder: Path, title: str = "NAS", url: str = "http://nas.local/") -> Path:
    return write_file(folder, "luna.yml", MONITOR_PAGE.format(title=title, url=url))


def first_site(folder: Path, environ: dict[str, str], secrets_dir: Path | None = None) -> SiteOptions:
    loaded = load(folder / "luna.yml", environ, secrets_dir)
    return loaded.config.pages[0].columns[0].widgets[0].sites[0]


def substituted_lines(path: Path, environ: dict[str, str]) -> list[str]:
    source, _ = read_config_source(path)
    return substitute_variables(source, VariableContext(environ)).lines


def column_of(text: str, path: Path, line: int) -> int:
    """Return the 1-based column of `text` in a line of the file as written."""

    return path.read_text(encoding="utf-8").splitlines()[line - 1].index(text) + 1


def test_environment_variable_substituted(tmp_path: Path) -> None:
    monitor_config(tmp_path, url="http://${NAS_HOST}:5000/")

    site = first_site(tmp_path, {"NAS_HOST": "192.168.1.20"})

    assert site.url == "http://192.168.1.20:5000/"


def test_variable_inside_key_substituted(tmp_path: Path) -> None:
    # Substitution runs on the text before YAML, so a variable may name a key.
    path = write_file(tmp_path, "luna.yml", "server:\n  ${PORT_KEY}: 9000\n" + MONITOR_PAGE.format(title="a", url="http://a/"))

    loaded = load(path, {"PORT_KEY": "port"})

    assert loaded.config.server.port == 9000


def test_escaped_variable_stays_literal(tmp_path: Path) -> None:
    monitor_config(tmp_path, title="Price \\${AMOUNT}")

    site = first_site(tmp_path, {})

    assert site.title == "Price ${AMOUNT}"


def test_lowercase_name_left_as_written(tmp_path: Path) -> None:
    monitor_config(tmp_path, title="${not_a_variable}")

    site = first_site(tmp_path, {})

    assert site.title == "${not_a_variable}"


def test_lowercase_name_warned_with_position(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = monitor_config(tmp_path, title="${Github_Token}")

    with caplog.at_level("WARNING", logger="luna.config.variables"):
        first_site(tmp_path, {})

    line = next(number for number, text in enumerate(path.read_text().splitlines(), 1) if "${Github_Token}" in text)
    column = column_of("${Github_Token}", path, line)
    assert f"luna.yml:{line}:{column}: ${{Github_Token}} is left as written" in caplog.text
    assert "write ${GITHUB_TOKEN} and set GITHUB_TOKEN" in caplog.text


def test_escaped_lowercase_name_not_warned(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    monitor_config(tmp_path, title="\\${Github_Token}")

    with caplog.at_level("WARNING", logger="luna.config.variables"):
        site = first_site(tmp_path, {})

    assert site.title == "${Github_Token}"
    assert caplog.text == ""


def test_unknown_prefix_left_as_written(tmp_path: Path) -> None:
    monitor_config(tmp_path, title="${vault:NAS}")

    site = first_site(tmp_path, {})

    assert site.title == "${vault:NAS}"


def test_missing_variable_named_with_location(tmp_path: Path) -> None:
    path = monitor_config(tmp_path, url="http://${NAS_HOST}:5000/")

    problem = only_problem(path)

    assert where(problem) == ("luna.yml", 9, 29)
    assert problem.message.startswith("environment variable NAS_HOST is not set (used as ${NAS_HOST})")
    assert "write \\${NAS_HOST} to keep the text as it is" in problem.message


INCLUDING_MONITOR = """
pages:
  - name: Home
    columns:
      - size: full
        widgets:
          - type: monitor
            sites:
              - $include: qb.yml
"""


def test_missing_variable_in_included_file(tmp_path: Path) -> None:
    main = write_file(tmp_path, "luna.yml", INCLUDING_MONITOR)
    write_file(tmp_path, "qb.yml", "- url: http://${QB_HOST}:8080\n  title: qBittorrent\n")

    problem = only_problem(main)

    assert where(problem) == ("qb.yml", 1, 15)
    assert "environment variable QB_HOST is not set" in problem.message


def test_included_variable_loads_once_set(tmp_path: Path) -> None:
    write_file(tmp_path, "luna.yml", INCLUDING_MONITOR)
    write_file(tmp_path, "qb.yml", "- url: http://${QB_HOST}:8080\n  title: qBittorrent\n")

    site = first_site(tmp_path, {"QB_HOST": "10.0.0.5"})

    assert site.url == "http://10.0.0.5:8080"


def test_escaped_variable_in_included_file(tmp_path: Path) -> None:
    write_file(tmp_path, "luna.yml", INCLUDING_MONITOR)
    write_file(tmp_path, "qb.yml", "- url: http://qb.local/\n  title: \\${QB_HOST}\n")

    site = first_site(tmp_path, {})

    assert site.title == "${QB_HOST}"


def test_every_missing_variable_reported(tmp_path: Path) -> None:
    path = monitor_config(tmp_path, title="${FIRST}", url="http://${SECOND}/${THIRD}")

    problems = problems_of(path)

    assert [where(problem) for problem in problems] == [("luna.yml", 8, 24), ("luna.yml", 9, 29), ("luna.yml", 9, 39)]
    assert [problem.message.split(" is not set")[0] for problem in problems] == [
        "environment variable FIRST",
        "environment variable SECOND",
        "environment variable THIRD",
    ]


def test_commented_line_with_unset_variable_ignored(tmp_path: Path) -> None:
    path = write_file(
        tmp_path,
        "luna.yml",
        """
        # server:
        #   port: ${OLD_PORT}
        pages:
          - name: Home
            columns:
              - size: full
                # - type: monitor with ${ALSO_UNSET}
        """,
    )

    loaded = load(path)

    assert loaded.config.server.port == 8080


def test_secret_read_and_trimmed(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    (secrets / "nas_password").write_text("  hunter22\n", encoding="utf-8")
    monitor_config(tmp_path, title="${secret:nas_password}")

    site = first_site(tmp_path, {}, secrets_dir=secrets)

    assert site.title == "hunter22"


def test_missing_secret_reported(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    path = monitor_config(tmp_path, title="${secret:nas_password}")

    problems = problems_of(path, secrets_dir=secrets)

    assert [where(problem) for problem in problems] == [("luna.yml", 8, 24)]
    assert problems[0].message == (
        f'secret "nas_password" not found: {secrets / "nas_password"} does not exist; create the file or mount it there'
    )


def test_read_file_from_env_absolute_path(tmp_path: Path) -> None:
    token_file = tmp_path / "token.txt"
    token_file.write_text("abc123\n", encoding="utf-8")
    monitor_config(tmp_path, title="${readFileFromEnv:TOKEN_FILE}")

    site = first_site(tmp_path, {"TOKEN_FILE": str(token_file)})

    assert site.title == "abc123"


def test_read_file_from_env_relative_rejected(tmp_path: Path) -> None:
    path = monitor_config(tmp_path, title="${readFileFromEnv:TOKEN_FILE}")

    problem = only_problem(path, {"TOKEN_FILE": "token.txt"})

    assert where(problem) == ("luna.yml", 8, 24)
    assert problem.message == (
        'environment variable TOKEN_FILE must hold an absolute file path for readFileFromEnv, got "token.txt"; '
        "write the full path, starting with /"
    )


def test_read_file_from_env_unset_variable(tmp_path: Path) -> None:
    path = monitor_config(tmp_path, title="${readFileFromEnv:TOKEN_FILE}")

    problem = only_problem(path)

    assert where(problem) == ("luna.yml", 8, 24)
    assert problem.message.startswith("environment variable TOKEN_FILE is not set (used as ${readFileFromEnv:TOKEN_FILE})")


def test_read_file_from_env_missing_file(tmp_path: Path) -> None:
    path = monitor_config(tmp_path, title="${readFileFromEnv:TOKEN_FILE}")
    missing = tmp_path / "nowhere.txt"

    problem = only_problem(path, {"TOKEN_FILE": str(missing)})

    assert problem.message.startswith(f"the file named by TOKEN_FILE not found: {missing} does not exist")


def test_substituted_line_text(tmp_path: Path) -> None:
    path = write_file(tmp_path, "luna.yml", "a: ${SHORT} and \\${KEPT} then ${LONG_NAME}\n")

    lines = substituted_lines(path, {"SHORT": "a much longer value", "LONG_NAME": "x"})

    assert lines == ["a: a much longer value and ${KEPT} then x"]


def test_written_column_after_longer_value(tmp_path: Path) -> None:
    path = write_file(tmp_path, "luna.yml", "a: ${V}, b\n")
    source, _ = read_config_source(path)

    substituted = substitute_variables(source, VariableContext({"V": "12345678"}))

    # "b" is at column 13 after substitution and at column 9 as written.
    assert substituted.lines[0].index("b") == 13
    assert substituted.written_column(0, 13) == 9


def test_written_column_inside_value(tmp_path: Path) -> None:
    path = write_file(tmp_path, "luna.yml", "a: ${V}, b\n")
    source, _ = read_config_source(path)

    substituted = substitute_variables(source, VariableContext({"V": "12345678"}))

    assert substituted.written_column(0, 7) == 3


def test_written_column_after_escape(tmp_path: Path) -> None:
    path = write_file(tmp_path, "luna.yml", "a: \\${V}, b\n")
    source, _ = read_config_source(path)

    substituted = substitute_variables(source, VariableContext({}))

    assert substituted.written_column(0, substituted.lines[0].index("b")) == 10


@pytest.mark.parametrize(
    ("reference", "value"),
    [
        ("${TITLE}", "A much longer title than the reference"),
        ("${A_LONG_VARIABLE_NAME}", "x"),
    ],
    ids=["longer value", "shorter value"],
)
def test_error_column_after_substituted_variable(tmp_path: Path, reference: str, value: str) -> None:
    path = write_file(
        tmp_path,
        "luna.yml",
        """
        pages:
          - name: Home
            columns:
              - {size: full, widgets: [{type: clock, title: "REFERENCE", hour-format: 25h}]}
        """.replace("REFERENCE", reference),
    )
    name = reference.strip("${}")

    problem = only_problem(path, {name: value})

    assert where(problem) == ("luna.yml", 4, column_of("25h", path, line=4))
    assert problem.key_path == "pages[0].columns[0].widgets[0].hour-format"


def test_error_line_after_multiline_value(tmp_path: Path) -> None:
    path = write_file(
        tmp_path,
        "luna.yml",
        """
        pages:
          - name: ${PAGE_NAME}
            columns:
              - size: full
                widgets:
                  - type: clock
                    hour-format: 25h
          - name: Other
            columns:
              - size: full
        """,
    )

    problem = only_problem(path, {"PAGE_NAME": "Home\n    slug: start"})

    assert where(problem) == ("luna.yml", 7, 26)
    assert problem.key_path == "pages[0].columns[0].widgets[0].hour-format"
