"""`${VAR}`, `${secret:NAME}` and `${readFileFromEnv:VAR}` substitution.

As in Glance, substitution runs on the text after includes are expanded and
before YAML parsing, so a variable may stand anywhere, even inside a key. Unlike
Glance, whole-line comments are left alone: a commented-out line that names an
unset variable is not an error.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from luna.config.errors import ConfigProblem, Location
from luna.config.source import ExpandedSource

# An optional backslash (the escape), an optional `kind:` prefix and the name.
VARIABLE = re.compile(r"(?P<escape>\\?)\$\{(?:(?P<kind>[a-zA-Z]+):)?(?P<name>[a-zA-Z0-9_-]+)\}")
ENV_NAME = re.compile(r"^[A-Z0-9_]+$")
COMMENT_LINE = re.compile(r"^\s*#")

logger = logging.getLogger(__name__)

REDACTED = "***"


@dataclass(frozen=True)
class VariableContext:
    """Where substituted values come from; tests replace the environment and folder."""

    environ: Mapping[str, str]
    secrets_dir: Path = Path("/run/secrets")


@dataclass(frozen=True)
class Replacement:
    """One `${…}` reference replaced in a line: its 0-based span before and after substitution."""

    written_start: int
    written_end: int
    substituted_start: int
    substituted_end: int


@dataclass
class SubstitutedText:
    """The expanded lines with variables replaced, and what is needed to point back at them."""

    lines: list[str]
    problems: list[ConfigProblem]
    # Replacements by line index, in the order they appear in the line.
    replacements: dict[int, list[Replacement]] = field(default_factory=dict)

    def written_column(self, line_index: int, column_index: int) -> int:
        """Map a 0-based column of a substituted line to the same place in the line as written.

        A column inside a substituted value maps to the start of its `${…}` reference.
        """

        shift = 0
        for replacement in self.replacements.get(line_index, []):
            if column_index < replacement.substituted_start:
                break
            if column_index < replacement.substituted_end:
                return replacement.written_start
            shift = replacement.written_end - replacement.substituted_end
        return column_index + shift

    def written_position(self, text_line: int, text_column: int) -> tuple[int, int]:
        """Map a 0-based line and column of the joined text to a line index and column as written.

        A value with a line break adds lines to the text, so text lines and
        `lines` are counted apart.
        """

        starts = self._text_line_starts
        line_index, offset = starts[min(text_line, len(starts) - 1)]
        return line_index, self.written_column(line_index, offset + text_column)

    @cached_property
    def _text_line_starts(self) -> list[tuple[int, int]]:
        """For each line of the joined text, its index in `lines` and its offset in that line."""

        starts = []
        for index, line in enumerate(self.lines):
            offset = 0
            for part in line.split("\n"):
                starts.append((index, offset))
                offset += len(part) + 1
        return starts or [(0, 0)]


def substitute_variables(
    source: ExpandedSource, context: VariableContext, redact_secrets: bool = False
) -> SubstitutedText:
    """Replace every variable in the expanded lines, with a problem per unresolved one.

    With `redact_secrets`, values read from secret files are replaced by `***`,
    for printing the configuration.
    """

    result = SubstitutedText([], [])
    for index, text in enumerate(source.lines):
        line, replacements = _substitute_line(text, index, source, context, redact_secrets, result.problems)
        result.lines.append(line)
        if replacements:
            result.replacements[index] = replacements
    return result


def _substitute_line(
    text: str,
    index: int,
    source: ExpandedSource,
    context: VariableContext,
    redact_secrets: bool,
    problems: list[ConfigProblem],
) -> tuple[str, list[Replacement]]:
    if "${" not in text or COMMENT_LINE.match(text):
        return text, []

    pieces: list[str] = []
    replacements: list[Replacement] = []
    written_end = 0
    length = 0
    for match in VARIABLE.finditer(text):
        value = _replacement_text(match, index, source, context, redact_secrets, problems)
        unchanged = text[written_end : match.start()]
        pieces += [unchanged, value]

        start = length + len(unchanged)
        length = start + len(value)
        replacements.append(Replacement(match.start(), match.end(), start, length))
        written_end = match.end()

    pieces.append(text[written_end:])
    return "".join(pieces), replacements


def _replacement_text(
    match: re.Match[str],
    index: int,
    source: ExpandedSource,
    context: VariableContext,
    redact_secrets: bool,
    problems: list[ConfigProblem],
) -> str:
    if match["escape"]:
        return match.group(0)[1:]

    try:
        value = _resolve(match["kind"], match["name"], context)
    except VariableError as error:
        problems.append(ConfigProblem(str(error), source.locate(index, match.start())))
        return match.group(0)

    if value is None:
        _warn_if_mistyped(match, source.locate(index, match.start()))
        return match.group(0)
    if redact_secrets and match["kind"]:
        return REDACTED
    return value


def _warn_if_mistyped(match: re.Match[str], location: Location | None) -> None:
    """Warn about `${Name}` in lower or mixed case, which stays as written and so often goes out unnoticed.

    Glance leaves such text alone too, and a published community widget uses
    one, so it cannot be an error. A token sent as `${Github_Token}` is still
    a mistake worth a line in the log.
    """

    if match["kind"] is not None:
        return
    name = match["name"]
    suggestion = re.sub(r"[^A-Z0-9_]", "_", name.upper())
    logger.warning(
        "%s: ${%s} is left as written, because environment variable names use only capital letters, digits "
        "and _; write ${%s} and set %s, or write \\${%s} to keep the text and silence this warning",
        location or "configuration",
        name,
        suggestion,
        suggestion,
        name,
    )


class VariableError(Exception):
    pass


def _resolve(kind: str | None, name: str, context: VariableContext) -> str | None:
    """Return the value, or None to leave the text as written (as Glance does)."""

    if kind is None:
        if not ENV_NAME.match(name):
            return None
        if name not in context.environ:
            raise VariableError(
                f"environment variable {name} is not set (used as ${{{name}}}); set it in the environment "
                f"or in a .env file in the working folder, or write \\${{{name}}} to keep the text as it is"
            )
        return context.environ[name]

    if kind == "secret":
        return _read_value_file(context.secrets_dir / name, f'secret "{name}"')

    if kind == "readFileFromEnv":
        if name not in context.environ:
            raise VariableError(
                f"environment variable {name} is not set (used as ${{readFileFromEnv:{name}}}); "
                "set it to the absolute path of the file to read"
            )
        path = Path(context.environ[name])
        if not path.is_absolute():
            raise VariableError(
                f'environment variable {name} must hold an absolute file path for readFileFromEnv, got "{path}"; '
                "write the full path, starting with /"
            )
        return _read_value_file(path, f"the file named by {name}")

    return None


def _read_value_file(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise VariableError(f"{what} not found: {path} does not exist; create the file or mount it there") from None
    except OSError as error:
        raise VariableError(f"cannot read {what} at {path}: {error.strerror}") from None

