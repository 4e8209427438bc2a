from __future__ import annotations

import pytest

from luna.checks.checker import Checker
from luna.checks.dns import DnsTarget
from luna.checks.result import ErrorClass, Status
from tests.support.upstreams import FakeDnsServer

NOW = 1_700_000_000.0


def query(server: FakeDnsServer, name: str | None, expect: tuple[str, ...] = (), record_type: str = "A") -> DnsTarget:
    return DnsTarget("127.0.0.1", server.port, name, record_type if name else "NS", 0.3, expect)


async def test_answer_is_up(checker: Checker, dns_server: FakeDnsServer) -> None:
    dns_server.add("nas.example.invalid", ipv4=["192.0.2.10"])

    result = await checker.check(query(dns_server, "nas.example.invalid"), NOW)

    assert result.status is Status.UP
    assert result.response_time_ms is not None


async def test_server_without_name_is_up(checker: Checker, dns_server: FakeDnsServer) -> None:
    result = await checker.check(query(dns_server, None), NOW)

    assert result.status is Status.UP


async def test_nxdomain_is_down(checker: Checker, dns_server: FakeDnsServer) -> None:
    result = await checker.check(query(dns_server, "gone.example.invalid"), NOW)

    assert result.status is Status.DOWN
    assert result.label == "NXDOMAIN"
    assert result.error_class is ErrorClass.DNS


async def test_nxdomain_expected_is_up(checker: Checker, dns_server: FakeDnsServer) -> None:
    result = await checker.check(query(dns_server, "blocked.example.invalid", expect=("nxdomain",)), NOW)

    assert result.status is Status.UP


async def test_answer_when_nxdomain_expected(checker: Checker, dns_server: FakeDnsServer) -> None:
    dns_server.add("ads.example.invalid", ipv4=["192.0.2.1"])

    result = await checker.check(query(dns_server, "ads.example.invalid", expect=("NXDOMAIN",)), NOW)

    assert result.status is Status.DOWN
    assert result.error_class is ErrorClass.CONDITION


@pytest.mark.parametrize("behaviour", ["servfail", "refused"])
async def test_failure_codes_are_down(checker: Checker, dns_server: FakeDnsServer, behaviour: str) -> None:
    dns_server.fail("broken.example.invalid", behaviour)

    result = await checker.check(query(dns_server, "broken.example.invalid"), NOW)

    assert result.status is Status.DOWN
    assert result.label == behaviour.upper()
    assert result.error_class is ErrorClass.DNS


async def test_silence_times_out(checker: Checker, dns_server: FakeDnsServer) -> None:
    dns_server.fail("quiet.example.invalid", "silent")

    result = await checker.check(query(dns_server, "quiet.example.invalid"), NOW)

    assert result.status is Status.DOWN
    assert result.timed_out is True
    assert result.label == "Timed out"


async def test_expected_answer_matches(checker: Checker, dns_server: FakeDnsServer) -> None:
    dns_server.add("nas.example.invalid", ipv4=["192.0.2.10", "192.0.2.11"])

    result = await checker.check(query(dns_server, "nas.example.invalid", expect=("192.0.2.11",)), NOW)

    assert result.status is Status.UP


async def test_unexpected_answer_is_down(checker: Checker, dns_server: FakeDnsServer) -> None:
    dns_server.add("nas.example.invalid", ipv4=["192.0.2.99"])

    result = await checker.check(query(dns_server, "nas.example.invalid", expect=("192.0.2.10",)), NOW)

    assert result.status is Status.DOWN
    assert result.error_class is ErrorClass.CONDITION
    assert result.error == "nas.example.invalid A is 192.0.2.99; expected 192.0.2.10"


async def test_ipv6_answer_compared_normalised(checker: Checker, dns_server: FakeDnsServer) -> None:
    dns_server.add("v6.example.invalid", ipv6=["2001:db8::1"])

    target = query(dns_server, "v6.example.invalid", expect=("2001:0db8:0:0::1",), record_type="AAAA")
    result = await checker.check(target, NOW)

    assert result.status is Status.UP
