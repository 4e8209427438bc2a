"""The Docker Engine API as docker-containers reads it: where it listens, the container list, and failures a person can fix."""

from __future__ import annotations

import asyncio
import errno
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from luna.widgets.base import WidgetError

logger = logging.getLogger(__name__)

DEFAULT_SOCKET = "/var/run/docker.sock"
CONTAINERS_PATH = "/containers/json"
# Docker's own default ports for plain and TLS connections.
DEFAULT_PORTS = {"http": 2375, "https": 2376}
# A list of 1,000 containers with labels is about 2 MB; anything far past that
# is not a container list.
MAX_RESPONSE_BYTES = 32 * 1024 * 1024
# Characters of an upstream reply kept in the log.
LOGGED_REPLY_CHARS = 500
SOCKET_FIX = (
    "run luna with the socket's group (docker run --group-add, or group_add in Compose) "
    "or reach Docker through a socket proxy with sock-path: tcp://HOST:2375"
)


class InvalidDockerHost(ValueError):
    pass


@dataclass(frozen=True)
class DockerEndpoint:
    """The address of the Docker API: a unix socket, or a base URL that may end in a version such as /v1.47."""

    socket_path: str | None = None
    base_url: str = "http://docker"
    path_prefix: str = ""

    @property
    def description(self) -> str:
        return f"socket {self.socket_path}" if self.socket_path else self.base_url + self.path_prefix

    def url(self, path: str) -> str:
        return self.base_url + self.path_prefix + path

    def request_path(self, path: str) -> str:
        return self.path_prefix + path


def parse_endpoint(value: str, source: str = "sock-path") -> DockerEndpoint:
    """Read a socket path, `unix://PATH`, `tcp://HOST:PORT`, or an `http(s)://` URL with an optional path prefix."""

    text = value.strip()
    if not text:
        raise InvalidDockerHost(f"{source} is empty; leave it out for {DEFAULT_SOCKET}")
    if text.startswith("unix://"):
        return DockerEndpoint(socket_path=text[len("unix://") :])
    if "://" not in text:
        return DockerEndpoint(socket_path=text)

    parts = urlsplit(text)
    scheme = {"tcp": "http"}.get(parts.scheme.lower(), parts.scheme.lower())
    if scheme not in ("http", "https"):
        raise InvalidDockerHost(
            f'{source} "{text}" uses {parts.scheme}://, which luna cannot speak; '
            "use a unix socket path, or run a socket proxy and write tcp://HOST:2375"
        )
    if not parts.hostname:
        raise InvalidDockerHost(f'{source} "{text}" has no host; write it as tcp://HOST:PORT')

    try:
        port = parts.port or DEFAULT_PORTS[scheme]
    except ValueError:
        raise InvalidDockerHost(f'{source} "{text}" has an invalid port') from None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return DockerEndpoint(base_url=f"{scheme}://{host}:{port}", path_prefix=parts.path.rstrip("/"))


def find_endpoint(sock_path: str | None, environ: Mapping[str, str]) -> DockerEndpoint:
    """Use `sock-path`, else `DOCKER_HOST` as the docker CLI does, else the standard socket."""

    if sock_path:
        return parse_endpoint(sock_path)
    docker_host = environ.get("DOCKER_HOST", "").strip()
    if docker_host:
        return parse_endpoint(docker_host, source="DOCKER_HOST")
    return DockerEndpoint(socket_path=DEFAULT_SOCKET)


async def fetch_containers(endpoint: DockerEndpoint, include_stopped: bool, timeout: float) -> list[dict[str, Any]]:
    """GET the container list, or raise WidgetError with a reason for the page and the reply for the log."""

    # The whole request has one deadline; httpx's own timeouts, which count
    # each read separately, can only fire at the same moment or later.
    try:
        async with asyncio.timeout(timeout):
            status, body = await _get(endpoint, CONTAINERS_PATH, {"all": "true" if include_stopped else "false"}, timeout)
    except (TimeoutError, httpx.TimeoutException):
        raise WidgetError(
            f"Docker API did not answer within {timeout:g} s",
            f"GET {endpoint.request_path(CONTAINERS_PATH)} on {endpoint.description} took longer than {timeout:g} s; "
            "raise the widget's timeout if the host is busy",
        ) from None
    except httpx.TransportError as error:
        raise connection_error(endpoint, error) from None

    if status != 200:
        raise refused_error(endpoint, status, body)
    return decode_containers(endpoint, body)


async def _get(endpoint: DockerEndpoint, path: str, params: dict[str, str], timeout: float) -> tuple[int, bytes]:
    transport = httpx.AsyncHTTPTransport(uds=endpoint.socket_path) if endpoint.socket_path else None
    async with httpx.AsyncClient(transport=transport, timeout=httpx.Timeout(timeout)) as client:
        async with client.stream("GET", endpoint.url(path), params=params, headers={"Accept": "application/json"}) as response:
            return response.status_code, await _read_capped(response)


async def _read_capped(response: httpx.Response) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            raise WidgetError(
                f"Docker API sent more than {MAX_RESPONSE_BYTES // (1024 * 1024)} MB; is sock-path pointing at Docker?"
            )
        chunks.append(chunk)
    return b"".join(chunks)


def connection_error(endpoint: DockerEndpoint, error: httpx.TransportError) -> WidgetError:
    """Turn a failed connection into what to do about it: missing socket, permissions, nothing listening."""

    cause = _os_error(error)
    code = cause.errno if cause is not None else None
    detail = f"{endpoint.description}: {error!r}"

    if endpoint.socket_path:
        path = endpoint.socket_path
        if isinstance(cause, PermissionError) or code in (errno.EACCES, errno.EPERM):
            return WidgetError(f"Permission denied on the Docker socket {path}: {SOCKET_FIX}", detail)
        if isinstance(cause, FileNotFoundError) or code == errno.ENOENT:
            return WidgetError(
                f"Docker socket {path} not found: start Docker, mount the socket into luna's container "
                "(-v /var/run/docker.sock:/var/run/docker.sock:ro), or set sock-path",
                detail,
            )
        if isinstance(cause, ConnectionRefusedError) or code == errno.ECONNREFUSED:
            return WidgetError(f"Nothing listens on the Docker socket {path}: is the Docker daemon running?", detail)
        return WidgetError(f"Could not reach Docker through the socket {path}: {cause or error}", detail)

    if isinstance(cause, ConnectionRefusedError) or code == errno.ECONNREFUSED:
        return WidgetError(f"Connection to the Docker API at {endpoint.base_url} refused: is the socket proxy running?", detail)
    return WidgetError(f"Could not reach the Docker API at {endpoint.base_url}: {cause or error}", detail)


def _os_error(error: BaseException) -> OSError | None:
    """Find the operating system's error behind an httpx error along the exception chain.

    Connecting to a host name tries each of its addresses and reports "All
    connection attempts failed" with the errors of the attempts grouped
    beneath, so an error with an errno is preferred to one without.
    """

    found: list[OSError] = []
    pending: list[BaseException] = [error]
    seen: set[int] = set()
    while pending:
        current = pending.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, OSError):
            if current.errno is not None:
                return current
            found.append(current)
        if isinstance(current, BaseExceptionGroup):
            pending.extend(current.exceptions)
        for linked in (current.__cause__, current.__context__):
            if linked is not None:
                pending.append(linked)
    return found[0] if found else None


def refused_error(endpoint: DockerEndpoint, status: int, body: bytes) -> WidgetError:
    """Name the refused path and the likely fix; the reply itself goes only to the log, never into the page as HTML."""

    path = endpoint.request_path(CONTAINERS_PATH)
    detail = f"GET {path} on {endpoint.description} answered {status}: {_loggable(body)}"
    # Socket proxies return 403 for an API section they are not configured to
    # allow, and some return 404 or 405 instead.
    if status in (401, 403, 404, 405):
        return WidgetError(f"Docker API refused {path} ({status}): check the socket proxy's permissions", detail)

    message = _docker_message(body)
    suffix = f": {message}" if message else ""
    return WidgetError(f"Docker API returned status {status} for {path}{suffix}", detail)


def _docker_message(body: bytes) -> str:
    """Return the `message` of a Docker error reply, or "" for anything else, such as a proxy's HTML error page."""

    try:
        payload = json.loads(body)
    except ValueError:
        return ""
    message = payload.get("message") if isinstance(payload, dict) else None
    return message.strip()[:200] if isinstance(message, str) else ""


def decode_containers(endpoint: DockerEndpoint, body: bytes) -> list[dict[str, Any]]:
    try:
        payload = json.loads(body)
    except ValueError as error:
        raise WidgetError(
            f"Docker API at {endpoint.description} sent a reply that is not JSON; is sock-path pointing at Docker?",
            f"{error}: {_loggable(body)}",
        ) from None
    if not isinstance(payload, list) or not all(isinstance(item, dict) for item in payload):
        raise WidgetError(
            f"Docker API at {endpoint.description} sent something other than a container list",
            _loggable(body),
        )
    return payload


def _loggable(body: bytes) -> str:
    text = body.decode("utf-8", "replace")
    return text if len(text) <= LOGGED_REPLY_CHARS else text[:LOGGED_REPLY_CHARS] + "…"
