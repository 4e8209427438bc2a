from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from luna.checks.checker import Checker
from luna.checks.conditions import BodyConditions, read_body
from luna.checks.http import HttpTarget
from luna.checks.result import ErrorClass, Status
from tests.support.upstreams import (
    Certificates,
    FakeDnsServer,
    HttpUpstream,
    closed_port,
    http_upstream,
    silent_tcp_server,
)

NOW = 1_700_000_000.0
TIMEOUT = 0.5


@pytest.fixture
def upstream() -> Iterator[HttpUpstream]:
    with http_upstream() as server:
        yield server


async def check(checker: Checker, url: str, **options: object):
    return await checker.check(HttpTarget(url, options.pop("timeout", TIMEOUT), **options), NOW)  # type: ignore[arg-type]


async def test_200_is_up(checker: Checker, upstream: HttpUpstream) -> None:
    upstream.route("/", 200)

    result = await check(checker, upstream.url("/"))

    assert result.status is Status.UP
    assert result.code == 200
    assert result.label == "OK"
    assert result.response_time_ms is not None


async def test_204_is_up(checker: Checker, upstream: HttpUpstream) -> None:
    upstream.route("/-/health/ready", 204)

    result = await check(checker, upstream.url("/-/health/ready"))

    assert result.status is Status.UP
    assert result.code == 204
    assert result.label == "OK"


async def test_redirect_to_other_host_followed(checker: Checker, upstream: HttpUpstream) -> None:
    with http_upstream() as destination:
        destination.route("/target", 200)
        # both.test is ::1 and then 127.0.0.1 in the hosts file; only 127.0.0.1 listens.
        final = f"http://both.test:{destination.port}/target"
        upstream.route("/", 301, headers={"Location": final})

        result = await check(checker, upstream.url("/"))

    assert result.status is Status.UP
    assert result.final_url == final
    assert destination.requests[0][2]["Host"] == f"both.test:{destination.port}"


async def test_redirect_loop_fails_fast(checker: Checker, upstream: HttpUpstream) -> None:
    upstream.route("/loop", 302, headers={"Location": "/loop"})

    result = await check(checker, upstream.url("/loop"), timeout=5.0)

    assert result.status is Status.DOWN
    assert result.error_class is ErrorClass.REDIRECT
    assert result.error == "too many redirects (more than 10)"
    assert len(upstream.requests) == 11


async def test_redirect_to_404_is_down(checker: Checker, upstream: HttpUpstream) -> None:
    upstream.route("/", 301, headers={"Location": "/gone"})
    upstream.route("/gone", 404)

    result = await check(checker, upstream.url("/"))

    assert result.status is Status.DOWN
    assert result.label == "Not Found"
    assert result.final_url == upstream.url("/gone")


async def test_redirect_unfollowed_judges_first_hop(checker: Checker, upstream: HttpUpstream) -> None:
    upstream.route("/", 302, headers={"Location": "/status"})

    accepted = await check(checker, upstream.url("/"), follow_redirects=False, alt_status_codes=frozenset({302}))
    rejected = await check(checker, upstream.url("/"), follow_redirects=False)

    assert accepted.status is Status.UP
    assert accepted.code == 302
    assert rejected.status is Status.DOWN
    assert rejected.code == 302


async def test_401_is_down_with_reason(checker: Checker, upstream: HttpUpstream) -> None:
    upstream.route("/", 401, headers={"WWW-Authenticate": 'Basic realm="x"'})

    result = await check(checker, upstream.url("/"))

    assert result.status is Status.DOWN
    assert result.label == "Unauthorized"
    assert result.code == 401
    assert result.response_time_ms is not None
    assert result.timed_out is False


async def test_401_accepted_by_alt_status_codes(checker: Checker, upstream: HttpUpstream) -> None:
    upstream.route("/", 401, headers={"WWW-Authenticate": 'Basic realm="x"'})

    result = await check(checker, upstream.url("/"), alt_status_codes=frozenset({401}))

    assert result.status is Status.UP
    assert result.label == "OK"


async def test_basic_auth_sent(checker: Checker, upstream: HttpUpstream) -> None:
    upstream.route("/", 200)

    await check(checker, upstream.url("/"), basic_auth=("admin", "secret"), headers={"X-Token": "t1"})

    headers = upstream.requests[0][2]
    assert headers["Authorization"] == "Basic YWRtaW46c2VjcmV0"
    assert headers["X-Token"] == "t1"


async def test_404_is_down_not_found(checker: Checker, upstream: HttpUpstream) -> None:
    result = await check(checker, upstream.url("/missing"))

    assert result.status is Status.DOWN
    assert result.label == "Not Found"
    assert result.error_class is ErrorClass.HTTP


async def test_head_rejected_then_get(checker: Checker, upstream: HttpUpstream) -> None:
    upstream.route("/", 200, head_status=405, headers={"Allow": "GET"})

    result = await check(checker, upstream.url("/"), method="HEAD")

    assert result.status is Status.UP
    assert [method for method, _, _ in upstream.requests] == ["HEAD", "GET"]


async def test_500_is_down(checker: Checker, upstream: HttpUpstream) -> None:
    upstream.route("/", 500)

    result = await check(checker, upstream.url("/"))

    assert result.status is Status.DOWN
    assert result.label == "Internal Server Error"
    assert result.error == "HTTP 500 Internal Server Error"


async def test_slow_answer_times_out(checker: Checker, upstream: HttpUpstream) -> None:
    upstream.route("/", 200, delay=2.0)
    started = time.monotonic()

    result = await check(checker, upstream.url("/"), timeout=0.2)

    assert time.monotonic() - started < 1.5
    assert result.status is Status.DOWN
    assert result.timed_out is True
    assert result.error_class is ErrorClass.TIMEOUT
    assert result.label == "Timed out"


async def test_silent_tls_handshake_times_out(checker: Checker) -> None:
    with silent_tcp_server() as port:
        result = await check(checker, f"https://127.0.0.1:{port}/", timeout=0.2)

    assert result.status is Status.DOWN
    assert result.timed_out is True
    assert result.error == "timed out after 0.2s while connecting (TCP or TLS handshake)"


async def test_reset_mid_response_is_down(checker: Checker, upstream: HttpUpstream) -> None:
    upstream.route("/", reset=True)

    result = await check(checker, upstream.url("/"))

    assert result.status is Status.DOWN
    assert result.error_class is ErrorClass.PROTOCOL
    assert result.timed_out is False


async def test_refused_error_has_no_port(checker: Checker) -> None:
    port = closed_port()

    result = await check(checker, f"http://127.0.0.1:{port}/")

    assert result.status is Status.DOWN
    assert result.error == "connection refused"
    assert result.error_class is ErrorClass.CONNECT


async def test_ipv6_literal_is_up(checker: Checker) -> None:
    with http_upstream("::1") as server:
        server.route("/", 200)

        result = await check(checker, server.url("/"))

    assert server.url("/").startswith("http://[::1]:")
    assert result.status is Status.UP


async def test_name_from_dns_server_is_up(checker: Checker, upstream: HttpUpstream, dns_server: FakeDnsServer) -> None:
    upstream.route("/", 200)
    dns_server.add("app.example.invalid", ipv4=["127.0.0.1"])

    result = await check(checker, f"http://app.example.invalid:{upstream.port}/")

    assert result.status is Status.UP


async def test_unknown_name_fails_at_once(checker: Checker, dns_server: FakeDnsServer) -> None:
    dns_server.fail("app.home.example.invalid", "nxdomain")
    started = time.monotonic()

    result = await check(checker, "https://app.home.example.invalid/", timeout=3.0)

    assert time.monotonic() - started < 1.0
    assert result.status is Status.DOWN
    assert result.error_class is ErrorClass.DNS
    assert "name not found" in (result.error or "")


async def test_silent_resolver_is_dns_timeout(checker: Checker, dns_server: FakeDnsServer) -> None:
    dns_server.fail("quiet.example.invalid", "silent")

    result = await check(checker, "http://quiet.example.invalid/", timeout=0.3)

    assert result.status is Status.DOWN
    assert result.timed_out is True
    assert result.error_class is ErrorClass.DNS
    assert "DNS lookup for quiet.example.invalid" in (result.error or "")


class TestTls:
    async def test_trusted_certificate_is_up(self, checker: Checker, certificates: Certificates) -> None:
        with http_upstream(tls=certificates.server("127.0.0.1")) as server:
            server.route("/", 200)
            result = await check(checker, server.url("/"))

        assert result.status is Status.UP
        assert result.cert_expires_at is not None

    async def test_self_signed_strict_is_down(self, checker: Checker, certificates: Certificates) -> None:
        with http_upstream(tls=certificates.self_signed()) as server:
            result = await check(checker, server.url("/"))

        assert result.status is Status.DOWN
        assert result.error_class is ErrorClass.TLS
        assert "self-signed" in (result.error or "")
        assert result.timed_out is False

    async def test_insecure_only_for_own_site(self, checker: Checker, certificates: Certificates) -> None:
        with http_upstream(tls=certificates.self_signed()) as server:
            server.route("/", 200)
            strict, lenient = await asyncio.gather(
                check(checker, server.url("/")), check(checker, server.url("/"), allow_insecure=True)
            )

        assert strict.status is Status.DOWN
        assert lenient.status is Status.UP
        assert lenient.response_time_ms is not None

    async def test_name_mismatch_named(self, checker: Checker, certificates: Certificates) -> None:
        with http_upstream(tls=certificates.server("plex.example.invalid")) as server:
            result = await check(checker, server.url("/"))

        assert result.error_class is ErrorClass.TLS
        assert "name mismatch" in (result.error or "")

    async def test_expired_certificate_named(self, checker: Checker, certificates: Certificates) -> None:
        with http_upstream(tls=certificates.server("127.0.0.1", expired=True)) as server:
            result = await check(checker, server.url("/"))

        assert result.error_class is ErrorClass.TLS
        assert "expired" in (result.error or "")

    async def test_incomplete_chain_named(self, checker: Checker, certificates: Certificates) -> None:
        with http_upstream(tls=certificates.without_intermediate("127.0.0.1")) as server:
            result = await check(checker, server.url("/"))

        assert result.error_class is ErrorClass.TLS
        assert "chain incomplete" in (result.error or "")

    async def test_expiring_soon_is_degraded(self, checker: Checker, certificates: Certificates) -> None:
        with http_upstream(tls=certificates.server("127.0.0.1", days_valid=3)) as server:
            server.route("/", 200)
            result = await check(checker, server.url("/"))

        assert result.status is Status.DEGRADED
        assert result.error_class is ErrorClass.CERT_EXPIRY
        assert result.code == 200

    async def test_expiry_warning_is_configurable(self, checker: Checker, certificates: Certificates) -> None:
        with http_upstream(tls=certificates.server("127.0.0.1", days_valid=3)) as server:
            server.route("/", 200)
            result = await check(checker, server.url("/"), cert_expiry_warning=86400.0)

        assert result.status is Status.UP


class TestConditions:
    async def test_body_contains_found(self, checker: Checker, upstream: HttpUpstream) -> None:
        upstream.route("/", 200, body=b"<p>all systems healthy</p>")

        result = await check(checker, upstream.url("/"), conditions=BodyConditions(body_contains="healthy"))

        assert result.status is Status.UP

    async def test_body_contains_missing(self, checker: Checker, upstream: HttpUpstream) -> None:
        upstream.route("/", 200, body=b"<p>maintenance</p>")

        result = await check(checker, upstream.url("/"), conditions=BodyConditions(body_contains="healthy"))

        assert result.status is Status.DOWN
        assert result.error_class is ErrorClass.CONDITION
        assert result.error == 'the response does not contain "healthy"'

    @pytest.mark.parametrize(
        ("path", "expected", "status"),
        [
            ("status", "ok", Status.UP),
            ("checks.db.healthy", True, Status.UP),
            ("count", "3", Status.UP),
            ("count", 4, Status.DOWN),
            ("status", "down", Status.DOWN),
            ("missing.key", "x", Status.DOWN),
        ],
    )
    async def test_json_path_value(
        self, checker: Checker, upstream: HttpUpstream, path: str, expected: object, status: Status
    ) -> None:
        upstream.route("/", 200, body=b'{"status": "ok", "checks": {"db": {"healthy": true}}, "count": 3}')

        result = await check(checker, upstream.url("/"), conditions=BodyConditions(json_path=path, json_value=expected))

        assert result.status is status

    async def test_json_path_only_must_exist(self, checker: Checker, upstream: HttpUpstream) -> None:
        upstream.route("/", 200, body=b'{"status": "ok"}')

        found = await check(checker, upstream.url("/"), conditions=BodyConditions(json_path="status"))
        missing = await check(checker, upstream.url("/"), conditions=BodyConditions(json_path="version"))

        assert found.status is Status.UP
        assert missing.status is Status.DOWN

    async def test_non_json_body_is_down(self, checker: Checker, upstream: HttpUpstream) -> None:
        upstream.route("/", 200, body=b"<html>")

        result = await check(checker, upstream.url("/"), conditions=BodyConditions(json_path="status"))

        assert result.status is Status.DOWN
        assert "not JSON" in (result.error or "")

    async def test_body_read_stops_at_match(self) -> None:
        chunks_read = 0

        async def body() -> AsyncIterator[bytes]:
            nonlocal chunks_read
            for chunk in (b"starting ", b"healthy ", *([b"x" * 1024] * 100)):
                chunks_read += 1
                yield chunk

        response = httpx.Response(200, content=body())

        text, complete = await read_body(response, BodyConditions(body_contains="healthy"))

        assert chunks_read == 2
        assert text == b"starting healthy "
        assert complete is False


async def test_slow_over_limit_is_degraded(checker: Checker, upstream: HttpUpstream) -> None:
    upstream.route("/", 200, delay=0.3)

    result = await checker.check(HttpTarget(upstream.url("/"), 2.0), NOW, max_response_time=0.05)

    assert result.status is Status.DEGRADED
    assert result.error_class is ErrorClass.SLOW
    assert result.label == "Degraded"
