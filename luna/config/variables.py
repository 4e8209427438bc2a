"""`${VAR}`, `${secret:NAME}` and `${readFileFromEnv:VAR}` substitution.

As in Glance, substitution runs on the text after includes are expanded and
before YAML parsing, so a variable may stand anywhere, even inside a key. Unlike
Glance, whole-line comments are left alone: a commented-out line that names an
unset variable is not an error.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from luna.config.errors import ConfigProblem, Location
from luna.config.source import ExpandedSource

# An optional backslash (the escape), an optional `kind:` prefix and the name.
VARIABLE = re.compile(r"(?P<escape>\\?)\$\{(?:(?P<kind>[a-zA-Z]+):)?(?P<name>[a-zA-Z0-9_-]+)\}")
ENV_NAME = re.compile(r"^[A-Z0-9_]+$")
COMMENT_LINE = re.compile(r"^\s*#")

REDACTED = "***"


@dataclass(frozen=True)
class VariableContext:
    """Where substituted values come from; tests replace the environment and folder."""

    environ: Mapping[str, str]
    secrets_dir: Path = Path("/run/secrets")


def substitute_variables(
    source: ExpandedSource, context: VariableContext, redact_secrets: bool = False
) -> tuple[list[str], list[ConfigProblem]]:
    """Return the lines with every variable replaced, and a problem per unresolved one.

    With `redact_secrets`, values read from secret files are replaced by `***`,
    for printing the configuration.
    """

    problems: list[ConfigProblem] = []
    lines = [
        _substitute_line(text, index, source, context, redact_secrets, problems)
        for index, text in enumerate(source.lines)
    ]
    return lines, problems


def _substitute_line(
    text: str,
    index: int,
    source: ExpandedSource,
    context: VariableContext,
    redact_secrets: bool,
    problems: list[ConfigProblem],
) -> str:
    if "${" not in text or COMMENT_LINE.match(text):
        return text

    def replace(match: re.Match[str]) -> str:
        if match["escape"]:
            return match.group(0)[1:]

        try:
            value = _resolve(match["kind"], match["name"], context)
        except VariableError as error:
            problems.append(ConfigProblem(str(error), source.locate(index, match.start())))
            return match.group(0)

        if value is None:
            return match.group(0)
        if redact_secrets and match["kind"]:
            return REDACTED
        return value

    return VARIABLE.sub(replace, text)


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
        return _read_value_file(context.secrets_dir / name, f"secret {name!r}")

    if kind == "readFileFromEnv":
        if name not in context.environ:
            raise VariableError(f"environment variable {name} is not set (used as ${{readFileFromEnv:{name}}})")
        path = Path(context.environ[name])
        if not path.is_absolute():
            raise VariableError(
                f"environment variable {name} must hold an absolute file path for readFileFromEnv, got {str(path)!r}"
            )
        return _read_value_file(path, f"the file named by {name}")

    return None


def _read_value_file(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise VariableError(f"{what} not found: {path} does not exist") from None
    except OSError as error:
        raise VariableError(f"cannot read {what} at {path}: {error.strerror}") from None

