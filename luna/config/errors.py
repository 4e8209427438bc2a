"""Configuration problems with the file, line and column they come from."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Location:
    """A position in a configuration file; line and column start at 1."""

    file: Path
    line: int
    column: int

    def __str__(self) -> str:
        return f"{display_path(self.file)}:{self.line}:{self.column}"


@dataclass(frozen=True)
class ConfigProblem:
    """One thing wrong with a configuration, reported as `FILE:LINE:COLUMN: message`."""

    message: str
    location: Location | None = None
    key_path: str = ""

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        what = f"{self.key_path}: " if self.key_path else ""
        return f"{where}{what}{self.message}"


class ValuePositionError(ValueError):
    """An invalid text value whose problem sits at a 1-based line and column inside the text.

    Raised by model validators, such as the check of a custom-api template,
    so the problem is reported at that place in the file rather than at the
    start of the value.
    """

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


class MisplacedKeyError(ValueError):
    """A key that is valid in its model but not next to the other keys given, such as a remote-only key on a local server.

    Raised by field validators, so every such key is reported together with
    the other problems, each at the key itself rather than at its value.
    """


class ConfigError(Exception):
    """A configuration that cannot be used, with every problem found in it."""

    def __init__(self, problems: list[ConfigProblem]) -> None:
        self.problems = sorted(problems, key=_problem_order)
        super().__init__("\n".join(str(problem) for problem in self.problems))


def _problem_order(problem: ConfigProblem) -> tuple:
    if problem.location is None:
        return ("", 0, 0)
    return (str(problem.location.file), problem.location.line, problem.location.column)


def display_path(path: Path) -> str:
    """Return the path relative to the working folder when it lies inside it."""

    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
