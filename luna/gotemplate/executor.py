"""Run a parsed template over data, with Go's rules for fields, calls, scopes and output."""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import logging
import time
from dataclasses import dataclass
from typing import Any, Awaitable, Callable

from .builtins import BUILTINS
from .errors import FunctionError, LimitExceeded, TemplateError, TemplateExecError
from .escape import HtmlContext
from .gotime import GoTime
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
from .values import MISSING, format_value, is_int, is_true, sort_keys, type_name

logger = logging.getLogger(__name__)

caller_loop: contextvars.ContextVar[asyncio.AbstractEventLoop | None] = contextvars.ContextVar(
    "gotemplate_caller_loop", default=None
)
"""The event loop of an ``execute_async`` caller, for functions that must await."""

_NO_FINAL = object()
_PLAIN_TYPES = (type(None), bool, int, float, str, list, tuple, dict)


@dataclass
class Limits:
    max_output: int
    deadline: float | None
    timer: Callable[[], float]
    max_depth: int


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


def resolve_awaitable(value: Any, timeout: float | None = None) -> Any:
    """Wait for an awaitable a template function produced, from the executing thread.

    Under ``Template.execute_async`` the awaitable runs on the caller's loop;
    with no loop anywhere it runs on a fresh one. Awaiting from a thread that
    runs a loop would deadlock it, so that raises FunctionError.
    """
    if not inspect.isawaitable(value):
        return value
    loop = caller_loop.get()
    if loop is not None:
        return asyncio.run_coroutine_threadsafe(_as_coroutine(value), loop).result(timeout)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(_as_coroutine(value))
    raise FunctionError("an asynchronous function needs Template.execute_async when an event loop is running")


async def _as_coroutine(awaitable: Awaitable[Any]) -> Any:
    return await awaitable


class Execution:
    """The state of one run: variables, output, the HTML context and the limits."""

    def __init__(self, template: Any, data: Any, limits: Limits, autoescape: bool) -> None:
        self.template = template
        self.limits = limits
        self.output: list[str] = []
        self.size = 0
        self.variables: list[tuple[str, Any]] = [("$", data)]
        self.depth = 0
        self.context = HtmlContext() if autoescape else None
        self.current_name = template.name

    def run(self, node: ListNode, dot: Any) -> str:
        try:
            self.walk(node, dot)
        except (_Break, _Continue):
            raise self.error(node, "{{break}} or {{continue}} outside {{range}}") from None
        except RecursionError:
            raise LimitExceeded("nesting is too deep to execute", self.current_name, node.line, node.column) from None
        return "".join(self.output)

    # Errors and limits

    def error(self, node: Node, message: str) -> TemplateExecError:
        return TemplateExecError(f"executing {self.current_name!r} at <{node_text(node)}>: {message}",
                                 self.current_name, node.line, node.column)

    def check_time(self, node: Node) -> None:
        if self.limits.deadline is not None and self.limits.timer() > self.limits.deadline:
            raise LimitExceeded("execution passed its time limit", self.current_name, node.line, node.column)

    def write(self, text: str, node: Node) -> None:
        self.size += len(text)
        if self.size > self.limits.max_output:
            raise LimitExceeded(f"output passed its limit of {self.limits.max_output} characters",
                                self.current_name, node.line, node.column)
        self.output.append(text)

    # Walking the tree

    def walk(self, node: Node, dot: Any) -> None:
        self.check_time(node)
        if isinstance(node, ListNode):
            for child in node.nodes:
                self.walk(child, dot)
        elif isinstance(node, TextNode):
            if self.context is not None:
                self.context.feed(node.text)
            self.write(node.text, node)
        elif isinstance(node, ActionNode):
            self.walk_action(node, dot)
        elif isinstance(node, BranchNode):
            self.walk_branch(node, dot)
        elif isinstance(node, TemplateNode):
            self.walk_template(node, dot)
        elif isinstance(node, BreakNode):
            raise _Break
        elif isinstance(node, ContinueNode):
            raise _Continue

    def walk_action(self, node: ActionNode, dot: Any) -> None:
        value = self.eval_pipeline(node.pipe, dot)
        if node.pipe.declarations:
            return
        self.write(self.print_value(value, node), node)

    def print_value(self, value: Any, node: Node) -> str:
        if self.context is not None:
            return self.context.escaper()(value)
        return format_value(value)

    def walk_branch(self, node: BranchNode, dot: Any) -> None:
        mark = len(self.variables)
        if node.keyword == "range":
            self.walk_range(node, dot)
        else:
            value = self.eval_pipeline(node.pipe, dot)
            if is_true(value):
                self.walk(node.body, value if node.keyword == "with" else dot)
            elif node.else_body is not None:
                self.walk(node.else_body, dot)
        del self.variables[mark:]

    def walk_range(self, node: BranchNode, dot: Any) -> None:
        value = self.eval_pipeline(node.pipe, dot, declare=False)
        items = self.range_items(node, value)
        ran = False
        for key, item in items:
            ran = True
            self.check_time(node)
            mark = len(self.variables)
            self.declare_range_variables(node, key, item)
            try:
                self.walk(node.body, item)
            except _Break:
                del self.variables[mark:]
                break
            except _Continue:
                pass
            del self.variables[mark:]
        if not ran and node.else_body is not None:
            self.walk(node.else_body, dot)

    def range_items(self, node: BranchNode, value: Any) -> Any:
        if value is None or value is MISSING:
            return iter(())
        if isinstance(value, (list, tuple)):
            return enumerate(value)
        if isinstance(value, dict):
            return ((key, value[key]) for key in sort_keys(value))
        if is_int(value):
            if len(node.pipe.declarations) > 1:
                raise self.error(node, f"can't use {value} to iterate over more than one variable")
            return ((number, number) for number in range(value))
        if inspect.isgenerator(value):
            return enumerate(value)
        raise self.error(node, f"range can't iterate over {format_value(value)}")

    def declare_range_variables(self, node: BranchNode, key: Any, item: Any) -> None:
        declarations = node.pipe.declarations
        values = [item] if len(declarations) == 1 else [key, item]
        for declaration, value in zip(declarations, values):
            if node.pipe.is_assignment:
                self.set_variable(declaration, value)
            else:
                self.variables.append((declaration.name, value))

    def walk_template(self, node: TemplateNode, dot: Any) -> None:
        body = self.template.definitions.get(node.name)
        if body is None:
            raise self.error(node, f"no such template {node.name!r}")
        if self.depth >= self.limits.max_depth:
            raise LimitExceeded(f"exceeded the maximum template depth ({self.limits.max_depth})",
                                self.current_name, node.line, node.column)
        new_dot = self.eval_pipeline(node.pipe, dot) if node.pipe is not None else None
        saved = (self.variables, self.current_name)
        self.variables, self.current_name = [("$", new_dot)], node.name
        self.depth += 1
        try:
            self.walk(body, new_dot)
        finally:
            self.depth -= 1
            self.variables, self.current_name = saved

    # Variables

    def variable(self, node: VariableNode) -> Any:
        for name, value in reversed(self.variables):
            if name == node.name:
                return value
        raise self.error(node, f"undefined variable: {node.name}")

    def set_variable(self, node: VariableNode, value: Any) -> None:
        for index in range(len(self.variables) - 1, -1, -1):
            if self.variables[index][0] == node.name:
                self.variables[index] = (node.name, value)
                return
        raise self.error(node, f"undefined variable: {node.name}")

    # Pipelines and commands

    def eval_pipeline(self, pipe: PipeNode, dot: Any, declare: bool = True) -> Any:
        value: Any = _NO_FINAL
        for command in pipe.commands:
            value = self.eval_command(command, dot, value)
        if declare:
            for declaration in pipe.declarations:
                if pipe.is_assignment:
                    self.set_variable(declaration, value)
                else:
                    self.variables.append((declaration.name, value))
        return value

    def eval_command(self, command: CommandNode, dot: Any, final: Any) -> Any:
        first = command.arguments[0]
        arguments = command.arguments
        if isinstance(first, FieldNode):
            return self.eval_chain(command, dot, dot, first.names, arguments, final, first)
        if isinstance(first, VariableNode):
            value = self.variable(first)
            if not first.names:
                self.reject_arguments(first, arguments, final)
                return value
            return self.eval_chain(command, dot, value, first.names, arguments, final, first)
        if isinstance(first, ChainNode):
            receiver = self.eval_argument(first.operand, dot)
            return self.eval_chain(command, dot, receiver, first.names, arguments, final, first)
        if isinstance(first, IdentifierNode):
            return self.call_function(first, dot, arguments[1:], final)
        self.reject_arguments(first, arguments, final)
        return self.eval_argument(first, dot)

    def reject_arguments(self, node: Node, arguments: list[Node], final: Any) -> None:
        if len(arguments) > 1 or final is not _NO_FINAL:
            raise self.error(node, f"can't give argument to non-function {node_text(node)}")

    def eval_argument(self, node: Node, dot: Any) -> Any:
        if isinstance(node, ConstantNode):
            return node.value
        if isinstance(node, DotNode):
            return dot
        if isinstance(node, FieldNode):
            return self.eval_chain(node, dot, dot, node.names, [node], _NO_FINAL, node)
        if isinstance(node, VariableNode):
            value = self.variable(node)
            return self.eval_chain(node, dot, value, node.names, [node], _NO_FINAL, node) if node.names else value
        if isinstance(node, ChainNode):
            receiver = self.eval_argument(node.operand, dot)
            return self.eval_chain(node, dot, receiver, node.names, [node], _NO_FINAL, node)
        if isinstance(node, PipeNode):
            mark = len(self.variables)
            value = self.eval_pipeline(node, dot)
            del self.variables[mark:]
            return value
        if isinstance(node, IdentifierNode):
            return self.call_function(node, dot, [], _NO_FINAL)
        raise self.error(node, f"can't evaluate {node_text(node)}")

    # Fields and methods

    def eval_chain(self, command: Node, dot: Any, receiver: Any, names: list[str], arguments: list[Node],
                   final: Any, node: Node) -> Any:
        for name in names[:-1]:
            receiver = self.eval_field(node, dot, receiver, name, [], _NO_FINAL)
        return self.eval_field(node, dot, receiver, names[-1], arguments[1:], final)

    def eval_field(self, node: Node, dot: Any, receiver: Any, name: str, arguments: list[Node], final: Any) -> Any:
        has_arguments = bool(arguments) or final is not _NO_FINAL
        if receiver is None or receiver is MISSING:
            raise self.error(node, f"nil pointer evaluating interface {{}}.{name}")
        member = _exported_member(receiver, name)
        if member is not _NO_FINAL:
            if callable(member) and not isinstance(member, type):
                values = [self.eval_argument(argument, dot) for argument in arguments]
                if final is not _NO_FINAL:
                    values.append(final)
                return self.invoke(node, name, member, values, arguments)
            if has_arguments:
                raise self.error(node, f"{name} has arguments but cannot be invoked as function")
            return member
        if isinstance(receiver, dict):
            if has_arguments:
                raise self.error(node, f"{name} is not a method but has arguments")
            return receiver.get(name, MISSING)
        raise self.error(node, f"can't evaluate field {name} in type {type_name(receiver)}")

    # Functions

    def call_function(self, node: IdentifierNode, dot: Any, arguments: list[Node], final: Any) -> Any:
        function = self.template.functions.get(node.name)
        if function is None:
            raise self.error(node, f"function {node.name!r} not defined")
        is_builtin = function is BUILTINS.get(node.name)
        if is_builtin and node.name in ("and", "or"):
            return self.short_circuit(node, dot, arguments, final)
        values = [self.eval_argument(argument, dot) for argument in arguments]
        if final is not _NO_FINAL:
            values.append(final)
        if is_builtin and node.name == "call":
            return self.call_value(node, values, arguments)
        return self.invoke(node, node.name, function, values, arguments)

    def short_circuit(self, node: IdentifierNode, dot: Any, arguments: list[Node], final: Any) -> Any:
        thunks: list[Callable[[], Any]] = [lambda argument=argument: self.eval_argument(argument, dot)
                                           for argument in arguments]
        if final is not _NO_FINAL:
            thunks.append(lambda: final)
        if not thunks:
            raise self.error(node, f"wrong number of args for {node.name}: want at least 1 got 0")
        value = None
        for thunk in thunks:
            value = thunk()
            if is_true(value) == (node.name == "or"):
                return value
        return value

    def call_value(self, node: IdentifierNode, values: list[Any], arguments: list[Node]) -> Any:
        if not values:
            raise self.error(node, "wrong number of args for call: want at least 1 got 0")
        function = values[0]
        if function is None or not callable(function):
            raise self.error(node, f"error calling call: non-function of type {type_name(function)}")
        return self.invoke(node, "call", function, values[1:], arguments[1:])

    def invoke(self, node: Node, name: str, function: Callable[..., Any], values: list[Any],
               arguments: list[Node]) -> Any:
        signature = _signature(function)
        if signature is not None:
            self.check_arguments(node, name, signature, values, arguments)
            values = [_convert(value, kind) for value, kind in zip(values, _parameter_kinds(signature, len(values)))]
        try:
            return function(*values)
        except TemplateError:
            raise
        except FunctionError as error:
            raise self.error(node, f"error calling {name}: {error}") from None
        except Exception as error:  # noqa: BLE001 - a failing function ends execution like a Go panic
            logger.debug("template function %s failed", name, exc_info=True)
            raise self.error(node, f"error calling {name}: {error}") from None

    def check_arguments(self, node: Node, name: str, signature: inspect.Signature, values: list[Any],
                        arguments: list[Node]) -> None:
        required, maximum = _arity(signature)
        if maximum is None and len(values) < required:
            raise self.error(node, f"wrong number of args for {name}: want at least {required} got {len(values)}")
        if maximum is not None and not required <= len(values) <= maximum:
            raise self.error(node, f"wrong number of args for {name}: want {maximum} got {len(values)}")
        kinds = _parameter_kinds(signature, len(values))
        for position, (value, kind) in enumerate(zip(values, kinds)):
            constant = position < len(arguments) and isinstance(arguments[position], ConstantNode)
            problem = _type_problem(value, kind, constant)
            if problem:
                raise self.error(node, f"wrong type for value in {name}; expected {problem}; got {type_name(value)}")


def _exported_member(receiver: Any, name: str) -> Any:
    """Return an exported (upper-case) attribute of a non-plain object, or _NO_FINAL."""
    if type(receiver) in _PLAIN_TYPES or not name[:1].isupper():
        return _NO_FINAL
    return getattr(receiver, name, _NO_FINAL)


_SIGNATURES: dict[Any, inspect.Signature | None] = {}


def _signature(function: Callable[..., Any]) -> inspect.Signature | None:
    key = getattr(function, "__func__", function)
    if key not in _SIGNATURES:
        try:
            _SIGNATURES[key] = inspect.signature(key, eval_str=True)
        except (TypeError, ValueError, NameError):
            _SIGNATURES[key] = None
    signature = _SIGNATURES[key]
    if signature is not None and hasattr(function, "__self__"):
        parameters = list(signature.parameters.values())[1:]
        signature = signature.replace(parameters=parameters)
    return signature


def _arity(signature: inspect.Signature) -> tuple[int, int | None]:
    required, maximum = 0, 0
    for parameter in signature.parameters.values():
        if parameter.kind is parameter.VAR_POSITIONAL:
            return required, None
        if parameter.kind in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD):
            maximum += 1
            if parameter.default is parameter.empty:
                required += 1
    return required, maximum


def _parameter_kinds(signature: inspect.Signature, count: int) -> list[Any]:
    kinds = []
    variadic = None
    for parameter in signature.parameters.values():
        if parameter.kind is parameter.VAR_POSITIONAL:
            variadic = parameter.annotation
            break
        if parameter.kind in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD):
            kinds.append(parameter.annotation)
    while len(kinds) < count:
        kinds.append(variadic)
    return kinds[:count]


def _type_problem(value: Any, kind: Any, constant: bool) -> str:
    """Return the Go type expected when value does not fit a parameter annotated with kind."""
    if kind is int:
        fits = is_int(value) or (constant and isinstance(value, float) and value.is_integer())
        return "" if fits else "int"
    if kind is float:
        fits = isinstance(value, float) or (constant and is_int(value))
        return "" if fits else "float64"
    if kind is str:
        return "" if isinstance(value, str) else "string"
    if kind is bool:
        return "" if isinstance(value, bool) else "bool"
    if kind is GoTime:
        return "" if isinstance(value, GoTime) else "time.Time"
    if kind is list:
        return "" if isinstance(value, (list, tuple)) or value is None else "slice"
    return ""


def _convert(value: Any, kind: Any) -> Any:
    if kind is int and isinstance(value, float):
        return int(value)
    if kind is float and is_int(value):
        return float(value)
    if kind is list and value is None:
        return []
    return value


def node_text(node: Node) -> str:
    """Write a node back as template source, for error messages."""
    if isinstance(node, FieldNode):
        return "." + ".".join(node.names)
    if isinstance(node, VariableNode):
        return node.name + "".join("." + name for name in node.names)
    if isinstance(node, IdentifierNode):
        return node.name
    if isinstance(node, DotNode):
        return "."
    if isinstance(node, ConstantNode):
        return format_value(node.value) if not isinstance(node.value, str) else repr(node.value)
    if isinstance(node, ChainNode):
        return f"({node_text(node.operand)})." + ".".join(node.names)
    if isinstance(node, CommandNode):
        return " ".join(node_text(argument) for argument in node.arguments)
    if isinstance(node, PipeNode):
        return " | ".join(node_text(command) for command in node.commands)
    if isinstance(node, (ActionNode,)):
        return node_text(node.pipe)
    if isinstance(node, BranchNode):
        return node.keyword
    if isinstance(node, TemplateNode):
        return f"template {node.name!r}"
    return type(node).__name__


def default_timer() -> float:
    return time.monotonic()
