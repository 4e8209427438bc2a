"""Write configuration files into a test folder and read back the problems luna finds."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from pathlib import Path

import pytest

from luna.config.errors import ConfigError, ConfigProblem
from luna.config.loader import LoadedConfig, load_config

# A page that is valid on its own, for tests about something else.
MINIMAL_PAGES = """
pages:
  - name: Home
    columns:
      - size: full
        widgets:
          - type: clock
"""


def write_file(folder: Path, name: str, text: str) -> Path:
    """Write dedented text to `folder/name`, creating subfolders, and return the path."""

    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def load(path: Path, environ: Mapping[str, str] | None = None, secrets_dir: Path | None = None) -> LoadedConfig:
    return load_config(path, environ=environ or {}, secrets_dir=secrets_dir)


def problems_of(
    path: Path, environ: Mapping[str, str] | None = None, secrets_dir: Path | None = None
) -> list[ConfigProblem]:
    """Load a configuration that must be invalid and return every problem reported."""

    with pytest.raises(ConfigError) as raised:
        load(path, environ, secrets_dir)
    return raised.value.problems


def only_problem(path: Path, environ: Mapping[str, str] | None = None) -> ConfigProblem:
    problems = problems_of(path, environ)
    assert len(problems) == 1, "\n".join(str(problem) for problem in problems)
    return problems[0]


def where(problem: ConfigProblem) -> tuple[str, int, int]:
    """Return the file name, line and column of a problem, for compact asserts."""

    assert problem.location is not None, f"no location: {problem}"
    return problem.location.file.name, problem.location.line, problem.location.column
