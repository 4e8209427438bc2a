from __future__ import annotations

import logging

import icmplib
import pytest

from luna.checks.icmp import IcmpTarget, Pinger, check_icmp
from luna.checks.resolver import Resolver
from luna.checks.result import ErrorClass, Status

NOW = 1_700_000_000.0


class FakePing:
    """Stands in for icmplib: each socket kind is allowed or not, and a reply comes or not."""

    def __init__(self, allowed: tuple[bool, ...], reply_ms: float | None = 1.5) -> None:
        self.allowed = allowed
        self.reply_ms = reply_ms
        self.calls: list[tuple[str, bool]] = []

    async def __call__(self, address: str, timeout: float, privileged: bool) -> float | None:
        self.calls.append((address, privileged))
        if privileged not in self.allowed:
            raise icmplib.SocketPermissionError(privileged=privileged)
        return self.reply_ms


@pytest.fixture
def local_resolver() -> Resolver:
    return Resolver(nameservers=[], hosts_path=None)


async def test_unprivileged_ping_is_up(local_resolver: Resolver) -> None:
    ping = FakePing(allowed=(False,))

    result = await check_icmp(IcmpTarget("127.0.0.1", 0.5), local_resolver, Pinger(ping), NOW)

    assert result.status is Status.UP
    assert ping.calls == [("127.0.0.1", False)]


async def test_raw_socket_used_when_allowed(local_resolver: Resolver) -> None:
    ping = FakePing(allowed=(True,))
    pinger = Pinger(ping)

    first = await check_icmp(IcmpTarget("127.0.0.1", 0.5), local_resolver, pinger, NOW)
    second = await check_icmp(IcmpTarget("127.0.0.1", 0.5), local_resolver, pinger, NOW)

    assert first.status is Status.UP
    assert second.status is Status.UP
    assert ping.calls == [("127.0.0.1", False), ("127.0.0.1", True), ("127.0.0.1", True)]


async def test_not_permitted_is_unknown_not_down(
    local_resolver: Resolver, caplog: pytest.LogCaptureFixture
) -> None:
    pinger = Pinger(FakePing(allowed=()))

    with caplog.at_level(logging.WARNING, logger="luna.checks.icmp"):
        first = await check_icmp(IcmpTarget("127.0.0.1", 0.5), local_resolver, pinger, NOW)
        second = await check_icmp(IcmpTarget("127.0.0.1", 0.5), local_resolver, pinger, NOW)

    assert first.status is Status.DEGRADED
    assert first.error_class is ErrorClass.NOT_PERMITTED
    assert first.label == "Ping not permitted"
    assert "ping not permitted on this system" in (first.error or "")
    assert second.status is Status.DEGRADED
    warnings = [record.getMessage() for record in caplog.records]
    assert len(warnings) == 1
    assert "net.ipv4.ping_group_range" in warnings[0]


async def test_no_reply_is_down(local_resolver: Resolver) -> None:
    pinger = Pinger(FakePing(allowed=(False,), reply_ms=None))

    result = await check_icmp(IcmpTarget("127.0.0.1", 0.5), local_resolver, pinger, NOW)

    assert result.status is Status.DOWN
    assert result.timed_out is True


async def test_real_ping_of_loopback(local_resolver: Resolver) -> None:
    pinger = Pinger()

    result = await check_icmp(IcmpTarget("127.0.0.1", 1.0), local_resolver, pinger, NOW)

    if result.error_class is ErrorClass.NOT_PERMITTED:
        pytest.skip("this system permits neither unprivileged nor raw ICMP sockets")
    assert result.status is Status.UP
    assert result.response_time_ms is not None
