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


@dataclass
class YamlTree:
    """Parsed values plus the marks of each key and value by key path."""

    value: Any
    key_marks: dict[KeyPath, Mark] = field(default_factory=dict)
    value_marks: dict[KeyPath, Mark] = field(default_factory=dict)

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


@dataclass(frozen=True)
class YamlIssue:
    message: str
    mark: Mark | None


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

    builder = _TreeBuilder()
    value = builder.build(node, ()) if node is not None else None
    return YamlTree(value, builder.key_marks, builder.value_marks), builder.issues


def _syntax_issue(error: yaml.MarkedYAMLError, text: str) -> YamlIssue:
    mark = error.problem_mark or error.context_mark
    position = Mark(mark.line, mark.column) if mark else None
    lines = text.split("\n")

    tab_line = _first_tab_indented_line(lines, position.line if position else len(lines) - 1)
    if tab_line is not None:
        column = len(lines[tab_line]) - len(lines[tab_line].lstrip(" \t"))
        return YamlIssue(
            "tab character in indentation; YAML indents with spaces only, so replace the tabs with spaces",
            Mark(tab_line, lines[tab_line].index("\t") if column else 0),
        )

    problem = error.problem or "invalid YAML"
    context = f" {error.context}" if error.context else ""
    return YamlIssue(f"invalid YAML: {problem}{context}".strip(), position)


def _first_tab_indented_line(lines: list[str], up_to: int) -> int | None:
    """Return the first line up to the failing one whose indentation contains a tab."""

    for index in range(0, min(up_to, len(lines) - 1) + 1):
        line = lines[index]
        indentation = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indentation and line.strip():
            return index
    return None


class _TreeBuilder:
    def __init__(self) -> None:
        self.key_marks: dict[KeyPath, Mark] = {}
        self.value_marks: dict[KeyPath, Mark] = {}
        self.issues: list[YamlIssue] = []

    def build(self, node: Node, path: KeyPath) -> Any:
        self.value_marks.setdefault(path, _mark(node))

        if isinstance(node, MappingNode):
            return self._mapping(node, path)
        if isinstance(node, SequenceNode):
            return [self.build(item, path + (index,)) for index, item in enumerate(node.value)]
        return _scalar(node)

    def _mapping(self, node: MappingNode, path: KeyPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        merged: dict[str, Any] = {}
        first_seen: dict[str, Mark] = {}

        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode) and key_node.value == MERGE_KEY and _is_plain(key_node):
                merged.update(self._merge_sources(value_node, path))
                continue

            key = self._key(key_node)
            key_mark = _mark(key_node)
            if key in first_seen:
                self.issues.append(
                    YamlIssue(
                        f'duplicate key "{key}" (first set on line {first_seen[key].line + 1}); '
                        "remove one of them, the later one would win",
                        key_mark,
                    )
                )
            first_seen[key] = key_mark
            self.key_marks[path + (key,)] = key_mark
            result[key] = self.build(value_node, path + (key,))

        for key, value in merged.items():
            result.setdefault(key, value)
        return result

    def _merge_sources(self, node: Node, path: KeyPath) -> dict[str, Any]:
        sources = node.value if isinstance(node, SequenceNode) else [node]
        merged: dict[str, Any] = {}
        for source in sources:
            if not isinstance(source, MappingNode):
                self.issues.append(YamlIssue("`<<` merges only mappings (an alias such as *defaults)", _mark(source)))
                continue
            for key, value in self._mapping(source, path).items():
                merged.setdefault(key, value)
        return merged

    def _key(self, node: Node) -> str:
        if isinstance(node, ScalarNode):
            return node.value
        self.issues.append(YamlIssue("a mapping key must be plain text", _mark(node)))
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
        return int(text)
    if INT_OCTAL.match(text):
        return int(text[2:], 8)
    if INT_HEX.match(text):
        return int(text[2:], 16)
    if FLOAT.match(text):
        return float(text)
    if INFINITY.match(text):
        return -math.inf if text.startswith("-") else math.inf
    if NAN.match(text):
        return math.nan
    return text
