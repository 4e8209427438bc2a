"""The syntax tree of a parsed template. Every node records where it starts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Node:
    line: int
    column: int


@dataclass
class TextNode(Node):
    text: str


@dataclass
class ConstantNode(Node):
    """A literal: number, string, character, bool or nil."""

    value: Any
    is_number_literal: bool = False


@dataclass
class DotNode(Node):
    pass


@dataclass
class FieldNode(Node):
    """``.A.B``: fields or methods of dot."""

    names: list[str]


@dataclass
class VariableNode(Node):
    """``$x.A.B``: a variable and an optional chain of fields."""

    name: str
    names: list[str] = field(default_factory=list)


@dataclass
class IdentifierNode(Node):
    """The name of a function."""

    name: str


@dataclass
class ChainNode(Node):
    """``(pipeline).A.B``: fields of a parenthesised pipeline's result."""

    operand: Node
    names: list[str]


@dataclass
class CommandNode(Node):
    arguments: list[Node]


@dataclass
class PipeNode(Node):
    declarations: list[VariableNode]
    commands: list[CommandNode]
    is_assignment: bool = False


@dataclass
class ActionNode(Node):
    pipe: PipeNode


@dataclass
class ListNode(Node):
    nodes: list[Node]


@dataclass
class BranchNode(Node):
    """``if``, ``with`` or ``range``: a pipeline, a body and an optional else body."""

    keyword: str
    pipe: PipeNode
    body: ListNode
    else_body: ListNode | None


@dataclass
class BreakNode(Node):
    pass


@dataclass
class ContinueNode(Node):
    pass


@dataclass
class TemplateNode(Node):
    """``{{template "name" pipeline}}``."""

    name: str
    pipe: PipeNode | None
