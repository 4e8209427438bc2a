"""Load `luna.yml`: read, expand includes, substitute variables, parse and validate."""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values

from luna.config.errors import ConfigError, ConfigProblem, Location
from luna.config.models import Config
from luna.config.source import ExpandedSource, read_config_source
from luna.config.validation import format_key_path, validate_config
from luna.config.variables import REDACTED, SubstitutedText, VariableContext, substitute_variables
from luna.config.yaml_tree import Mark, YamlIssue, YamlSyntaxError, parse_yaml

logger = logging.getLogger(__name__)

DEFAULT_CONFIG_NAME = "luna.yml"
# Glance users bring their file under its own name.
FALLBACK_CONFIG_NAMES = ("luna.yaml", "glance.yml", "glance.yaml")

# Keys whose values `luna config print` hides, in block (`key: value`) and
# flow (`{key: value, …}`) mappings.
SENSITIVE_KEYS = (
    # Header names such as X-Api-Key and X-Auth-Token count too.
    r"[\"']?(?:x-)?(?:password|password-hash|secret-key|token|api-key|apikey|api_key|client-secret|secret|gitlab-token"
    r"|authorization|auth-token|access-token)[\"']?"
)
SENSITIVE_BLOCK_VALUE = re.compile(
    rf"^(?P<lead>\s*(?:-\s+)?{SENSITIVE_KEYS}\s*:\s*)"
    rf"(?P<value>\"[^\"]*\"|'[^']*'|[^#\s{{].*?)(?P<trail>\s+#.*)?$",
    re.IGNORECASE,
)
SENSITIVE_FLOW_VALUE = re.compile(
    rf"(?P<lead>[{{,]\s*{SENSITIVE_KEYS}\s*:\s*)(?P<value>[^,}}\s][^,}}]*?)(?=\s*[,}}])",
    re.IGNORECASE,
)


@dataclass
class LoadedConfig:
    """A valid configuration with the files it was read from."""

    config: Config
    path: Path | None
    files: list[Path] = field(default_factory=list)
    fingerprint: str = ""


@dataclass
class PreparedText:
    """The configuration text after includes and variables, ready for YAML."""

    source: ExpandedSource
    substituted: SubstitutedText
    problems: list[ConfigProblem]

    @property
    def lines(self) -> list[str]:
        return self.substituted.lines

    @property
    def text(self) -> str:
        return "".join(line + "\n" for line in self.lines)

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()

    def locate(self, mark: Mark) -> Location | None:
        """Map a mark in the text YAML parsed to the file, line and column the user wrote."""

        line, column = self.substituted.written_position(mark.line, mark.column)
        return self.source.locate(line, column)


def prepare_text(path: Path, variables: VariableContext, redact_secrets: bool = False) -> PreparedText:
    source, problems = read_config_source(path)
    substituted = substitute_variables(source, variables, redact_secrets)
    return PreparedText(source, substituted, problems + substituted.problems)


def load_config(path: Path, environ: Mapping[str, str] | None = None, secrets_dir: Path | None = None) -> LoadedConfig:
    """Load and validate a configuration file; raise `ConfigError` listing every problem."""

    variables = _variable_context(environ, secrets_dir)
    prepared = prepare_text(path, variables)
    config = parse_and_validate(prepared)
    return LoadedConfig(config, path.resolve(), list(prepared.source.files), prepared.fingerprint)


def parse_and_validate(prepared: PreparedText) -> Config:
    source = prepared.source
    problems = list(prepared.problems)
    if problems and not source.lines:
        # Nothing could be read, and "the configuration is empty" would only repeat that.
        raise ConfigError(problems)

    try:
        tree, yaml_issues = parse_yaml(prepared.text)
    except YamlSyntaxError as error:
        mark = error.issue.mark
        problems.append(ConfigProblem(error.issue.message, prepared.locate(mark) if mark else _first_line(source)))
        raise ConfigError(problems) from None

    problems += [_yaml_problem(issue, prepared) for issue in yaml_issues]

    config, validation_problems = validate_config(tree, prepared.locate)
    # A problem with the whole document, such as an empty file, has no key
    # to point at, so it points at the start of the main file.
    validation_problems = [
        problem if problem.location else dataclasses.replace(problem, location=_first_line(source))
        for problem in validation_problems
    ]
    problems += _without_consequences(validation_problems, prepared)

    if problems or config is None:
        raise ConfigError(problems or [ConfigProblem("the configuration is invalid", _first_line(source))])
    return config


def _yaml_problem(issue: YamlIssue, prepared: PreparedText) -> ConfigProblem:
    location = prepared.locate(issue.mark) if issue.mark else None
    message = issue.message

    earlier = prepared.locate(issue.earlier) if issue.earlier else None
    if earlier is not None:
        same_file = location is not None and location.file == earlier.file
        message += f" (the first is on line {earlier.line})" if same_file else f" (the first is at {earlier})"
    return ConfigProblem(message, location, format_key_path(issue.path))


def _without_consequences(problems: list[ConfigProblem], prepared: PreparedText) -> list[ConfigProblem]:
    """Leave out model problems that only repeat a problem already reported.

    A line with an unresolved variable still reads `${NAME}`, so the model
    check would report the same mistake again as an invalid value. A key whose
    content a failed include should have supplied would be reported as empty.
    """

    repeated = {(p.location.file, p.location.line) for p in prepared.problems if p.location}
    for index in prepared.source.incomplete_lines:
        owner = prepared.source.locate(index, 0)
        if owner is not None:
            repeated.add((owner.file, owner.line))
    return [
        problem
        for problem in problems
        if problem.location is None or (problem.location.file, problem.location.line) not in repeated
    ]


def print_config_text(path: Path, environ: Mapping[str, str] | None = None, secrets_dir: Path | None = None) -> str:
    """Return the resolved configuration text with secrets replaced by `***`."""

    prepared = prepare_text(path, _variable_context(environ, secrets_dir), redact_secrets=True)
    if prepared.problems:
        raise ConfigError(prepared.problems)
    return "".join(_redact_line(line) + "\n" for line in prepared.lines)


def _redact_line(line: str) -> str:
    line = SENSITIVE_FLOW_VALUE.sub(lambda match: match["lead"] + REDACTED, line)

    match = SENSITIVE_BLOCK_VALUE.match(line)
    if match is None:
        return line
    return match["lead"] + REDACTED + (match["trail"] or "")


def _first_line(source: ExpandedSource) -> Location | None:
    located = source.locate(0, 0)
    if located is None and source.files:
        # An empty file has no lines to map; its first line is still where to look.
        return Location(source.files[0], 1, 1)
    return located


def _variable_context(environ: Mapping[str, str] | None, secrets_dir: Path | None) -> VariableContext:
    context = VariableContext(os.environ if environ is None else environ)
    if secrets_dir is not None:
        context = VariableContext(context.environ, secrets_dir)
    return context


def find_config_path(explicit: str | None, environ: Mapping[str, str]) -> Path | None:
    """Return the file named by --config or LUNA_CONFIG, else luna.yml in the working folder if present."""

    named = explicit or environ.get("LUNA_CONFIG")
    if named:
        return Path(named).expanduser()

    for name in (DEFAULT_CONFIG_NAME, *FALLBACK_CONFIG_NAMES):
        candidate = Path(name)
        if candidate.is_file():
            return candidate
    return None


def load_dotenv_file(folder: Path, environ: dict[str, str] | os._Environ[str]) -> list[str]:
    """Add the variables of `.env` in `folder` that the environment does not already set.

    Returns the names that were added; a variable set in the real environment
    always wins over the file.
    """

    path = folder / ".env"
    if not path.is_file():
        return []

    added = []
    for name, value in dotenv_values(path).items():
        if value is None or name in environ:
            continue
        environ[name] = value
        added.append(name)
    logger.info("read %d variables from %s", len(added), path)
    return added
