"""TCP checks: a site is up when a connection to its port opens; the connect time is its response time."""

from __future__ import annotations

import asyncio
import errno
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from luna.checks.resolver import NameResolutionError, Resolver
from luna.checks.result import CheckResult, ErrorClass, Status, timed_out_result

logger = logging.getLogger(__name__)

Connection = TypeVar("Connection")


@dataclass(frozen=True)
class TcpTarget:
    host: str
    port: int
    timeout: float


async def connect_each(
    addresses: Sequence[str],
    timeout: float,
    connect: Callable[[str, float], Awaitable[Connection]],
    failures: tuple[type[BaseException], ...] = (OSError, TimeoutError),
) -> Connection:
    """Connect to each address in turn until one accepts, and return that connection.

    Each address gets an equal share of the time that is left, so a first
    address that never answers (a missing IPv6 route) leaves time for the next.
    `failures` are the errors that move on to the next address; the last one
    is raised when no address accepts.
    """

    deadline = time.monotonic() + timeout
    last_error: BaseException = ConnectionError("no address to connect to")
    for index, address in enumerate(addresses):
        share = max(deadline - time.monotonic(), 0.0) / (len(addresses) - index)
        try:
            return await asyncio.wait_for(connect(address, share), timeout=share)
        except failures as error:
            logger.debug("connecting to %s failed: %r", address, error)
            last_error = error
    raise last_error


async def check_tcp(target: TcpTarget, resolver: Resolver, now: float) -> CheckResult:
    """Open a connection to the target's port and close it at once."""

    try:
        addresses = await resolver.resolve(target.host, target.timeout)
    except NameResolutionError as error:
        return dns_failure(error, now)

    started = time.perf_counter()
    try:
        writer = await connect_each(addresses, target.timeout, lambda address, _: _open(address, target.port))
    except TimeoutError:
        return timeout_failure(target.timeout, now)
    except OSError as error:
        return connect_failure(error, now)

    elapsed_ms = round((time.perf_counter() - started) * 1000)
    writer.close()
    return CheckResult(Status.UP, now, response_time_ms=elapsed_ms, label="OK")


async def _open(address: str, port: int) -> asyncio.StreamWriter:
    _, writer = await asyncio.open_connection(address, port)
    return writer


def dns_failure(error: NameResolutionError, now: float) -> CheckResult:
    label = "Timed out" if error.timed_out else "Down"
    return CheckResult(
        Status.DOWN, now, error=str(error), error_class=ErrorClass.DNS, timed_out=error.timed_out, label=label
    )


def timeout_failure(timeout: float, now: float, phase: str = "while connecting") -> CheckResult:
    return timed_out_result(now, f"timed out after {timeout:g}s {phase}")


def connect_failure(error: OSError, now: float) -> CheckResult:
    return CheckResult(Status.DOWN, now, error=describe_os_error(error), error_class=ErrorClass.CONNECT, label="Down")


def describe_os_error(error: OSError) -> str:
    """Name a socket error in words, without the address and port Python puts in its text."""

    if isinstance(error, ConnectionRefusedError) or error.errno == errno.ECONNREFUSED:
        return "connection refused"
    if isinstance(error, ConnectionResetError) or error.errno == errno.ECONNRESET:
        return "connection reset by the server"
    if error.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH):
        return "host unreachable"
    if error.errno == errno.EADDRNOTAVAIL:
        return "address not available on this host"
    return f"connection failed: {error.strerror or type(error).__name__}"
