"""Build the syntax tree of a template from its tokens, following Go's text/template grammar."""

from __future__ import annotations

import ast
from collections.abc import Collection

from .errors import TemplateSyntaxError
from .lexer import Lexer, Token, line_column
from .nodes import (
    ActionNode,
    BranchNode,
    BreakNode,
    ChainNode,
    CommandNode,
    ConstantNode,
    ContinueNode,
    DotNode,
    FieldNode,
    IdentifierNode,
    ListNode,
    Node,
    PipeNode,
    TemplateNode,
    TextNode,
    VariableNode,
)

_OPERAND_STARTS = {"field", "dot", "variable", "identifier", "string", "raw_string", "char", "number",
                   "left_paren"}


class Parser:
    def __init__(self, source: str, name: str, function_names: Collection[str]) -> None:
        self.source = source
        self.name = name
        self.function_names = function_names
        self.tokens = Lexer(source, name).tokens()
        self.index = 0
        self.variables: list[str] = ["$"]
        self.range_depth = 0
        self.definitions: dict[str, ListNode] = {}
        # The keyword and the "{{" of every block action not yet closed, innermost last,
        # so a template that ends too early is reported where its unclosed block opens.
        self.open_blocks: list[tuple[str, Token]] = []

    def parse(self) -> tuple[ListNode, dict[str, ListNode]]:
        root, terminator = self._list(top_level=True)
        if terminator is not None:
            self.fail(terminator, f"unexpected {{{{{terminator.value}}}}}")
        return root, self.definitions

    # Token access

    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.index + ahead, len(self.tokens) - 1)]

    def next(self) -> Token:
        token = self.peek()
        self.index += 1
        return token

    def expect(self, kind: str, context: str) -> Token:
        token = self.next()
        if token.kind != kind:
            self.unexpected(token, context)
        return token

    def unexpected(self, token: Token, context: str) -> None:
        if token.kind == "eof":
            self.fail(token, f"unexpected EOF in {context}")
        shown = "}}" if token.kind == "right" else token.value
        self.fail(token, f"unexpected {shown!r} in {context}")

    def fail(self, token: Token, message: str) -> None:
        line, column = line_column(self.source, token.offset)
        raise TemplateSyntaxError(message, self.name, line, column)

    def position(self, token: Token) -> tuple[int, int]:
        return line_column(self.source, token.offset)

    # Lists and actions

    def _list(self, top_level: bool = False) -> tuple[ListNode, Token | None]:
        """Parse nodes up to ``{{end}}`` or ``{{else}}``; return the list and that keyword token."""
        start = self.peek()
        nodes: list[Node] = []
        while True:
            token = self.next()
            if token.kind == "eof":
                if not top_level:
                    self._fail_unclosed(token)
                return ListNode(*self.position(start), nodes), None
            if token.kind == "text":
                nodes.append(TextNode(*self.position(token), token.value))
                continue
            keyword = self.peek()
            if keyword.kind == "identifier" and keyword.value in ("end", "else"):
                if top_level:
                    self.fail(keyword, f"unexpected {{{{{keyword.value}}}}}")
                self.next()
                return ListNode(*self.position(start), nodes), keyword
            node = self._action(token, top_level)
            if node is not None:
                nodes.append(node)

    def _fail_unclosed(self, eof: Token) -> None:
        """Report the innermost block that is still open when the template ends.

        Go reports only "unexpected EOF" at the end of the text. Naming the block
        and where it opens points at the {{end}} that is missing.
        """

        if not self.open_blocks:
            self.fail(eof, "unexpected EOF: a block has no {{end}}")
        keyword, left = self.open_blocks[-1]
        self.fail(left, f"the {{{{{keyword}}}}} opened here has no {{{{end}}}} before the template ends")

    def _action(self, left: Token, top_level: bool) -> Node | None:
        keyword = self.peek()
        if keyword.kind == "identifier":
            handler = {
                "if": self._if, "range": self._range, "with": self._with, "template": self._template,
                "block": self._block, "break": self._break, "continue": self._continue,
            }.get(keyword.value)
            if keyword.value == "define":
                if not top_level:
                    self.fail(keyword, "{{define}} is allowed only at the top level of a template")
                self.next()
                self.open_blocks.append(("define", left))
                self._define()
                self.open_blocks.pop()
                return None
            if keyword.value in ("if", "range", "with", "block"):
                self.next()
                self.open_blocks.append((keyword.value, left))
                node = handler(keyword)
                self.open_blocks.pop()
                return node
            if handler is not None:
                self.next()
                return handler(keyword)
        pipe = self._pipeline("command", allow_declarations=True)
        self._end_action("command")
        return ActionNode(*self.position(left), pipe)

    def _end_action(self, context: str) -> None:
        self.expect("right", context)

    # Control structures

    def _branch(self, keyword: Token, allow_range_vars: bool = False) -> BranchNode:
        mark = len(self.variables)
        pipe = self._pipeline(keyword.value, allow_declarations=True, allow_range_vars=allow_range_vars)
        self._end_action(keyword.value)
        if keyword.value == "range":
            self.range_depth += 1
        body, terminator = self._list()
        if keyword.value == "range":
            self.range_depth -= 1
        else_body = None
        if terminator.value == "else":
            else_body = self._else(keyword)
        else:
            self._end_action("end")
        del self.variables[mark:]
        return BranchNode(*self.position(keyword), keyword.value, pipe, body, else_body)

    def _else(self, keyword: Token) -> ListNode:
        chained = self.peek()
        if chained.kind == "identifier" and chained.value == keyword.value and keyword.value in ("if", "with"):
            # "{{else if x}}" is an {{if}} inside the else branch that shares the outer {{end}}.
            self.next()
            nested = self._branch(chained)
            return ListNode(*self.position(chained), [nested])
        self._end_action("else")
        else_body, terminator = self._list()
        if terminator.value != "end":
            self.fail(terminator, f"expected {{{{end}}}} after the {{{{else}}}} of {{{{{keyword.value}}}}}")
        self._end_action("end")
        return else_body

    def _if(self, keyword: Token) -> Node:
        return self._branch(keyword)

    def _with(self, keyword: Token) -> Node:
        return self._branch(keyword)

    def _range(self, keyword: Token) -> Node:
        return self._branch(keyword, allow_range_vars=True)

    def _break(self, keyword: Token) -> Node:
        if not self.range_depth:
            self.fail(keyword, "{{break}} outside {{range}}")
        self._end_action("break")
        return BreakNode(*self.position(keyword))

    def _continue(self, keyword: Token) -> Node:
        if not self.range_depth:
            self.fail(keyword, "{{continue}} outside {{range}}")
        self._end_action("continue")
        return ContinueNode(*self.position(keyword))

    def _template_name(self, context: str) -> str:
        token = self.next()
        if token.kind not in ("string", "raw_string"):
            self.unexpected(token, context)
        return _unquote(token.value)

    def _template(self, keyword: Token) -> Node:
        name = self._template_name("template clause")
        pipe = None
        if self.peek().kind != "right":
            pipe = self._pipeline("template clause", allow_declarations=False)
        self._end_action("template clause")
        return TemplateNode(*self.position(keyword), name, pipe)

    def _define(self) -> None:
        name = self._template_name("define clause")
        self._end_action("define clause")
        self._definition_body(name)

    def _definition_body(self, name: str) -> None:
        saved_variables, saved_depth = self.variables, self.range_depth
        self.variables, self.range_depth = ["$"], 0
        body, terminator = self._list()
        if terminator.value != "end":
            self.fail(terminator, "unexpected {{else}} in {{define}}")
        self._end_action("end")
        self.variables, self.range_depth = saved_variables, saved_depth
        self.definitions[name] = body

    def _block(self, keyword: Token) -> Node:
        name = self._template_name("block clause")
        pipe = self._pipeline("block clause", allow_declarations=False)
        self._end_action("block clause")
        self._definition_body(name)
        return TemplateNode(*self.position(keyword), name, pipe)

    # Pipelines and commands

    def _pipeline(self, context: str, allow_declarations: bool, allow_range_vars: bool = False) -> PipeNode:
        start = self.peek()
        declarations, is_assignment = self._declarations(allow_declarations, allow_range_vars)
        commands = []
        while True:
            commands.append(self._command(context))
            token = self.peek()
            if token.kind == "pipe":
                self.next()
                continue
            break
        if not commands[0].arguments:
            self.fail(start, f"missing value for {context}")
        return PipeNode(*self.position(start), declarations, commands, is_assignment)

    def _declarations(self, allowed: bool, allow_range_vars: bool) -> tuple[list[VariableNode], bool]:
        first, second = self.peek(), self.peek(1)
        if not allowed or first.kind != "variable":
            return [], False
        if second.kind == "comma" and allow_range_vars and self.peek(2).kind == "variable":
            third = self.peek(3)
            if third.kind in ("declare", "assign"):
                names = [first, self.peek(2)]
                self.index += 4
                return self._declare(names, third.kind == "assign"), third.kind == "assign"
        if second.kind in ("declare", "assign"):
            self.index += 2
            return self._declare([first], second.kind == "assign"), second.kind == "assign"
        return [], False

    def _declare(self, tokens: list[Token], is_assignment: bool) -> list[VariableNode]:
        nodes = []
        for token in tokens:
            if is_assignment and token.value not in self.variables:
                self.fail(token, f"undefined variable {token.value!r}")
            if not is_assignment:
                self.variables.append(token.value)
            nodes.append(VariableNode(*self.position(token), token.value))
        return nodes

    def _command(self, context: str) -> CommandNode:
        start = self.peek()
        arguments: list[Node] = []
        while True:
            token = self.peek()
            if token.kind in ("right", "pipe", "right_paren"):
                break
            if token.kind not in _OPERAND_STARTS:
                self.unexpected(token, context)
            if arguments and not token.spaced:
                self.fail(token, f"missing space before {token.value!r}")
            arguments.append(self._operand())
        if not arguments and self.peek().kind == "pipe":
            self.fail(self.peek(), "missing command before '|'")
        return CommandNode(*self.position(start), arguments)

    def _operand(self) -> Node:
        node = self._term()
        names = []
        while self.peek().kind == "field" and not self.peek().spaced:
            names.append(self.next().value[1:])
        if not names:
            return node
        if isinstance(node, FieldNode):
            return FieldNode(node.line, node.column, node.names + names)
        if isinstance(node, VariableNode):
            return VariableNode(node.line, node.column, node.name, node.names + names)
        if isinstance(node, DotNode):
            return FieldNode(node.line, node.column, names)
        return ChainNode(node.line, node.column, node, names)

    def _term(self) -> Node:
        token = self.next()
        line, column = self.position(token)
        if token.kind == "field":
            return FieldNode(line, column, [token.value[1:]])
        if token.kind == "dot":
            return DotNode(line, column)
        if token.kind == "variable":
            if token.value not in self.variables:
                self.fail(token, f"undefined variable {token.value!r}")
            return VariableNode(line, column, token.value)
        if token.kind == "left_paren":
            pipe = self._pipeline("parenthesized pipeline", allow_declarations=False)
            self.expect("right_paren", "parenthesized pipeline")
            return pipe
        if token.kind == "identifier":
            return self._identifier(token, line, column)
        if token.kind == "number":
            return ConstantNode(line, column, self._number(token), is_number_literal=True)
        if token.kind == "char":
            return ConstantNode(line, column, ord(_unquote(token.value)), is_number_literal=True)
        return ConstantNode(line, column, _unquote(token.value))

    def _identifier(self, token: Token, line: int, column: int) -> Node:
        constants = {"true": True, "false": False, "nil": None}
        if token.value in constants:
            return ConstantNode(line, column, constants[token.value])
        if token.value not in self.function_names:
            self.fail(token, f"function {token.value!r} not defined")
        return IdentifierNode(line, column, token.value)

    def _number(self, token: Token) -> int | float:
        text = token.value.replace("_", "")
        try:
            if text.endswith("i"):
                raise ValueError("complex numbers are not supported")
            if any(char in text for char in ".eE") and not text.lower().lstrip("+-").startswith("0x"):
                return float(text)
            return int(text, 0) if not _is_legacy_octal(text) else int(text, 8)
        except ValueError as error:
            self.fail(token, f"bad number syntax {token.value!r}: {error}")
            raise


def _is_legacy_octal(text: str) -> bool:
    digits = text.lstrip("+-")
    return len(digits) > 1 and digits.startswith("0") and digits.isdigit()


def _unquote(text: str) -> str:
    if text.startswith("`"):
        return text[1:-1]
    # Go and Python share the escapes \n \t \\ \" \' \xHH \uHHHH \UHHHHHHHH and octal.
    return ast.literal_eval(text)
