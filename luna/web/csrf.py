"""Rejecting cross-site POSTs: a page elsewhere must not log someone in, or act with their session.

Current browsers send where a request comes from in `Sec-Fetch-Site` and,
on every POST, in `Origin`; older ones at least send a `Referer`. A request
with none of them does not come from a browser, so no other site can have
made it with the user's cookies, and it passes.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.types import Scope

from luna.config.models import Server
from luna.web.proxies import header_values, request_host

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
DEFAULT_PORTS = {"http": 80, "https": 443}


def cross_origin_reason(scope: Scope, server: Server) -> str | None:
    """Return why an unsafe request must be rejected as cross-origin, or None to let it through."""

    if scope["method"] in SAFE_METHODS:
        return None

    fetch_site = _first(scope, b"sec-fetch-site")
    if fetch_site in ("same-origin", "none"):
        # The browser vouches for it, even when a proxy rewrote the Host header.
        return None
    if fetch_site:
        return f"the browser marked it as a {fetch_site} request (Sec-Fetch-Site)"

    host = request_host(scope, server)
    origin = _first(scope, b"origin")
    if origin:
        return None if _same_host(origin, host) else f"Origin {origin} is not this dashboard's host {host or '(none)'}"

    referer = _first(scope, b"referer")
    if referer:
        return None if _same_host(referer, host) else f"Referer {referer} is not this dashboard's host {host or '(none)'}"
    return None


def _first(scope: Scope, name: bytes) -> str:
    values = header_values(scope, name)
    return values[0].strip() if values else ""


def _same_host(url: str, host: str) -> bool:
    """Return whether a URL points at the host (and port) in a Host header.

    The scheme is not compared: behind a proxy that ends TLS without saying
    so, the browser's https origin meets a plain-HTTP request.
    """

    try:
        source = urlsplit(url)
        target = urlsplit("//" + host)
        default_port = DEFAULT_PORTS.get(source.scheme.lower())
        source_port = source.port or default_port
        target_port = target.port or default_port
    except ValueError:
        return False
    return bool(source.hostname) and source.hostname == target.hostname and source_port == target_port
