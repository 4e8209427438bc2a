"""Go's text/template language for Python, with html/template's contextual escaping.

    template = parse(source, name="custom-api", functions=glance_functions(...))
    html = template.execute(data, max_output=500_000, timeout=2.0)

``parse`` raises TemplateSyntaxError and ``execute`` raises TemplateExecError,
both with the line and column of the offending action. Functions are plain
Python callables; their annotations (int, float, str, bool, GoTime, list)
make the executor check argument types as Go does. Objects expose the
attributes whose names start with an upper-case letter, as Go exports them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .builtins import BUILTINS
from .errors import FunctionError, LimitExceeded, TemplateError, TemplateExecError, TemplateSyntaxError
from .escape import CSS, HTML, JS, URL, HTMLAttr
from .executor import Execution, Limits, caller_loop, default_timer, resolve_awaitable
from .nodes import ListNode
from .parser import Parser

__all__ = [
    "CSS", "HTML", "JS", "URL", "FunctionError", "HTMLAttr", "LimitExceeded", "Template", "TemplateError",
    "TemplateExecError", "TemplateSyntaxError", "parse", "resolve_awaitable",
]

DEFAULT_MAX_OUTPUT = 1_000_000
DEFAULT_MAX_DEPTH = 100


@dataclass
class Template:
    """A parsed template and the templates it defines, ready to execute many times."""

    name: str
    root: ListNode
    definitions: dict[str, ListNode]
    functions: Mapping[str, Callable[..., Any]]
    autoescape: bool = True
    max_depth: int = DEFAULT_MAX_DEPTH
    timer: Callable[[], float] = field(default=default_timer, repr=False)

    def execute(self, data: Any = None, *, max_output: int = DEFAULT_MAX_OUTPUT, timeout: float | None = None,
                deadline: float | None = None) -> str:
        """Run the template over data and return its output.

        ``timeout`` is in seconds from now and ``deadline`` is a reading of
        the template's timer (``time.monotonic`` unless set); the earlier
        one applies. ``max_output`` counts characters. Passing a limit
        raises LimitExceeded, a TemplateExecError.
        """
        if timeout is not None:
            from_timeout = self.timer() + timeout
            deadline = from_timeout if deadline is None else min(deadline, from_timeout)
        limits = Limits(max_output=max_output, deadline=deadline, timer=self.timer, max_depth=self.max_depth)
        return Execution(self, data, limits, self.autoescape).run(self.root, data)

    async def execute_async(self, data: Any = None, **limits: Any) -> str:
        """Run ``execute`` in a worker thread, so functions may await on the caller's event loop."""
        caller_loop.set(asyncio.get_running_loop())
        return await asyncio.to_thread(self.execute, data, **limits)


def parse(source: str, name: str = "template", functions: Mapping[str, Callable[..., Any]] | None = None, *,
          autoescape: bool = True, max_depth: int = DEFAULT_MAX_DEPTH,
          timer: Callable[[], float] = default_timer) -> Template:
    """Parse template source; functions extend (and may replace) the built-in ones.

    ``autoescape`` chooses html/template's contextual escaping (the default)
    or text/template's plain output.
    """
    all_functions = {**BUILTINS, **(functions or {})}
    try:
        root, definitions = Parser(source, name, all_functions).parse()
    except RecursionError:
        raise TemplateSyntaxError("actions are nested too deeply to parse", name, 1, 1) from None
    return Template(name, root, definitions, all_functions, autoescape, max_depth, timer)
