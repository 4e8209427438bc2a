from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from luna.checks.resolver import NameResolutionError, Resolver, parse_hosts
from tests.support.upstreams import FakeDnsServer


class Monotonic:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Monotonic:
    return Monotonic()


@pytest.fixture
def cached_resolver(dns_server: FakeDnsServer, clock: Monotonic) -> Resolver:
    return Resolver(nameservers=[dns_server.address], hosts_path=None, now=clock)


async def test_concurrent_lookups_share_one_query(cached_resolver: Resolver, dns_server: FakeDnsServer) -> None:
    dns_server.add("nas.example.invalid", ipv4=["192.0.2.10"])

    results = await asyncio.gather(*(cached_resolver.resolve("nas.example.invalid", 1.0) for _ in range(50)))

    assert set(results) == {("192.0.2.10",)}
    assert dns_server.queries[("nas.example.invalid", "A")] == 1
    assert dns_server.queries[("nas.example.invalid", "AAAA")] == 1


async def test_answer_cached_until_ttl(
    cached_resolver: Resolver, dns_server: FakeDnsServer, clock: Monotonic
) -> None:
    dns_server.add("nas.example.invalid", ipv4=["192.0.2.10"], ttl=60)
    await cached_resolver.resolve("nas.example.invalid", 1.0)
    dns_server.add("nas.example.invalid", ipv4=["192.0.2.20"], ttl=60)

    clock.now += 59
    before_expiry = await cached_resolver.resolve("nas.example.invalid", 1.0)
    clock.now += 2
    after_expiry = await cached_resolver.resolve("nas.example.invalid", 1.0)

    assert before_expiry == ("192.0.2.10",)
    assert after_expiry == ("192.0.2.20",)
    assert dns_server.queries[("nas.example.invalid", "A")] == 2


async def test_nxdomain_cached_for_soa_minimum(
    cached_resolver: Resolver, dns_server: FakeDnsServer, clock: Monotonic
) -> None:
    for _ in range(3):
        with pytest.raises(NameResolutionError):
            await cached_resolver.resolve("gone.example.invalid", 1.0)
    clock.now += 61
    with pytest.raises(NameResolutionError, match="name not found"):
        await cached_resolver.resolve("gone.example.invalid", 1.0)

    assert dns_server.queries[("gone.example.invalid", "A")] == 2


async def test_both_families_returned_ipv4_first(cached_resolver: Resolver, dns_server: FakeDnsServer) -> None:
    dns_server.add("dual.example.invalid", ipv4=["127.0.0.1"], ipv6=["::1"])

    addresses = await cached_resolver.resolve("dual.example.invalid", 1.0)

    assert addresses == ("127.0.0.1", "::1")


async def test_timeout_not_cached(cached_resolver: Resolver, dns_server: FakeDnsServer) -> None:
    dns_server.fail("quiet.example.invalid", "silent")

    with pytest.raises(NameResolutionError) as raised:
        await cached_resolver.resolve("quiet.example.invalid", 0.2)
    dns_server.add("quiet.example.invalid", ipv4=["192.0.2.5"])
    addresses = await cached_resolver.resolve("quiet.example.invalid", 0.5)

    assert raised.value.timed_out is True
    assert addresses == ("192.0.2.5",)


async def test_ip_literal_sends_no_query(cached_resolver: Resolver, dns_server: FakeDnsServer) -> None:
    addresses = await cached_resolver.resolve("[::1]", 1.0)

    assert addresses == ("::1",)
    assert cached_resolver.queries_sent == 0


async def test_hosts_file_wins_and_reloads(dns_server: FakeDnsServer, tmp_path: Path) -> None:
    hosts = tmp_path / "hosts"
    hosts.write_text("192.0.2.1 nas.example.invalid\n", encoding="utf-8")
    resolver = Resolver(nameservers=[dns_server.address], hosts_path=hosts)

    first = await resolver.resolve("NAS.example.invalid", 1.0)
    hosts.write_text("# moved\n192.0.2.2 nas.example.invalid nas\n", encoding="utf-8")
    os.utime(hosts, (1, 1))
    second = await resolver.resolve("nas", 1.0)

    assert first == ("192.0.2.1",)
    assert second == ("192.0.2.2",)
    assert resolver.queries_sent == 0


def test_hosts_parsing_keeps_order() -> None:
    names = parse_hosts("::1 localhost ip6-localhost\n127.0.0.1 localhost # loopback\nnot-an-ip name\n")

    assert names["localhost"] == ("::1", "127.0.0.1")
    assert names["ip6-localhost"] == ("::1",)
    assert "name" not in names
