"""The client address, scheme and host of a request, with proxies accounted for.

X-Forwarded-For, X-Forwarded-Proto and X-Forwarded-Host are believed only
with `server.proxied: true` and only from a direct peer in
`server.trusted-proxies`; anyone else could write them to pose as another
client or to dodge the login throttle.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.types import Scope

from luna.config.fields import IPNetwork
from luna.config.models import Server


def header_values(scope: Scope, name: bytes) -> list[str]:
    return [value.decode("latin-1") for key, value in scope.get("headers", []) if key == name]


def peer_address(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def _parse_address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """Read an address as proxies write it: bare, `[v6]:port` or `v4:port`."""

    text = text.strip()
    if text.startswith("["):
        text = text[1 : text.find("]")] if "]" in text else text[1:]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    # An IPv4 client on a dual-stack socket shows up as ::ffff:a.b.c.d.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _is_trusted(text: str, networks: Iterable[IPNetwork]) -> bool:
    address = _parse_address(text)
    return address is not None and any(address in network for network in networks)


def from_trusted_proxy(scope: Scope, server: Server) -> bool:
    """Return whether this request's forwarding headers may be believed."""

    return server.proxied and _is_trusted(peer_address(scope), server.trusted_proxies)


def client_address(scope: Scope, server: Server) -> str:
    """Return the address of the client, for throttling and logs.

    Through trusted proxies this is the right-most X-Forwarded-For entry that
    is not itself a trusted proxy: entries to its left were written by the
    client, so they prove nothing.
    """

    peer = peer_address(scope)
    if not from_trusted_proxy(scope, server):
        return _canonical(peer)

    forwarded = [part.strip() for value in header_values(scope, b"x-forwarded-for") for part in value.split(",")]
    forwarded = [part for part in forwarded if part]
    for entry in reversed(forwarded):
        if not _is_trusted(entry, server.trusted_proxies):
            return _canonical(entry)
    # Every hop is trusted: the left-most is the client on the inside.
    return _canonical(forwarded[0]) if forwarded else _canonical(peer)


def _canonical(text: str) -> str:
    address = _parse_address(text)
    return str(address) if address is not None else text


def is_https(scope: Scope, server: Server) -> bool:
    """Return whether the browser used https, directly or as a trusted proxy reports."""

    if scope.get("scheme") in ("https", "wss"):
        return True
    if not from_trusted_proxy(scope, server):
        return False

    values = [part.strip().lower() for value in header_values(scope, b"x-forwarded-proto") for part in value.split(",")]
    # The left-most value is the scheme the browser used at the outer proxy.
    return bool(values) and values[0] == "https"


def request_host(scope: Scope, server: Server) -> str:
    """Return the host (and port) the browser addressed, lower case."""

    if from_trusted_proxy(scope, server):
        forwarded = header_values(scope, b"x-forwarded-host")
        if forwarded and forwarded[0].strip():
            return forwarded[0].split(",")[0].strip().lower()
    hosts = header_values(scope, b"host")
    return hosts[0].strip().lower() if hosts else ""
