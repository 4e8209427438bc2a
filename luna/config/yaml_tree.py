"""YAML to plain Python values, keeping the position of every key and value.

PyYAML's composer gives each node its start mark; walking the node tree
ourselves lets us record those marks by key path, reject duplicate keys (which
PyYAML silently lets the last one win) and read plain scalars by the YAML 1.2
core schema, as Go's yaml.v3 does for Glance: `yes`, `no`, `on` and `off`
stay strings and `12:30` is not a sexagesimal number.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # PyYAML built without libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

KeyPath = tuple[str | int, ...]

NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
TRUE = re.compile(r"^(?:true|True|TRUE)$")
FALSE = re.compile(r"^(?:false|False|FALSE)$")
INT_DECIMAL = re.compile(r"^[-+]?[0-9]+$")
INT_OCTAL = re.compile(r"^0o[0-7]+$")
INT_HEX = re.compile(r"^0x[0-9a-fA-F]+$")
FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
INFINITY = re.compile(r"^[-+]?\.(?:inf|Inf|INF)$")
NAN = re.compile(r"^\.(?:nan|NaN|NAN)$")

MERGE_KEY = "<<"


@dataclass(frozen=True)
class Mark:
    """A 0-based line and column in the expanded configuration text."""

    line: int
    column: int


@dataclass(frozen=True)
class ScalarLayout:
    """The position of a scalar value's text, from which a place inside the value is found in the file.

    `style` is PyYAML's: "" for plain, a quote character, "|" for literal
    and ">" for folded block scalars. For block scalars `content_line` is the
    0-based line of the value's first line and `indent` its indentation.
    """

    start: Mark
    style: str
    single_line: bool
    content_line: int = 0
    indent: int = 0


@dataclass
class YamlTree:
    """Parsed values plus the marks of each key and value by key path."""

    value: Any
    key_marks: dict[KeyPath, Mark] = field(default_factory=dict)
    value_marks: dict[KeyPath, Mark] = field(default_factory=dict)
    scalar_layouts: dict[KeyPath, ScalarLayout] = field(default_factory=dict)

    def mark_of(self, path: KeyPath, prefer_key: bool = False) -> Mark | None:
        """Return the mark of the nearest ancestor-or-self of `path` that has one."""

        for end in range(len(path), -1, -1):
            prefix = path[:end]
            first, second = (self.key_marks, self.value_marks) if prefer_key else (self.value_marks, self.key_marks)
            if prefix in first:
                return first[prefix]
            if prefix in second:
                return second[prefix]
        return None

    def mark_inside(self, path: KeyPath, line: int, column: int) -> Mark | None:
        """Return the mark of a 1-based line and column inside the text value at `path`.

        Exact for literal block scalars (`key: |`), whose lines are the lines
        of the file, and for the first line of a one-line plain or quoted
        scalar. Folded and multi-line flow scalars join lines, so for them,
        as for a position past the value, the mark of the value's start is returned.
        """

        layout = self.scalar_layouts.get(path)
        if layout is None:
            return self.mark_of(path)

        if layout.style == "|":
            return Mark(layout.content_line + line - 1, layout.indent + column - 1)
        if layout.style in ("", "'", '"') and layout.single_line and line == 1:
            quote = 1 if layout.style else 0
            return Mark(layout.start.line, layout.start.column + quote + column - 1)
        return layout.start


@dataclass(frozen=True)
class YamlIssue:
    """A problem in the YAML text; `earlier` is the first of two duplicate keys."""

    message: str
    mark: Mark | None
    path: KeyPath = ()
    earlier: Mark | None = None


class YamlSyntaxError(Exception):
    def __init__(self, issue: YamlIssue) -> None:
        super().__init__(issue.message)
        self.issue = issue


def parse_yaml(text: str) -> tuple[YamlTree, list[YamlIssue]]:
    """Parse one YAML document; raise `YamlSyntaxError` when the text is not YAML.

    Problems that still leave a usable value (duplicate keys) are returned.
    """

    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        raise YamlSyntaxError(_syntax_issue(error, text)) from None
    except yaml.YAMLError as error:
        raise YamlSyntaxError(YamlIssue(f"invalid YAML: {error}", None)) from None

    builder = _TreeBuilder(text.split("\n"))
    value = builder.build(node, ()) if node is not None else None
    return YamlTree(value, builder.key_marks, builder.value_marks, builder.scalar_layouts), builder.issues


# Hints for libyaml's and PyYAML's syntax errors, matched by a part of their wording.
SYNTAX_HINTS = (
    ("mapping values are not allowed", 'a plain value cannot contain ": ", so put the value in quotes'),
    ("cannot start any token", "a value that starts with this character must be put in quotes"),
    ("expected ':'", "a key needs a `:` after it"),
    ("expected key", "indent this line like the keys above it"),
    ("expected '-' indicator", "indent this line like the list items above it"),
    ("expected <block end>", "indent this line like the lines above it"),
    ("expected ',' or", "separate the items inside [ ] or { } with commas and close the bracket"),
    ("undefined alias", "an alias *name needs an anchor &name earlier in the file"),
    ("unknown escape", "a backslash inside double quotes starts an escape, so use single quotes or write \\\\"),
    ("another document", "a configuration file contains one YAML document, so remove the `---` line"),
)
AFTER_QUOTE_HINT = "text after a closing quote must go inside the quotes"


def _syntax_issue(error: yaml.MarkedYAMLError, text: str) -> YamlIssue:
    lines = text.split("\n")
    problem_mark = _position(error.problem_mark or error.context_mark)
    context_mark = _position(error.context_mark)

    tab = _tab_in_indentation(lines, problem_mark)
    if tab is not None:
        message = "tab character in indentation; YAML indents with spaces only, so replace the tabs with spaces"
        return YamlIssue(message, tab)

    problem = error.problem or "invalid YAML"
    if problem_mark is not None and _is_past_content(lines, problem_mark):
        # The parser noticed only at the end of the text; where the unclosed
        # quote or bracket starts is more useful, when the parser reports it.
        before_end = context_mark is not None and not _is_past_content(lines, context_mark)
        message = f"invalid YAML: the file ends before a quote or bracket is closed ({problem}); close it"
        return YamlIssue(message, context_mark if before_end else _end_of(lines))

    if "mapping values are not allowed" in problem and problem_mark is not None:
        over_indented = _over_indented_key(lines, problem_mark)
        if over_indented is not None:
            return over_indented

    hint = next((hint for wording, hint in SYNTAX_HINTS if wording in problem), None)
    if problem_mark is not None and _follows_closing_quote(lines, problem_mark):
        hint = AFTER_QUOTE_HINT
    if hint is None:
        context = f" {error.context}" if error.context else ""
        return YamlIssue(f"invalid YAML: {problem}{context}", problem_mark)

    # A key without `:` is noticed on the next line; the key itself is where to look.
    at_key = "expected ':'" in problem and context_mark is not None
    return YamlIssue(f"invalid YAML: {problem}; {hint}", context_mark if at_key else problem_mark)


KEY_AND_VALUE = re.compile(r"^(?P<indent> *)(?:- +)?(?P<key>[^\s#:][^:#]*?):(?: |$)")


def _over_indented_key(lines: list[str], mark: Mark) -> YamlIssue | None:
    """Explain a key indented deeper than the key on the line above it.

    A widget pasted from a README often keeps the README's indentation after
    its first line (`- type: x` then `      title: y`). YAML then reads the
    deeper line as more of the value above, and libyaml's own message talks
    about a colon in a value, which sends the reader the wrong way.
    """

    line = lines[mark.line] if mark.line < len(lines) else ""
    key = KEY_AND_VALUE.match(line)
    if key is None or len(key.group("indent")) + len(key.group("key")) != mark.column:
        return None

    above = _previous_content_line(lines, mark.line)
    if above is None:
        return None
    above_key = KEY_AND_VALUE.match(lines[above])
    if above_key is None:
        return None

    above_column = lines[above].index(above_key.group("key"))
    if above_column >= len(key.group("indent")):
        return None

    message = (
        f'invalid YAML: "{key.group("key").strip()}" is indented deeper than "{above_key.group("key").strip()}" '
        f"on line {above + 1}, so YAML reads it as part of that value; line the keys up at the same column"
    )
    return YamlIssue(message, Mark(mark.line, len(key.group("indent"))))


def _previous_content_line(lines: list[str], index: int) -> int | None:
    for previous in range(index - 1, -1, -1):
        stripped = lines[previous].strip()
        if stripped and not stripped.startswith("#"):
            return previous
    return None


def _follows_closing_quote(lines: list[str], mark: Mark) -> bool:
    """Return whether the error is at text written right after a quoted value, as in `title: "Home"page`."""

    before = lines[mark.line][: mark.column] if mark.line < len(lines) else ""
    return before.rstrip().endswith(('"', "'")) and before.count(before.rstrip()[-1]) >= 2


def _position(mark: yaml.Mark | None) -> Mark | None:
    return Mark(mark.line, mark.column) if mark is not None else None


def _tab_in_indentation(lines: list[str], mark: Mark | None) -> Mark | None:
    """Return where a tab is, when the failing line is indented with one.

    Only the failing line is looked at, because a tab inside a block scalar
    (an html `source: |`) is valid YAML.
    """

    if mark is None or mark.line >= len(lines):
        return None

    line = lines[mark.line]
    indentation = line[: len(line) - len(line.lstrip(" \t"))]
    if "\t" not in indentation:
        return None
    return Mark(mark.line, indentation.index("\t"))


def _is_past_content(lines: list[str], mark: Mark) -> bool:
    """Return whether nothing but blanks follows the mark."""

    if mark.line >= len(lines):
        return True
    rest = [lines[mark.line][mark.column :], *lines[mark.line + 1 :]]
    return not any(part.strip() for part in rest)


def _end_of(lines: list[str]) -> Mark:
    """Return the place just after the last character of the text that is not blank."""

    for index in range(len(lines) - 1, -1, -1):
        if lines[index].strip():
            return Mark(index, len(lines[index].rstrip()))
    return Mark(0, 0)


class _WrittenNumber:
    """A number that keeps the text it was written as.

    Glance's YAML decoder gives a text field the scalar as written, so
    `title: 1.10` or `password: 007` must reach such a field unchanged.
    pydantic's `coerce_numbers_to_str` calls `str()`, which returns `text`.
    """

    text: str

    def __new__(cls, value: Any, text: str | None = None) -> Any:
        number = super().__new__(cls, value)  # type: ignore[call-arg]
        number.text = super(_WrittenNumber, number).__repr__() if text is None else text
        return number

    def __str__(self) -> str:
        return self.text


class WrittenInt(_WrittenNumber, int):
    pass


class WrittenFloat(_WrittenNumber, float):
    pass


class _TreeBuilder:
    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.key_marks: dict[KeyPath, Mark] = {}
        self.value_marks: dict[KeyPath, Mark] = {}
        self.scalar_layouts: dict[KeyPath, ScalarLayout] = {}
        self.issues: list[YamlIssue] = []

    def report(self, issue: YamlIssue) -> None:
        # An alias builds its anchor's node again under another path, which
        # would repeat the anchor's problems once per use.
        if all((issue.message, issue.mark) != (known.message, known.mark) for known in self.issues):
            self.issues.append(issue)

    def build(self, node: Node, path: KeyPath) -> Any:
        self.value_marks.setdefault(path, _mark(node))

        if isinstance(node, MappingNode):
            return self._mapping(node, path)
        if isinstance(node, SequenceNode):
            return [self.build(item, path + (index,)) for index, item in enumerate(node.value)]
        self.scalar_layouts.setdefault(path, self._layout(node))
        return _scalar(node)

    def _layout(self, node: ScalarNode) -> ScalarLayout:
        start = _mark(node)
        style = node.style or ""
        single_line = node.end_mark.line == node.start_mark.line
        if style not in ("|", ">"):
            return ScalarLayout(start, style, single_line)

        # The content starts on the line after the `|` or `>` indicator, and
        # its first line that is not blank sets the indentation.
        content_line = start.line + 1
        content = self.lines[content_line : node.end_mark.line + 1]
        indent = next((len(line) - len(line.lstrip(" ")) for line in content if line.strip()), 0)
        return ScalarLayout(start, style, single_line, content_line, indent)

    def _mapping(self, node: MappingNode, path: KeyPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_seen: dict[str, Mark] = {}
        merges: list[Node] = []

        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode) and key_node.value == MERGE_KEY and _is_plain(key_node):
                merges.append(value_node)
                continue

            key = self._key(key_node)
            key_mark = _mark(key_node)
            if key in first_seen:
                message = f'duplicate key "{key}"; keep one of them and remove the other'
                self.report(YamlIssue(message, key_mark, path + (key,), first_seen[key]))
            first_seen[key] = key_mark
            self.key_marks[path + (key,)] = key_mark
            result[key] = self.build(value_node, path + (key,))

        for merge in merges:
            self._merge(merge, path, result)
        return result

    def _merge(self, node: Node, path: KeyPath, result: dict[str, Any]) -> None:
        """Add the keys of `<<` mappings that the mapping does not set itself.

        Keys written in the mapping win over merged ones, and an earlier merged
        mapping wins over a later one, as YAML's merge key defines.
        """

        sources = node.value if isinstance(node, SequenceNode) else [node]
        for source in sources:
            if not isinstance(source, MappingNode):
                self.report(YamlIssue("`<<` merges only mappings (an alias such as *defaults)", _mark(source)))
                continue

            # Built apart, so the marks of keys the mapping overrides stay on its own lines.
            scratch = _TreeBuilder(self.lines)
            merged = scratch._mapping(source, path)
            added = {key for key in merged if key not in result}
            result.update({key: merged[key] for key in merged if key in added})
            self._adopt_marks(scratch, path, added)
            for issue in scratch.issues:
                self.report(issue)

    def _adopt_marks(self, scratch: _TreeBuilder, path: KeyPath, keys: set[str]) -> None:
        pairs: list[tuple[dict[KeyPath, Any], dict[KeyPath, Any]]] = [
            (self.key_marks, scratch.key_marks),
            (self.value_marks, scratch.value_marks),
            (self.scalar_layouts, scratch.scalar_layouts),
        ]
        for own, theirs in pairs:
            for mark_path, mark in theirs.items():
                if len(mark_path) > len(path) and mark_path[len(path)] in keys:
                    own.setdefault(mark_path, mark)

    def _key(self, node: Node) -> str:
        if isinstance(node, ScalarNode):
            return node.value
        self.report(YamlIssue("a mapping key must be plain text", _mark(node)))
        return f"<{node.id} at line {node.start_mark.line + 1}>"


def _is_plain(node: ScalarNode) -> bool:
    # The pure-Python composer marks plain scalars with None, libyaml with "".
    return not node.style


def _mark(node: Node) -> Mark:
    return Mark(node.start_mark.line, node.start_mark.column)


def _scalar(node: ScalarNode) -> Any:
    # Quoted and block scalars are always text. An explicit `!!str` on a plain
    # scalar is not told apart from an implicit one, because PyYAML's node does
    # not keep that flag; quoting does the same job.
    if not _is_plain(node):
        return node.value
    return resolve_plain_scalar(node.value)


def resolve_plain_scalar(text: str) -> Any:
    """Read an unquoted scalar by the YAML 1.2 core schema."""

    if NULL.match(text):
        return None
    if TRUE.match(text):
        return True
    if FALSE.match(text):
        return False
    if INT_DECIMAL.match(text):
        return WrittenInt(int(text), text)
    if INT_OCTAL.match(text):
        return WrittenInt(int(text[2:], 8), text)
    if INT_HEX.match(text):
        return WrittenInt(int(text[2:], 16), text)
    if FLOAT.match(text):
        return WrittenFloat(float(text), text)
    if INFINITY.match(text):
        return WrittenFloat(-math.inf if text.startswith("-") else math.inf, text)
    if NAN.match(text):
        return WrittenFloat(math.nan, text)
    return text
