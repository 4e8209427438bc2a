from __future__ import annotations

import time

from luna.checks.checker import Checker
from luna.checks.result import ErrorClass, Status
from luna.checks.tcp import TcpTarget
from tests.support.upstreams import closed_port, silent_tcp_server

NOW = 1_700_000_000.0


async def test_open_port_is_up(checker: Checker) -> None:
    with silent_tcp_server() as port:
        result = await checker.check(TcpTarget("127.0.0.1", port, 0.5), NOW)

    assert result.status is Status.UP
    assert result.response_time_ms is not None
    assert result.label == "OK"


async def test_closed_port_refused_quickly(checker: Checker) -> None:
    started = time.monotonic()

    result = await checker.check(TcpTarget("127.0.0.1", closed_port(), 3.0), NOW)

    assert time.monotonic() - started < 1.0
    assert result.status is Status.DOWN
    assert result.error == "connection refused"
    assert result.error_class is ErrorClass.CONNECT


async def test_ipv6_port_is_up(checker: Checker) -> None:
    with silent_tcp_server("::1") as port:
        result = await checker.check(TcpTarget("::1", port, 0.5), NOW)

    assert result.status is Status.UP


async def test_every_address_tried(checker: Checker) -> None:
    # both.test is ::1 first, where nothing listens, then 127.0.0.1.
    with silent_tcp_server("127.0.0.1") as port:
        result = await checker.check(TcpTarget("both.test", port, 0.5), NOW)

    assert result.status is Status.UP
