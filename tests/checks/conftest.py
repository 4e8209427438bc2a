from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from luna.checks.checker import Checker
from luna.checks.resolver import Resolver
from tests.support.upstreams import Certificates, FakeDnsServer, fake_dns


@pytest.fixture
def dns_server() -> Iterator[FakeDnsServer]:
    with fake_dns() as server:
        yield server


@pytest.fixture
def hosts_file(tmp_path: Path) -> Path:
    # ::1 first, so a name tried on 127.0.0.1 only after ::1 refused proves every address is tried.
    path = tmp_path / "hosts"
    path.write_text("::1 both.test\n127.0.0.1 both.test localhost\n", encoding="utf-8")
    return path


@pytest.fixture
def certificates(tmp_path: Path) -> Certificates:
    return Certificates(tmp_path)


@pytest.fixture
def resolver(dns_server: FakeDnsServer, hosts_file: Path) -> Resolver:
    return Resolver(nameservers=[dns_server.address], hosts_path=hosts_file)


@pytest.fixture
async def checker(resolver: Resolver, certificates: Certificates) -> AsyncIterator[Checker]:
    checker = Checker("luna-test", resolver=resolver, trust=certificates.client_trust())
    yield checker
    await checker.aclose()
