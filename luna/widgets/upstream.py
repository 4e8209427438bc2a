"""Requests that custom-api and extension widgets send to the user's own services.

Every response is capped in size and time, and every failure becomes a short
reason for the page and a longer detail for the log. Secrets stay out of
both: header values are never part of a message, and URLs are shown with
their user info and the values of credential-like query parameters
replaced by `***`.
"""

from __future__ import annotations

import logging
import re
import socket
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
from pydantic import BeforeValidator

from luna.checks.http import root_cause
from luna.checks.tcp import describe_os_error
from luna.clock import wait_for
from luna.config.fields import describe_value
from luna.widgets.base import WidgetError
from luna.widgets.refresh import RefreshContext

logger = logging.getLogger(__name__)

# Seconds one request may take from connecting to the last byte of the body.
REQUEST_TIMEOUT = 10.0
# Largest response body read, after decompression. JSON responses of
# home-lab APIs are kilobytes; the cap keeps a wrong URL (a video, a disk
# image) from filling memory.
MAX_RESPONSE_BYTES = 5 * 1024 * 1024
# Characters of a body quoted in a reason on the page; the log gets more.
QUOTE_ON_PAGE = 60
QUOTE_IN_LOG = 300
REDACTED = "***"
# Query parameter names whose values are credentials, matched anywhere in the name.
SECRET_PARAMETER = re.compile(r"key|token|secret|pass|auth|sig|credential|session", re.IGNORECASE)


class UpstreamError(WidgetError):
    """A request that failed: `reason` is shown on the widget, `detail` goes to the log."""


@dataclass(frozen=True)
class UpstreamRequest:
    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes | None = None
    verify: bool = True

    @property
    def label(self) -> str:
        """The method and URL with secrets hidden, for messages."""

        return f"{self.method} {redact_url(self.url)}"


@dataclass(frozen=True)
class UpstreamResponse:
    status_code: int
    reason: str
    headers: Sequence[tuple[str, str]]
    body: bytes

    @property
    def ok(self) -> bool:
        return 200 <= self.status_code < 300

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    @property
    def status(self) -> str:
        """The status line as people read it: `503 Service Unavailable`."""

        return f"{self.status_code} {self.reason}".strip()

    def header(self, name: str) -> str:
        lowered = name.lower()
        return next((value for key, value in self.headers if key.lower() == lowered), "")


async def fetch(
    request: UpstreamRequest,
    context: RefreshContext,
    timeout: float = REQUEST_TIMEOUT,
    max_bytes: int = MAX_RESPONSE_BYTES,
) -> UpstreamResponse:
    """Send the request and read the whole response; raise UpstreamError when that fails.

    The deadline runs on the context's clock, so tests decide when it passes.
    """

    client = context.http_client(verify=request.verify)
    try:
        return await wait_for(context.clock, _send(client, request, timeout, max_bytes), timeout)
    except TimeoutError:
        reason = f"no response within {timeout:g}s"
        raise UpstreamError(reason, f"{request.label}: {reason}") from None
    except httpx.HTTPError as error:
        reason = describe_http_error(error, timeout)
        raise UpstreamError(reason, f"{request.label}: {reason}") from None


async def _send(client: httpx.AsyncClient, request: UpstreamRequest, timeout: float, max_bytes: int) -> UpstreamResponse:
    async with client.stream(
        request.method,
        request.url,
        headers=dict(request.headers),
        content=request.body,
        timeout=timeout,
        follow_redirects=True,
    ) as response:
        body = await _read_capped(response, request, max_bytes)
        reason = response.reason_phrase or status_phrase(response.status_code)
        return UpstreamResponse(response.status_code, reason, response.headers.multi_items(), body)


async def _read_capped(response: httpx.Response, request: UpstreamRequest, max_bytes: int) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        _too_large(request, max_bytes)

    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > max_bytes:
            _too_large(request, max_bytes)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(request: UpstreamRequest, max_bytes: int) -> None:
    reason = f"the response exceeds {format_size(max_bytes)}"
    raise UpstreamError(reason, f"{request.label}: {reason}; check that the URL points at the API")


def describe_http_error(error: httpx.HTTPError, timeout: float) -> str:
    """Name a failed request in words a person can act on, without addresses Python adds to its text."""

    cause = root_cause(error)
    if isinstance(error, httpx.TimeoutException):
        return f"no response within {timeout:g}s"
    if isinstance(error, httpx.TooManyRedirects):
        return "too many redirects"
    if isinstance(error, (httpx.UnsupportedProtocol, httpx.InvalidURL)):
        return f"invalid URL: {error}"
    if isinstance(cause, socket.gaierror):
        return f"cannot resolve the host name {_host_of(error)}"
    if isinstance(cause, ssl.SSLCertVerificationError):
        return f"TLS certificate not trusted ({cause.verify_message}); set allow-insecure: true to accept it"
    if isinstance(cause, ssl.SSLError):
        return f"TLS handshake failed: {cause.reason or 'unknown reason'}"
    if isinstance(cause, OSError) and cause.errno is not None:
        return describe_os_error(cause)
    if isinstance(error, httpx.RemoteProtocolError):
        return "the server closed the connection without a complete response"
    return f"request failed: {type(cause).__name__}"


def _host_of(error: httpx.HTTPError) -> str:
    try:
        return error.request.url.host
    except RuntimeError:  # raised before a request existed
        return ""


def status_phrase(code: int) -> str:
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return ""


def format_size(size: int) -> str:
    megabytes = size / (1024 * 1024)
    if megabytes >= 1:
        return f"{megabytes:g} MB"
    return f"{size / 1024:g} KB"


def quote_body(text: str, limit: int = QUOTE_ON_PAGE) -> str:
    """Return the start of a body on one line, for messages."""

    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def redact_url(url: str) -> str:
    """Return the URL without user info and with the values of credential-like parameters hidden."""

    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return REDACTED
    if ":" in host:
        host = f"[{host}]"

    pairs = parse_qsl(parts.query, keep_blank_values=True)
    query = "&".join(f"{name}={REDACTED if SECRET_PARAMETER.search(name) else value}" for name, value in pairs)
    return urlunsplit((parts.scheme, host + port, parts.path, query, ""))


def merge_headers(*layers: Mapping[str, str]) -> dict[str, str]:
    """Combine header mappings in order, letting a later header replace an earlier one of the same name in any case.

    Header names are case-insensitive, so a user's `content-type` must replace
    luna's `Content-Type` rather than travel as a second Content-Type header.
    """

    merged: dict[str, str] = {}
    for layer in layers:
        for name, value in layer.items():
            for existing in [key for key in merged if key.lower() == name.lower()]:
                del merged[existing]
            merged[name] = value
    return merged


def replace_query(url: str, parameters: Mapping[str, Sequence[str]]) -> str:
    """Return the URL with its query replaced by the parameters, when there are any.

    As in Glance, the parameters are sorted by name, the values of one name
    keep their order, and they are encoded as an HTML form would (a space
    becomes `+`).
    """

    if not parameters:
        return url
    parts = urlsplit(url)
    query = urlencode([(name, value) for name in sorted(parameters) for value in parameters[name]])
    return urlunsplit(parts._replace(query=query))


def _parameter_values(name: str, value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    texts = []
    for item in values:
        if isinstance(item, bool):
            texts.append("true" if item else "false")
        elif isinstance(item, (str, int, float)):
            # Numbers from luna's YAML reader keep the digits as written.
            texts.append(str(item))
        else:
            raise ValueError(
                f'parameter "{name}" must be text, a number or a list of them, got {describe_value(item)}'
            )
    return texts


def parse_parameters(value: Any) -> dict[str, list[str]]:
    """Read `parameters:` as Glance does: each value a scalar or a list of scalars."""

    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError(f"parameters must be a mapping of names to values, got {describe_value(value)}")
    return {str(name): _parameter_values(str(name), item) for name, item in value.items()}


Parameters = Annotated[dict[str, list[str]], BeforeValidator(parse_parameters)]


def empty_mapping_for_null(value: Any) -> Any:
    """Read a key whose entries are all commented out (YAML null) as an empty mapping, as Glance does."""

    return {} if value is None else value


Headers = Annotated[dict[str, str], BeforeValidator(empty_mapping_for_null)]
