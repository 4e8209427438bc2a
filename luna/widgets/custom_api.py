"""`custom-api`: the user's own Go template rendered over the JSON their API returns.

The keys, the template language and its helpers are Glance's, so widgets from
Glance's community collection run unchanged. A refresh fetches the primary
request and every subrequest at once (any failure fails the round), then runs
the template in a worker thread under a time and an output limit. Requests
that the template sends itself (`newRequest … | getResponse`) go through the
same capped client.
"""

from __future__ import annotations

import asyncio
import contextvars
import dataclasses
import json
import logging
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Annotated, Any, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pydantic import BeforeValidator, Field, field_validator, model_validator

from luna.config.errors import ValuePositionError
from luna.config.fields import WebURL
from luna.config.models import ConfigModel
from luna.events.types import CUSTOM_API_CHANGED, Event
from luna.gotemplate import FunctionError, LimitExceeded, Template, TemplateExecError, TemplateSyntaxError, parse
from luna.gotemplate.executor import caller_loop
from luna.gotemplate.glance import (
    CustomAPIRequest,
    FetchResult,
    ResponseData,
    TemplateData,
    glance_functions,
)
from luna.gotemplate.gjson import is_valid
from luna.widgets.base import Widget, WidgetContext, WidgetError, WidgetOptions, WidgetState
from luna.widgets.refresh import RefreshContext
from luna.widgets.registry import register
from luna.widgets.upstream import (
    MAX_RESPONSE_BYTES,
    QUOTE_IN_LOG,
    REQUEST_TIMEOUT,
    Headers,
    Parameters,
    UpstreamError,
    UpstreamRequest,
    UpstreamResponse,
    fetch,
    empty_mapping_for_null,
    merge_headers,
    quote_body,
    replace_query,
)
from luna.widgets.user_html import HtmlBalancer

logger = logging.getLogger(__name__)

# Glance refreshes a custom-api widget hourly unless `cache` sets another interval.
DEFAULT_INTERVAL = 3600.0
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
# The parser needs the helper names only; a refresh binds them to its clock and client.
PARSE_FUNCTIONS = glance_functions()

# Templates run in threads of their own. A template waiting in getResponse
# holds its thread until the request ends, and the request needs a thread of
# the event loop's default executor for its DNS lookup; sharing that executor
# could fill it with waiting templates and stall every request.
TEMPLATE_THREADS = ThreadPoolExecutor(max_workers=8, thread_name_prefix="custom-api-template")

# Keys Glance accepts on custom-api widgets without using them, found in
# published community widgets. luna accepts them too and logs that they have no effect.
IGNORED_GLANCE_KEYS = {
    "allow_potentially_dangerous_html": "it applies to extension widgets; a custom-api template's output is "
    "always shown as HTML",
    "query": "custom-api widgets take URL parameters from `parameters:`",
    "base_url": "put it under `options:` for the template to read with .Options.StringOr",
}


@dataclass(frozen=True)
class Limits:
    """How much one refresh may take; tests lower them."""

    # Seconds of the template's own work, not counting its requests.
    template_time: float = 5.0
    # Characters of template output.
    template_output: int = 1_000_000
    # Seconds the requests a template sends may take together.
    template_requests_time: float = 60.0
    # Seconds for each request, and bytes of each response body.
    request_timeout: float = REQUEST_TIMEOUT
    response_bytes: int = MAX_RESPONSE_BYTES


class ApiRequest(ConfigModel):
    """One request of a custom-api widget: the primary one or a subrequest."""

    url: WebURL | None = None
    method: str | None = None
    headers: Headers = Field(default_factory=dict)
    parameters: Parameters = Field(default_factory=dict)
    body: Any = None
    body_type: Literal["json", "string"] = "json"
    allow_insecure: bool = False
    skip_json_validation: bool = False

    @field_validator("method", mode="before")
    @classmethod
    def _known_method(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        method = value.strip().upper()
        if method not in METHODS:
            raise ValueError(f'unknown HTTP method "{value}"; use one of {", ".join(METHODS)}')
        return method

    @model_validator(mode="after")
    def _body_fits_type(self) -> ApiRequest:
        if self.body is not None and self.body_type == "string" and not isinstance(self.body, str):
            raise ValueError("body must be text when body-type is string; write it as a block (`body: |`)")
        self.encoded_body()
        return self

    @property
    def effective_method(self) -> str:
        """The method to send: as configured, else POST with a body and GET without."""

        if self.method:
            return self.method
        return "POST" if self.body is not None else "GET"

    def encoded_body(self) -> bytes | None:
        if self.body is None:
            return None
        if self.body_type == "string":
            return str(self.body).encode()
        return go_json(self.body).encode()

    def upstream(self) -> UpstreamRequest:
        if self.url is None:
            raise ValueError("a request without a URL cannot be sent")

        body = self.encoded_body()
        defaults = {"Content-Type": "application/json"} if body is not None and self.body_type == "json" else {}
        headers = merge_headers(defaults, self.headers)
        url = replace_query(self.url, self.parameters)
        return UpstreamRequest(self.effective_method, url, headers, body, verify=not self.allow_insecure)


class Subrequest(ApiRequest):
    url: WebURL


class CustomApiOptions(WidgetOptions, ApiRequest):
    template: str
    frameless: bool = False
    options: Annotated[dict[str, Any], BeforeValidator(empty_mapping_for_null)] = Field(default_factory=dict)
    subrequests: Annotated[dict[str, Subrequest], BeforeValidator(empty_mapping_for_null)] = Field(default_factory=dict)
    allow_potentially_dangerous_html: bool = False
    query: dict[str, Any] | None = None
    base_url: str | None = None

    @field_validator("template")
    @classmethod
    def _template_parses(cls, value: str) -> str:
        if not value.strip():
            raise ValueError('the template is empty; write the HTML to show, such as <p>{{ .JSON.String "name" }}</p>')
        try:
            parse(value, name="template", functions=PARSE_FUNCTIONS)
        except TemplateSyntaxError as error:
            message = f"invalid template: {error.message} (template line {error.line}, column {error.column})"
            raise ValuePositionError(message, error.line, error.column) from None
        return value

    @property
    def ignored_keys(self) -> list[str]:
        return [name for name in IGNORED_GLANCE_KEYS if name in self.model_fields_set]


def go_json(value: Any) -> str:
    """Encode as Go's encoding/json does for a YAML value: sorted keys, no spaces, <, > and & escaped."""

    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    for character, escaped in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e")):
        text = text.replace(character, escaped)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


@dataclass(frozen=True)
class CustomApiOutput:
    html: str
    # True for the first output of this widget since luna started or the
    # configuration was reloaded: it is a baseline, not a change.
    baseline: bool


class ExecutionBudget:
    """Tracks the time of one template run, keeping its own work apart from the time its requests take."""

    def __init__(self, timer: Callable[[], float]) -> None:
        self.timer = timer
        self.request_seconds = 0.0

    def template_time(self) -> float:
        """Return a reading for the interpreter's timer, which does not advance while a request is in flight."""

        return self.timer() - self.request_seconds

    def add_request(self, seconds: float) -> None:
        self.request_seconds += seconds


@register
class CustomApiWidget(Widget):
    type = "custom-api"
    options_model = CustomApiOptions
    default_title = "Custom API"
    default_interval = DEFAULT_INTERVAL

    def __init__(self, options: WidgetOptions, context: WidgetContext, children: list[Widget] | None = None) -> None:
        super().__init__(options, context, children)
        self.template = parse(self.api_options.template, name="template", functions=PARSE_FUNCTIONS)
        self._has_output = False
        self.html_balancer = HtmlBalancer("template output")
        # Tests replace these to reach the limits without waiting.
        self.limits = Limits()
        self.execution_timer: Callable[[], float] = time.monotonic
        for name in self.api_options.ignored_keys:
            key = name.replace("_", "-")
            logger.warning("%s: %s has no effect on custom-api widgets: %s", self.label, key, IGNORED_GLANCE_KEYS[name])

    @property
    def api_options(self) -> CustomApiOptions:
        return self.options  # type: ignore[return-value]

    @property
    def refresh_timeout(self) -> float:
        limits = self.limits
        return limits.request_timeout + limits.template_time + limits.template_requests_time + 5.0

    async def refresh(self, context: RefreshContext) -> CustomApiOutput:
        primary, subrequests = await self._fetch_round(context)
        data = TemplateData(primary, subrequests, self.api_options.options)
        html = self.html_balancer.balance(await self._execute(data, context), self.label)

        baseline = not self._has_output
        self._has_output = True
        return CustomApiOutput(html, baseline)

    async def _fetch_round(self, context: RefreshContext) -> tuple[ResponseData, dict[str, ResponseData]]:
        """Fetch the primary request and every subrequest at once; the first failure cancels the rest."""

        options = self.api_options
        named: dict[str, ApiRequest] = {"": options, **options.subrequests}
        # A plain `except` rather than `except*`, because Python 3.11.2 (Debian 12's)
        # wraps an exception raised inside `except*` in a new ExceptionGroup; 3.11.7 does not.
        try:
            async with asyncio.TaskGroup() as group:
                tasks = {name: group.create_task(self._fetch_one(name, request, context)) for name, request in named.items()}
        except ExceptionGroup as failures:
            matched, _ = failures.split(WidgetError)
            if matched is None:
                raise
            raise _first_leaf(matched) from None

        responses = {name: task.result() for name, task in tasks.items()}
        return responses.pop(""), responses

    async def _fetch_one(self, name: str, request: ApiRequest, context: RefreshContext) -> ResponseData:
        if request.url is None:
            return ResponseData.empty()

        prefix = f'subrequest "{name}": ' if name else ""
        upstream = request.upstream()
        try:
            response = await fetch(upstream, context, self.limits.request_timeout, self.limits.response_bytes)
        except UpstreamError as error:
            raise WidgetError(prefix + error.reason, prefix + error.detail) from None

        problem = json_problem(response, request.skip_json_validation)
        if problem is not None:
            reason, detail = problem
            raise WidgetError(prefix + reason, f"{prefix}{upstream.label}: {detail}")
        return ResponseData.from_fetch(as_fetch_result(response))

    async def _execute(self, data: TemplateData, context: RefreshContext) -> str:
        budget = ExecutionBudget(self.execution_timer)
        fetcher = partial(self._template_fetch, context, budget)
        functions = glance_functions(
            now=context.clock.now, fetch=fetcher, fetch_timeout=self.limits.request_timeout + 5.0
        )
        template = bound_template(self.template, functions, budget.template_time)

        try:
            return await run_in_template_thread(template, data, self.limits)
        except LimitExceeded as error:
            reason = f"the template {error.message} (template line {error.line})"
            raise WidgetError(reason, f"{reason}; simplify the template or show fewer items") from None
        except TemplateExecError as error:
            reason = f"template error at line {error.line}, column {error.column}: {error.message}"
            raise WidgetError(reason) from None

    async def _template_fetch(self, context: RefreshContext, budget: ExecutionBudget, request: CustomAPIRequest) -> FetchResult:
        """Send a request the template built with newRequest; Glance's getResponse calls this."""

        limits = self.limits
        spent = budget.request_seconds
        if spent >= limits.template_requests_time:
            raise FunctionError(
                f"the template's requests took {spent:.0f}s together, "
                f"more than the {limits.template_requests_time:g}s allowed"
            )

        started = budget.timer()
        try:
            timeout = min(limits.request_timeout, limits.template_requests_time - spent)
            response = await fetch(template_request(request), context, timeout, limits.response_bytes)
        except UpstreamError as error:
            logger.debug("%s: template request failed: %s", self.label, error.detail)
            raise
        finally:
            budget.add_request(budget.timer() - started)
        return as_fetch_result(response)

    def change_events(self, old: WidgetState, new: WidgetState) -> list[Event]:
        output = new.data
        if not isinstance(output, CustomApiOutput) or output.baseline or output is old.data:
            return []
        if isinstance(old.data, CustomApiOutput) and old.data.html == output.html:
            return []
        data = {"widget_id": self.id, "title": self.title}
        return [Event(CUSTOM_API_CHANGED, data, key=("custom-api", self.id))]

    def public_data(self) -> Any:
        output = self.state.data
        return {"html": output.html} if isinstance(output, CustomApiOutput) else None


async def run_in_template_thread(template: Template, data: TemplateData, limits: Limits) -> str:
    """Execute the template in TEMPLATE_THREADS; its getResponse calls run their requests on this event loop."""

    loop = asyncio.get_running_loop()
    caller_loop.set(loop)
    context = contextvars.copy_context()
    call = partial(context.run, template.execute, data, max_output=limits.template_output, timeout=limits.template_time)
    return await loop.run_in_executor(TEMPLATE_THREADS, call)


def bound_template(template: Template, functions: Mapping[str, Callable[..., Any]], timer: Callable[[], float]) -> Template:
    """Return the parsed template with helpers bound to one refresh; parsing is not repeated."""

    return dataclasses.replace(template, functions={**template.functions, **functions}, timer=timer)


def json_problem(response: UpstreamResponse, skip_validation: bool) -> tuple[str, str] | None:
    """Return the reason and log detail when a body is not JSON, as Glance rejects it, or None.

    An error status whose body is JSON (or empty) reaches the template, as in
    Glance, so templates that check `.Response.StatusCode` keep working.
    """

    text = response.text.strip()
    if skip_validation or not text or is_valid(text):
        return None

    quoted = quote_body(text, QUOTE_IN_LOG)
    if not response.ok:
        reason = f"the API answered {response.status}"
        return reason, f"{reason}: {quoted}"
    reason = f'not JSON: the API answered "{quote_body(text)}"; set skip-json-validation: true to use such responses'
    return reason, f"not JSON ({response.status}): {quoted}"


def as_fetch_result(response: UpstreamResponse) -> FetchResult:
    return FetchResult(response.status_code, response.body, list(response.headers), response.reason)


def template_request(request: CustomAPIRequest) -> UpstreamRequest:
    """Build the request a template made with newRequest; its withParameter values are added to the URL's query."""

    url = request.url
    if request.parameters:
        parts = urlsplit(url)
        query = parse_qsl(parts.query, keep_blank_values=True) + list(request.parameters)
        url = urlunsplit(parts._replace(query=urlencode(query)))

    body = request.body.encode() if request.body is not None else None
    return UpstreamRequest(request.effective_method, url, dict(request.headers), body, verify=not request.allow_insecure)


def _first_leaf(group: BaseExceptionGroup[WidgetError]) -> WidgetError:
    """Return the first exception of a group, looking inside nested groups."""

    first = group.exceptions[0]
    return _first_leaf(first) if isinstance(first, BaseExceptionGroup) else first
