"""The client address, scheme and host of a request, with and without trusted proxies."""

from __future__ import annotations

import pytest

from luna.config.fields import parse_network
from luna.config.models import Server
from luna.web.proxies import client_address, is_https, request_host

DIRECT = Server()
PROXIED = Server(proxied=True)


def scope(peer: str = "127.0.0.1", scheme: str = "http", **headers: str) -> dict:
    raw = [(name.replace("_", "-").lower().encode(), value.encode()) for name, value in headers.items()]
    return {"type": "http", "client": (peer, 40000), "scheme": scheme, "headers": raw}


@pytest.mark.parametrize(
    ("server", "peer", "forwarded", "expected"),
    [
        (DIRECT, "127.0.0.1", "203.0.113.5", "127.0.0.1"),
        (PROXIED, "127.0.0.1", "203.0.113.5", "203.0.113.5"),
        (PROXIED, "127.0.0.1", "192.0.2.1, 203.0.113.5", "203.0.113.5"),
        (PROXIED, "127.0.0.1", "203.0.113.5, 10.0.0.2", "203.0.113.5"),
        (PROXIED, "127.0.0.1", "203.0.113.5:51234", "203.0.113.5"),
        (PROXIED, "127.0.0.1", "[2001:db8::5]:443", "2001:db8::5"),
        (PROXIED, "127.0.0.1", "192.168.1.20, 10.0.0.2", "192.168.1.20"),
        (PROXIED, "127.0.0.1", "", "127.0.0.1"),
        (PROXIED, "203.0.113.9", "192.0.2.1", "203.0.113.9"),
        (PROXIED, "::ffff:127.0.0.1", "203.0.113.5", "203.0.113.5"),
        (Server(proxied=True, trusted_proxies=(parse_network("203.0.113.9"),)), "203.0.113.9", "192.0.2.1", "192.0.2.1"),
        (Server(proxied=True, trusted_proxies=(parse_network("203.0.113.9"),)), "127.0.0.1", "192.0.2.1", "127.0.0.1"),
    ],
    ids=[
        "not proxied ignores header",
        "proxied takes header",
        "right-most wins over spoofed left",
        "trusted hops skipped",
        "port stripped",
        "bracketed ipv6",
        "all trusted takes left-most",
        "empty header keeps peer",
        "untrusted peer ignored",
        "mapped ipv4 peer trusted",
        "own trusted list",
        "loopback untrusted when list replaced",
    ],
)
def test_client_address(server: Server, peer: str, forwarded: str, expected: str) -> None:
    headers = {"x_forwarded_for": forwarded} if forwarded else {}

    assert client_address(scope(peer, **headers), server) == expected


def test_forwarded_for_headers_joined() -> None:
    request = scope()
    request["headers"] = [(b"x-forwarded-for", b"192.0.2.1"), (b"x-forwarded-for", b"203.0.113.5")]

    assert client_address(request, PROXIED) == "203.0.113.5"


@pytest.mark.parametrize(
    ("server", "peer", "scheme", "proto", "expected"),
    [
        (DIRECT, "127.0.0.1", "https", "", True),
        (DIRECT, "127.0.0.1", "http", "https", False),
        (PROXIED, "127.0.0.1", "http", "https", True),
        (PROXIED, "127.0.0.1", "http", "HTTPS", True),
        (PROXIED, "127.0.0.1", "http", "https, http", True),
        (PROXIED, "127.0.0.1", "http", "http", False),
        (PROXIED, "203.0.113.9", "http", "https", False),
    ],
    ids=["direct tls", "header not proxied", "trusted proxy", "upper case", "outer proxy first", "plain", "untrusted peer"],
)
def test_https_detection(server: Server, peer: str, scheme: str, proto: str, expected: bool) -> None:
    headers = {"x_forwarded_proto": proto} if proto else {}

    assert is_https(scope(peer, scheme, **headers), server) is expected


def test_forwarded_host_only_from_trusted_proxy() -> None:
    request = scope(host="127.0.0.1:8080", x_forwarded_host="Dash.Example")

    assert request_host(request, PROXIED) == "dash.example"
    assert request_host(request, DIRECT) == "127.0.0.1:8080"
