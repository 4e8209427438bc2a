"""The configuration text: `$include` expansion with a map back to each file's lines.

Glance and the Go luna expand includes on the raw text before YAML sees it, so a
YAML error points into the merged text. Here every expanded line remembers the
file and line it came from, so errors point into the file the user edits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from luna.config.errors import ConfigProblem, Location

MAX_INCLUDE_DEPTH = 20

# `$include: file`, `!include: file` and the list-item form `- $include: file`.
INCLUDE_LINE = re.compile(r"^(?P<indent>[ \t]*)(?P<dash>- +)?[$!]include:[ \t]*(?P<path>.*?)[ \t]*$")


@dataclass(frozen=True)
class SourceLine:
    """Where one line of the expanded text was written.

    `shift` is how many characters the expansion added in front of the original
    text (the indentation of the include directive), so a column in the expanded
    line minus `shift` is the column in the file.
    """

    file: Path
    line: int
    shift: int = 0


@dataclass
class ExpandedSource:
    """The configuration text with every include expanded, line by line."""

    lines: list[str] = field(default_factory=list)
    origins: list[SourceLine] = field(default_factory=list)
    # Every file the configuration reads, including includes that are missing.
    files: list[Path] = field(default_factory=list)
    # Indexes of the lines (a key or a list item) whose content an include
    # that failed should have supplied: problems found there follow from
    # that failure, such as `pages:` being empty.
    incomplete_lines: set[int] = field(default_factory=set)

    @property
    def text(self) -> str:
        return "".join(line + "\n" for line in self.lines)

    def locate(self, line_index: int, column_index: int) -> Location | None:
        """Map a 0-based line and column of the expanded text to a file location."""

        if not self.origins:
            return None

        line_index = min(max(line_index, 0), len(self.origins) - 1)
        origin = self.origins[line_index]
        column = max(column_index - origin.shift, 0) + 1
        return Location(origin.file, origin.line, column)


def read_config_source(path: Path) -> tuple[ExpandedSource, list[ConfigProblem]]:
    """Read the main file and expand its includes, collecting every problem found."""

    source = ExpandedSource()
    problems: list[ConfigProblem] = []
    _expand_file(path.resolve(), "", source, problems, chain=[], directive=None)
    return source, problems


def _expand_file(
    path: Path,
    prefix: str,
    source: ExpandedSource,
    problems: list[ConfigProblem],
    chain: list[Path],
    directive: Location | None,
) -> bool:
    """Append the lines of one file, expanding its includes; return False when it cannot be read."""

    # Listed before reading, so a watcher also notices a missing file appearing.
    if path not in source.files:
        source.files.append(path)

    text = _read_text(path, problems, directive)
    if text is None:
        return False

    for number, line in enumerate(text.splitlines(), start=1):
        match = INCLUDE_LINE.match(line)
        if match is None:
            source.lines.append(prefix + line)
            source.origins.append(SourceLine(path, number, len(prefix)))
            continue

        here = Location(path, number, len(match["indent"]) + 1)
        indent = prefix + match["indent"]
        target = _include_target(match["path"], path)
        problem = _include_problem(target, path, chain, here)
        if problem is not None:
            problems.append(problem)
        elif _expand_file(target, indent, source, problems, chain + [path], here):
            continue
        _mark_incomplete(source, len(indent), list_item=bool(match["dash"]))
    return True


def _include_problem(
    target: Path | None, including_file: Path, chain: list[Path], here: Location
) -> ConfigProblem | None:
    """Return why an include directive cannot be followed, or None when it can."""

    if target is None:
        return ConfigProblem("$include needs a file name, for example `$include: widgets.yml`", here)

    nested_chain = chain + [including_file]
    if target in nested_chain:
        cycle = " → ".join(p.name for p in nested_chain + [target])
        return ConfigProblem(f"include cycle: {cycle}; remove one of these includes", here)
    if len(nested_chain) > MAX_INCLUDE_DEPTH:
        return ConfigProblem(
            f"includes nested more than {MAX_INCLUDE_DEPTH} levels deep at {target.name}; "
            "include the file from a shallower level",
            here,
        )
    return None


def _mark_incomplete(source: ExpandedSource, indent_width: int, list_item: bool) -> None:
    """Remember the line that owns the content a failed include should have supplied.

    The owner is the nearest line above that is indented less than the
    directive, or, for `- $include`, a key at the same indentation, because
    YAML allows a list to start at its key's indentation.
    """

    for index in range(len(source.lines) - 1, -1, -1):
        line = source.lines[index]
        content = line.lstrip(" ")
        if not content or content.startswith("#"):
            continue

        width = len(line) - len(content)
        if width < indent_width or (list_item and width == indent_width and not content.startswith("-")):
            source.incomplete_lines.add(index)
            return


def _include_target(raw: str, including_file: Path) -> Path | None:
    name = raw.strip().strip("\"'")
    if not name:
        return None

    target = Path(name).expanduser()
    if not target.is_absolute():
        target = including_file.parent / target
    return target.resolve()


def _read_text(path: Path, problems: list[ConfigProblem], directive: Location | None) -> str | None:
    what = "included file" if directive else "configuration file"
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        hint = "; check the name, which is relative to the folder of the file that includes it" if directive else ""
        problems.append(ConfigProblem(f"{what} not found: {path}{hint}", directive))
        return None
    except IsADirectoryError:
        problems.append(ConfigProblem(f"{what} is a folder, not a file: {path}", directive))
        return None
    except OSError as error:
        problems.append(ConfigProblem(f"cannot read {what} {path}: {error.strerror}", directive))
        return None

    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        problems.append(ConfigProblem("the file is not valid UTF-8 text", Location(path, line, 1)))
        return None

    # Windows line endings would leave a `\r` at the end of every value.
    return text.replace("\r\n", "\n").replace("\r", "\n")
