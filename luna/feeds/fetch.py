"""Size- and time-capped HTTP requests to feeds and public APIs, and the errors they raise.

Every body is streamed and reading stops one chunk past the cap, so an
endless or huge response costs at most the cap in memory. The reasons these
errors carry are one line for the page; the detail, with a plain-text
excerpt of the upstream's reply, goes to the log.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import httpx

from luna.feeds.text import markup_snippet
from luna.widgets.base import WidgetError

logger = logging.getLogger(__name__)

Source = TypeVar("Source")
Result = TypeVar("Result")

MEGABYTE = 1024 * 1024
DEFAULT_MAX_BYTES = 10 * MEGABYTE
DEFAULT_TIMEOUT = 10.0
# What a feed request accepts: the feed formats first, then any XML, then
# anything, because many servers label feeds text/html or text/plain.
FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
JSON_ACCEPT = "application/json"
# Failed sources whose reasons the page lists when every source fails; the
# rest are counted there, and the log gets all of them.
MAX_LISTED_FAILURES = 3


class FetchError(WidgetError):
    """A request that failed, with the HTTP status when there was one."""

    def __init__(
        self, reason: str, detail: str | None = None, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(reason, detail, retry_after)
        self.status = status


class ResponseTooLarge(FetchError):
    pass


@dataclass(frozen=True)
class Response:
    """A whole response body, read within the size and time caps."""

    url: str
    status: int
    headers: httpx.Headers
    body: bytes

    @property
    def content_type(self) -> str:
        """The media type without parameters, in lower case, such as `text/html`."""

        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    def json(self, service: str) -> Any:
        try:
            return json.loads(self.body)
        except ValueError as error:
            raise FetchError(
                f"{service} sent invalid JSON ({self.content_type or 'no content type'})",
                f"{self.url}: {error}; the reply began with: {markup_snippet(self.body)}",
                status=self.status,
            ) from None


def format_size(size: int) -> str:
    if size >= MEGABYTE and size % MEGABYTE == 0:
        return f"{size // MEGABYTE} MB"
    if size >= MEGABYTE:
        return f"{size / MEGABYTE:.1f} MB"
    return f"{size // 1024} KB"


async def fetch(
    http: httpx.AsyncClient,
    url: str,
    *,
    method: str = "GET",
    headers: Mapping[str, str] | None = None,
    data: dict[str, str] | None = None,
    content: bytes | None = None,
    auth: tuple[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Response:
    """Send one request and read its whole body, within `timeout` seconds and `max_bytes` bytes.

    Any status is returned; `raise_for_status` turns error statuses into
    `FetchError`. Network failures, timeouts and oversized bodies raise here.
    """

    try:
        async with asyncio.timeout(timeout):
            return await _send(http, url, method, headers, data, content, auth, timeout, max_bytes)
    except (TimeoutError, httpx.TimeoutException):
        raise FetchError(f"timed out after {timeout:g}s", f"{method} {url}: no complete response within {timeout:g}s") from None
    except httpx.ConnectError as error:
        host = urlsplit(url).netloc
        raise FetchError(f"could not connect to {host}", f"{method} {url}: {error or type(error).__name__}") from None
    except httpx.HTTPError as error:
        raise FetchError(f"request failed: {type(error).__name__}", f"{method} {url}: {error!r}") from None
    except httpx.InvalidURL as error:
        # Only a URL built from a template can get here; configured URLs are checked on load.
        raise FetchError(f"invalid URL {url!r}: {error}", f"{method} {url}: {error}") from None


async def _send(
    http: httpx.AsyncClient,
    url: str,
    method: str,
    headers: Mapping[str, str] | None,
    data: dict[str, str] | None,
    content: bytes | None,
    auth: tuple[str, str] | None,
    timeout: float,
    max_bytes: int,
) -> Response:
    request = http.build_request(method, url, headers=headers, data=data, content=content, timeout=timeout)
    basic_auth = httpx.BasicAuth(*auth) if auth is not None else None
    # Feeds move (http to https, new paths) and announce it with redirects.
    response = await http.send(request, stream=True, auth=basic_auth, follow_redirects=True)
    try:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise _too_large(url, max_bytes, f"it declares {declared} bytes")

        chunks: list[bytes] = []
        received = 0
        async for chunk in response.aiter_bytes():
            received += len(chunk)
            if received > max_bytes:
                raise _too_large(url, max_bytes, f"more than {received} bytes arrived")
            chunks.append(chunk)
    finally:
        await response.aclose()

    return Response(str(response.url), response.status_code, response.headers, b"".join(chunks))


def _too_large(url: str, max_bytes: int, why: str) -> ResponseTooLarge:
    limit = format_size(max_bytes)
    return ResponseTooLarge(
        f"response exceeds {limit}; raise max-response-size if this is expected",
        f"{url}: {why}, over the limit of {max_bytes} bytes ({limit})",
    )


def raise_for_status(response: Response, service: str, now: float) -> None:
    """Raise a one-line `FetchError` for an error status, naming `service` ("reddit", "the feed")."""

    status = response.status
    if status < 400:
        return

    excerpt = markup_snippet(response.body)
    detail = f"{response.url} answered HTTP {status} ({response.content_type or 'no content type'}): {excerpt}"
    if status == 429:
        retry_after = parse_retry_after(response.headers.get("retry-after"), now)
        wait = f"; trying again in {retry_after:g}s" if retry_after else ""
        raise FetchError(f"{service} is rate-limiting requests (429){wait}", detail, status, retry_after)
    if status in (401, 403, 406):
        raise FetchError(f"{service} refused the request ({status})", detail, status)
    if status == 404:
        raise FetchError(f"{service} has nothing at this address (404)", detail, status)
    raise FetchError(f"{service} answered HTTP {status}", detail, status)


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Read a Retry-After header, given in seconds or as an HTTP date, as seconds from `now`."""

    if not value:
        return None

    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        logger.debug("ignoring an unreadable Retry-After header: %r", value)
        return None
    return max(moment.timestamp() - now, 0.0)


def rebase_url(url: str, api_base_url: str | None) -> str:
    """Replace the scheme and host (and any path prefix) of a public API's URL with `api-base-url`.

    `https://hacker-news.firebaseio.com/v0/item/1.json` with the base
    `http://127.0.0.1:9000/mirror` becomes `http://127.0.0.1:9000/mirror/v0/item/1.json`.
    """

    if not api_base_url:
        return url

    base = urlsplit(api_base_url)
    parts = urlsplit(url)
    path = base.path.rstrip("/") + parts.path
    return urlunsplit((base.scheme, base.netloc, path, parts.query, parts.fragment))


async def fetch_each(
    sources: Sequence[Source],
    fetch_one: Callable[[Source], Awaitable[Result]],
    max_concurrent: int,
    label: str,
    describe: Callable[[Source], str] = str,
) -> list[Result | FetchError]:
    """Fetch every source concurrently, at most `max_concurrent` at once, in the sources' order.

    A source that fails yields its FetchError in place of a result, so one
    broken feed of five leaves the other four; each failure is logged with
    `label` (the widget) and the source.
    """

    limit = asyncio.Semaphore(max_concurrent)

    async def one(source: Source) -> Result | FetchError:
        async with limit:
            try:
                return await fetch_one(source)
            except FetchError as error:
                logger.warning("%s: %s failed: %s", label, describe(source), error.detail)
                return error

    return list(await asyncio.gather(*(one(source) for source in sources)))


def every_source_failed(failures: Sequence[tuple[str, FetchError]], noun: str) -> WidgetError:
    """Build the error of a widget whose every source failed, naming each source with its reason.

    `failures` pairs a source's name with its error, and `noun` is the plural
    for the sources, such as "feeds". The reason lists the first
    MAX_LISTED_FAILURES and counts the rest; the detail has them all.
    """

    named = [f"{name}: {error.reason}" for name, error in failures]
    listed = "; ".join(named[:MAX_LISTED_FAILURES])
    unlisted = len(named) - MAX_LISTED_FAILURES
    if unlisted > 0:
        listed += f"; and {unlisted} more"

    detail = "; ".join(f"{name}: {error.detail}" for name, error in failures)
    retry_after = max((error.retry_after or 0.0 for _, error in failures), default=0.0) or None
    return WidgetError(f"all {len(failures)} {noun} failed: {listed}", detail, retry_after)
