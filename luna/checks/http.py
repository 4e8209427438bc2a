"""HTTP(S) checks: one GET (or HEAD), redirects followed, the body left unread."""

from __future__ import annotations

import errno
import socket
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from http import HTTPStatus

import httpx

from luna.checks.result import CheckResult, ErrorClass, Status

MAX_REDIRECTS = 10


@dataclass(frozen=True)
class HttpTarget:
    url: str
    timeout: float
    allow_insecure: bool = False
    alt_status_codes: frozenset[int] = frozenset()
    basic_auth: tuple[str, str] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    method: str = "GET"


class HttpClients:
    """One client for verified TLS and one for sites with `allow-insecure`, so the option stays per site."""

    def __init__(self, user_agent: str) -> None:
        self._user_agent = user_agent
        self._clients: dict[bool, httpx.AsyncClient] = {}

    def get(self, verify: bool) -> httpx.AsyncClient:
        if verify not in self._clients:
            self._clients[verify] = httpx.AsyncClient(
                verify=verify,
                headers={"User-Agent": self._user_agent},
                max_redirects=MAX_REDIRECTS,
                limits=httpx.Limits(max_connections=200, max_keepalive_connections=0),
            )
        return self._clients[verify]

    async def aclose(self) -> None:
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()


async def check_http(target: HttpTarget, clients: HttpClients, now: float) -> CheckResult:
    """Request the target once and judge the final response."""

    client = clients.get(verify=not target.allow_insecure)
    auth = httpx.BasicAuth(*target.basic_auth) if target.basic_auth else None
    started = time.perf_counter()

    try:
        async with client.stream(
            target.method,
            target.url,
            headers=dict(target.headers),
            auth=auth,
            timeout=target.timeout,
            follow_redirects=True,
        ) as response:
            elapsed_ms = round((time.perf_counter() - started) * 1000)
            return judge_response(response.status_code, str(response.url), elapsed_ms, target, now)
    except httpx.HTTPError as error:
        return failed_result(error, target, now)


def judge_response(code: int, final_url: str, elapsed_ms: int, target: HttpTarget, now: float) -> CheckResult:
    final = final_url if final_url != target.url else None
    if 200 <= code < 300 or code in target.alt_status_codes:
        return CheckResult(Status.UP, now, code, elapsed_ms, final_url=final, label="OK")

    label = status_label(code)
    return CheckResult(
        Status.DOWN,
        now,
        code,
        elapsed_ms,
        error=f"HTTP {code} {label}",
        error_class=ErrorClass.HTTP,
        final_url=final,
        label=label,
    )


def status_label(code: int) -> str:
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        if 400 <= code < 500:
            return "Client Error"
        if code >= 500:
            return "Server Error"
        return str(code)


def failed_result(error: httpx.HTTPError, target: HttpTarget, now: float) -> CheckResult:
    error_class, message = classify_error(error, target.timeout)
    timed_out = error_class is ErrorClass.TIMEOUT
    label = "Timed out" if timed_out else "Down"
    return CheckResult(Status.DOWN, now, error=message, error_class=error_class, timed_out=timed_out, label=label)


def classify_error(error: httpx.HTTPError, timeout: float) -> tuple[ErrorClass, str]:
    """Name the kind of failure in words a person can act on, without ephemeral details like ports."""

    if isinstance(error, httpx.TimeoutException):
        phase = {
            httpx.ConnectTimeout: "while connecting",
            httpx.ReadTimeout: "waiting for the response",
            httpx.WriteTimeout: "while sending the request",
            httpx.PoolTimeout: "waiting for a free connection",
        }.get(type(error), "")
        return ErrorClass.TIMEOUT, f"timed out after {timeout:g}s {phase}".strip()
    if isinstance(error, httpx.TooManyRedirects):
        return ErrorClass.REDIRECT, f"too many redirects (more than {MAX_REDIRECTS})"

    cause = _root_cause(error)
    if isinstance(cause, ssl.SSLCertVerificationError):
        return ErrorClass.TLS, f"TLS certificate not trusted: {cause.verify_message or cause.reason}"
    if isinstance(cause, ssl.SSLError):
        return ErrorClass.TLS, f"TLS handshake failed: {cause.reason or cause.strerror or 'unknown reason'}"
    if isinstance(cause, socket.gaierror):
        reason = "name not found" if cause.errno == socket.EAI_NONAME else (cause.strerror or "no answer")
        return ErrorClass.DNS, f"DNS lookup failed for {target_host(error)}: {reason}"
    if isinstance(cause, ConnectionRefusedError):
        return ErrorClass.CONNECT, "connection refused"
    if isinstance(cause, ConnectionResetError):
        return ErrorClass.PROTOCOL, "connection reset by the server"
    if isinstance(cause, OSError) and cause.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH):
        return ErrorClass.CONNECT, "host unreachable"
    if isinstance(error, httpx.RemoteProtocolError):
        return ErrorClass.PROTOCOL, "the server closed the connection without a complete response"
    if isinstance(error, httpx.ConnectError):
        return ErrorClass.CONNECT, f"connection failed: {_short(cause)}"
    return ErrorClass.PROTOCOL, f"request failed: {_short(cause)}"


def target_host(error: httpx.HTTPError) -> str:
    try:
        return error.request.url.host
    except RuntimeError:  # the error was raised before a request existed
        return "the host"


def _root_cause(error: BaseException) -> BaseException:
    seen = set()
    current: BaseException = error
    while id(current) not in seen:
        seen.add(id(current))
        following = current.__cause__ or current.__context__
        if following is None:
            break
        current = following
    return current


def _short(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    return text if len(text) <= 200 else text[:197] + "..."
