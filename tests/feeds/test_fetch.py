"""Capped fetching: size and time limits, status errors, Retry-After and api-base-url."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from luna.feeds.fetch import (
    FetchError,
    Response,
    ResponseTooLarge,
    fetch,
    format_size,
    parse_retry_after,
    raise_for_status,
    rebase_url,
)

CHUNK = 64 * 1024


class EndlessBody(httpx.AsyncByteStream):
    """A response body that never ends; it counts the bytes it handed out."""

    def __init__(self) -> None:
        self.sent = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while True:
            self.sent += CHUNK
            yield b"x" * CHUNK


def client_for(handler: httpx.MockTransport) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=handler)


async def test_endless_body_stops_past_cap() -> None:
    body = EndlessBody()
    transport = httpx.MockTransport(lambda request: httpx.Response(200, stream=body))

    async with client_for(transport) as http:
        with pytest.raises(ResponseTooLarge) as caught:
            await fetch(http, "http://feeds.test/huge.xml", max_bytes=1024 * 1024)

    assert caught.value.reason == "response exceeds 1 MB; raise max-response-size if this is expected"
    assert body.sent <= 1024 * 1024 + CHUNK


async def test_declared_length_over_cap_rejected_unread() -> None:
    body = EndlessBody()
    transport = httpx.MockTransport(lambda request: httpx.Response(200, headers={"Content-Length": str(50 * 1024 * 1024)}, stream=body))

    async with client_for(transport) as http:
        with pytest.raises(ResponseTooLarge):
            await fetch(http, "http://feeds.test/big.xml", max_bytes=10 * 1024 * 1024)

    assert body.sent == 0


async def test_body_within_cap_returned() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=b"<rss/>", headers={"Content-Type": "application/rss+xml; charset=utf-8"}))

    async with client_for(transport) as http:
        response = await fetch(http, "http://feeds.test/feed.xml")

    assert response.body == b"<rss/>"
    assert response.content_type == "application/rss+xml"


async def test_refused_connection_named() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    async with client_for(httpx.MockTransport(refuse)) as http:
        with pytest.raises(FetchError) as caught:
            await fetch(http, "http://feeds.test:8080/feed.xml")

    assert caught.value.reason == "could not connect to feeds.test:8080"


async def test_read_timeout_named() -> None:
    def stall(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("read timed out", request=request)

    async with client_for(httpx.MockTransport(stall)) as http:
        with pytest.raises(FetchError) as caught:
            await fetch(http, "http://feeds.test/feed.xml", timeout=3)

    assert caught.value.reason == "timed out after 3s"


def response(status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> Response:
    return Response("http://api.test/x", status, httpx.Headers(headers or {}), body)


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (403, "reddit refused the request (403)"),
        (401, "reddit refused the request (401)"),
        (404, "reddit has nothing at this address (404)"),
        (500, "reddit answered HTTP 500"),
    ],
)
def test_error_status_one_line(status: int, reason: str) -> None:
    with pytest.raises(FetchError) as caught:
        raise_for_status(response(status, b"<html><body><h1>whoa there</h1></body></html>"), "reddit", 0)

    assert caught.value.reason == reason
    assert caught.value.status == status
    assert "<h1>" not in caught.value.detail
    assert "whoa there" in caught.value.detail


def test_rate_limit_carries_retry_after() -> None:
    with pytest.raises(FetchError) as caught:
        raise_for_status(response(429, headers={"Retry-After": "60"}), "reddit", 0)

    assert caught.value.retry_after == 60
    assert caught.value.reason == "reddit is rate-limiting requests (429); trying again in 60s"


def test_success_status_passes() -> None:
    raise_for_status(response(200), "reddit", 0)


def test_retry_after_http_date_read() -> None:
    now = 1_700_000_000.0

    assert parse_retry_after("Tue, 14 Nov 2023 22:15:20 GMT", now) == 120


@pytest.mark.parametrize("value", [None, "", "soon", "-5"])
def test_unreadable_retry_after_ignored(value: str | None) -> None:
    assert parse_retry_after(value, 0) is None


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        (None, "https://hacker-news.firebaseio.com/v0/item/1.json?print=pretty"),
        ("http://127.0.0.1:9000", "http://127.0.0.1:9000/v0/item/1.json?print=pretty"),
        ("http://127.0.0.1:9000/mirror/", "http://127.0.0.1:9000/mirror/v0/item/1.json?print=pretty"),
    ],
)
def test_rebase_url_replaces_scheme_and_host(base: str | None, expected: str) -> None:
    assert rebase_url("https://hacker-news.firebaseio.com/v0/item/1.json?print=pretty", base) == expected


@pytest.mark.parametrize(("size", "text"), [(10 * 1024 * 1024, "10 MB"), (1536 * 1024, "1.5 MB"), (64 * 1024, "64 KB")])
def test_size_formatted(size: int, text: str) -> None:
    assert format_size(size) == text
