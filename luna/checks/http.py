"""HTTP(S) checks: one GET (or HEAD), redirects followed, the body read only as far as conditions need."""

from __future__ import annotations

import logging
import ssl
import time
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from http import HTTPStatus

import httpcore
import httpx

from luna.checks.conditions import BodyConditions, judge_body
from luna.checks.resolver import NameResolutionError, Resolver
from luna.checks.result import CheckResult, ErrorClass, Status
from luna.checks.tcp import connect_each, describe_os_error, dns_failure
from luna.checks.tls import describe_certificate_error, expiry_result, peer_certificate_expiry

logger = logging.getLogger(__name__)

MAX_REDIRECTS = 10
# A HEAD answered with one of these is asked again with GET, because several
# popular apps (Home Assistant, Traefik's dashboard) answer HEAD so but GET fine.
HEAD_REJECTED = frozenset({405, 501})


@dataclass(frozen=True)
class HttpTarget:
    url: str
    timeout: float
    allow_insecure: bool = False
    alt_status_codes: frozenset[int] = frozenset()
    basic_auth: tuple[str, str] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    method: str = "GET"
    follow_redirects: bool = True
    # Seconds before expiry from which a certificate makes the site degraded.
    cert_expiry_warning: float = 14 * 86400.0
    conditions: BodyConditions = field(default_factory=BodyConditions)


class ResolvingBackend(httpcore.AsyncNetworkBackend):
    """Connects through luna's caching resolver and tries every address of a name in turn."""

    def __init__(self, resolver: Resolver) -> None:
        self._resolver = resolver
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        # httpx always passes the connect timeout of the request; 30 s only guards a call without one.
        budget = timeout if timeout is not None else 30.0
        try:
            addresses = await self._resolver.resolve(host, budget)
        except NameResolutionError as error:
            raise httpcore.ConnectError(str(error)) from error

        async def connect(address: str, share: float) -> httpcore.AsyncNetworkStream:
            return await self._inner.connect_tcp(address, port, share, local_address, socket_options)

        failures = (httpcore.ConnectError, httpcore.ConnectTimeout, OSError, TimeoutError)
        try:
            return await connect_each(addresses, budget, connect, failures)
        except TimeoutError as error:
            raise httpcore.ConnectTimeout(f"timed out connecting to {host}") from error

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        return await self._inner.connect_unix_socket(path, timeout, socket_options)

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class HttpClients:
    """One client for verified TLS and one for sites with `allow-insecure`, so the option stays per site.

    `trust` replaces the default CA bundle for verified connections; tests
    pass a context that trusts their throwaway CA.
    """

    def __init__(self, user_agent: str, resolver: Resolver, trust: ssl.SSLContext | None = None) -> None:
        self._user_agent = user_agent
        self._resolver = resolver
        self._trust = trust
        self._clients: dict[bool, httpx.AsyncClient] = {}

    def get(self, verify: bool) -> httpx.AsyncClient:
        if verify not in self._clients:
            self._clients[verify] = httpx.AsyncClient(
                transport=self._transport(verify),
                headers={"User-Agent": self._user_agent},
                max_redirects=MAX_REDIRECTS,
            )
        return self._clients[verify]

    def _transport(self, verify: bool) -> httpx.AsyncHTTPTransport:
        context = (self._trust or httpx.create_ssl_context()) if verify else httpx.create_ssl_context(verify=False)
        # No keep-alive: every check opens its own connection, so it proves the
        # server still accepts connections and shows its current certificate.
        limits = httpx.Limits(max_connections=None, max_keepalive_connections=0)
        transport = httpx.AsyncHTTPTransport(verify=context, limits=limits)
        # NOTE: httpx takes no network backend, so the pool it built is replaced
        # by one with the same settings that connects through `ResolvingBackend`.
        transport._pool = httpcore.AsyncConnectionPool(
            ssl_context=context,
            max_connections=None,
            max_keepalive_connections=0,
            network_backend=ResolvingBackend(self._resolver),
        )
        return transport

    async def aclose(self) -> None:
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()


async def check_http(target: HttpTarget, clients: HttpClients, now: float) -> CheckResult:
    """Request the target and judge the final response; a rejected HEAD is asked again with GET."""

    result = await _request(target, target.method, clients, now)
    if target.method == "HEAD" and result.code in HEAD_REJECTED:
        logger.debug("%s answered HEAD with %s; checking with GET", target.url, result.code)
        return await _request(target, "GET", clients, now)
    return result


async def _request(target: HttpTarget, method: str, clients: HttpClients, now: float) -> CheckResult:
    client = clients.get(verify=not target.allow_insecure)
    auth = httpx.BasicAuth(*target.basic_auth) if target.basic_auth else None
    started = time.perf_counter()

    try:
        async with client.stream(
            method,
            target.url,
            headers=dict(target.headers),
            auth=auth,
            timeout=target.timeout,
            follow_redirects=target.follow_redirects,
        ) as response:
            elapsed_ms = round((time.perf_counter() - started) * 1000)
            result = judge_response(response.status_code, str(response.url), elapsed_ms, target, now)
            result = expiry_result(result, peer_certificate_expiry(response), target.cert_expiry_warning)
            if result.is_up and target.conditions.active:
                result = await judge_body(result, response, target.conditions)
            return result
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
    cause = root_cause(error)
    if isinstance(cause, NameResolutionError):
        return dns_failure(cause, now)

    error_class, message = classify_error(error, cause, target)
    timed_out = error_class is ErrorClass.TIMEOUT
    label = "Timed out" if timed_out else "Down"
    return CheckResult(Status.DOWN, now, error=message, error_class=error_class, timed_out=timed_out, label=label)


def classify_error(error: httpx.HTTPError, cause: BaseException, target: HttpTarget) -> tuple[ErrorClass, str]:
    """Name the kind of failure in words a person can act on, without ephemeral details like ports."""

    if isinstance(error, httpx.TimeoutException):
        phase = {
            httpx.ConnectTimeout: "while connecting (TCP or TLS handshake)",
            httpx.ReadTimeout: "waiting for the response",
            httpx.WriteTimeout: "while sending the request",
            httpx.PoolTimeout: "waiting for a free connection",
        }.get(type(error), "")
        return ErrorClass.TIMEOUT, f"timed out after {target.timeout:g}s {phase}".strip()
    if isinstance(error, httpx.TooManyRedirects):
        return ErrorClass.REDIRECT, f"too many redirects (more than {MAX_REDIRECTS})"

    if isinstance(cause, ssl.SSLCertVerificationError):
        return ErrorClass.TLS, describe_certificate_error(cause, _target_host(error))
    if isinstance(cause, ssl.SSLError):
        return ErrorClass.TLS, f"TLS handshake failed: {cause.reason or cause.strerror or 'unknown reason'}"
    if isinstance(cause, OSError) and cause.errno is not None:
        error_class = ErrorClass.PROTOCOL if isinstance(cause, ConnectionResetError) else ErrorClass.CONNECT
        return error_class, describe_os_error(cause)
    if isinstance(error, httpx.RemoteProtocolError):
        return ErrorClass.PROTOCOL, "the server closed the connection without a complete response"
    if isinstance(error, httpx.ConnectError):
        return ErrorClass.CONNECT, f"connection failed: {_short(cause)}"
    return ErrorClass.PROTOCOL, f"request failed: {_short(cause)}"


def _target_host(error: httpx.HTTPError) -> str:
    try:
        return error.request.url.host
    except RuntimeError:  # the error was raised before a request existed
        return "the host"


def root_cause(error: BaseException) -> BaseException:
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
