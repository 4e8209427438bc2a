"""Split template source into text and the tokens of its actions, as Go's lexer does."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import TemplateSyntaxError

LEFT, RIGHT = "{{", "}}"
KEYWORDS = {"if", "else", "end", "range", "with", "define", "template", "block", "break", "continue", "nil",
            "true", "false"}
_SPACE = " \t\r\n"


@dataclass
class Token:
    kind: str
    value: str
    offset: int
    spaced: bool = False
    """Whether white space comes before the token, which separates operands."""


_ACTION_PATTERNS = [
    ("space", re.compile(r"[ \t\r\n]+")),
    ("declare", re.compile(r":=")),
    ("assign", re.compile(r"=")),
    ("pipe", re.compile(r"\|")),
    ("left_paren", re.compile(r"\(")),
    ("right_paren", re.compile(r"\)")),
    ("comma", re.compile(r",")),
    ("raw_string", re.compile(r"`[^`]*`")),
    ("string", re.compile(r'"(?:[^"\\\n]|\\.)*"')),
    ("char", re.compile(r"'(?:[^'\\\n]|\\[^\n]+?)'")),
    ("number", re.compile(r"[+-]?(?:0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|"
                          r"(?:[0-9][0-9_]*\.?[0-9_]*|\.[0-9][0-9_]*)(?:[eE][+-]?[0-9_]+)?)i?")),
    ("field", re.compile(r"\.[A-Za-z_][A-Za-z0-9_]*")),
    ("dot", re.compile(r"\.")),
    ("variable", re.compile(r"\$[A-Za-z0-9_]*")),
    ("identifier", re.compile(r"[A-Za-z_][A-Za-z0-9_]*")),
]


class Lexer:
    """Produce tokens: ``text``, ``left``, ``right``, action tokens and ``eof``."""

    def __init__(self, source: str, name: str) -> None:
        self.source = source
        self.name = name
        self.action_start = 0

    def tokens(self) -> list[Token]:
        tokens: list[Token] = []
        position = 0
        trim_next = False
        while position < len(self.source):
            start = self.source.find(LEFT, position)
            if start < 0:
                text = self.source[position:]
                tokens.append(Token("text", text.lstrip(_SPACE) if trim_next else text, position))
                position = len(self.source)
                break
            text = self.source[position:start]
            if trim_next:
                text = text.lstrip(_SPACE)
            trim_left = self.source.startswith("-", start + 2) and self.source[start + 3:start + 4] in tuple(_SPACE)
            if trim_left:
                text = text.rstrip(_SPACE)
            if text:
                tokens.append(Token("text", text, position))
            position, trim_next = self._lex_action(start, trim_left, tokens)
        tokens.append(Token("eof", "", len(self.source)))
        return tokens

    def _lex_action(self, start: int, trim_left: bool, tokens: list[Token]) -> tuple[int, bool]:
        position = start + len(LEFT) + (2 if trim_left else 0)
        comment = self._comment_end(position)
        if comment is not None:
            return comment
        tokens.append(Token("left", LEFT, start))
        self.action_start = start
        depth = 0
        spaced = True
        while True:
            end = self._right_delimiter(position)
            if end is not None:
                if depth:
                    self.fail(position, "unclosed left parenthesis in action")
                trim = end[1]
                tokens.append(Token("right", RIGHT, position))
                return end[0], trim
            token = self._action_token(position)
            if token.kind == "left_paren":
                depth += 1
            elif token.kind == "right_paren":
                depth -= 1
                if depth < 0:
                    self.fail(position, "unexpected right parenthesis")
            if token.kind != "space":
                token.spaced = tokens[-1].kind == "left" or spaced
                tokens.append(token)
            spaced = token.kind == "space"
            position += len(token.value)

    def _right_delimiter(self, position: int) -> tuple[int, bool] | None:
        match = re.compile(r"[ \t\r\n]+-}}").match(self.source, position)
        if match:
            return match.end(), True
        if self.source.startswith(RIGHT, position):
            return position + len(RIGHT), False
        return None

    def _comment_end(self, position: int) -> tuple[int, bool] | None:
        if not self.source.startswith("/*", position):
            return None
        close = self.source.find("*/", position + 2)
        if close < 0:
            self.fail(position, "unclosed comment")
        end = self._right_delimiter(close + 2)
        if end is None:
            self.fail(close, "comment ends before closing delimiter")
        return end

    def _action_token(self, position: int) -> Token:
        if position >= len(self.source):
            self.fail(self.action_start, "unclosed action")
        for kind, pattern in _ACTION_PATTERNS:
            match = pattern.match(self.source, position)
            if match and match.group(0):
                if kind == "number" and not self._number_allowed(match, position):
                    continue
                return Token(kind, match.group(0), position)
        char = self.source[position]
        if char in "\"`'":
            self.fail(position, f"unterminated {'raw ' if char == '`' else ''}quoted string")
        self.fail(position, f"unexpected {char!r} in action")
        raise AssertionError

    def _number_allowed(self, match: re.Match, position: int) -> bool:
        # A sign starts a number only where an operand can start, never in "a-b".
        text = match.group(0)
        if text in ("+", "-", ".") or not re.search(r"[0-9]", text):
            return False
        following = self.source[match.end():match.end() + 1]
        return not (following.isalpha() or following == "_")

    def fail(self, offset: int, message: str) -> None:
        line, column = line_column(self.source, offset)
        raise TemplateSyntaxError(message, self.name, line, column)


def line_column(source: str, offset: int) -> tuple[int, int]:
    """Return the 1-based line and column of an offset."""
    line = source.count("\n", 0, offset) + 1
    column = offset - (source.rfind("\n", 0, offset) + 1) + 1
    return line, column
