"""Errors raised while parsing or executing a template, each with its position."""

from __future__ import annotations


class TemplateError(Exception):
    """A template problem at a line and column of the named template."""

    def __init__(self, message: str, name: str, line: int, column: int) -> None:
        super().__init__(f"template: {name}:{line}:{column}: {message}")
        self.message = message
        self.name = name
        self.line = line
        self.column = column


class TemplateSyntaxError(TemplateError):
    """The source is not a valid template."""


class TemplateExecError(TemplateError):
    """Executing the template failed: a bad call, a nil field, or a limit reached."""


class LimitExceeded(TemplateExecError):
    """Execution passed its time, output size or recursion limit."""


class FunctionError(Exception):
    """Raised by a template function to fail the execution with its message."""
