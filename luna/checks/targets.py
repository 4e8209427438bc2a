"""Monitor targets: an HTTP(S) URL, a TCP port, a DNS server or a host to ping.

Parsing happens while the configuration loads, so a mistyped target is a
config error at its line instead of a site that is always down.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qs, urlsplit

import dns.exception
import dns.name
import dns.rdatatype

from luna.config.fields import parse_link, suggest

SCHEMES = ("http", "https", "tcp", "dns", "icmp")
DNS_DEFAULT_PORT = 53
# A bare `host:port`, the host a name, an IPv4 address or a bracketed IPv6 address.
BARE_HOST_PORT = re.compile(r"^(?P<host>\[[0-9A-Fa-f:.%\w]+\]|[A-Za-z0-9._-]+):(?P<port>\d+)$")

Kind = Literal["http", "tcp", "dns", "icmp"]


class InvalidTarget(ValueError):
    """A target text that luna cannot check; the message suggests a form that works."""


@dataclass(frozen=True)
class HttpEndpoint:
    url: str
    kind: Kind = "http"


@dataclass(frozen=True)
class TcpEndpoint:
    host: str
    port: int
    kind: Kind = "tcp"


@dataclass(frozen=True)
class DnsEndpoint:
    """A DNS server to query; with no `name`, any well-formed reply to a root NS query is up."""

    host: str
    port: int
    name: str | None
    record_type: str
    kind: Kind = "dns"


@dataclass(frozen=True)
class IcmpEndpoint:
    host: str
    kind: Kind = "icmp"


Endpoint = HttpEndpoint | TcpEndpoint | DnsEndpoint | IcmpEndpoint


def parse_target(text: str) -> Endpoint:
    """Read a site's `url` or `check-url` as something to check, or raise `InvalidTarget`."""

    text = text.strip()
    if "://" not in text:
        return _parse_bare(text)

    scheme = text.split("://", 1)[0].lower()
    if scheme in ("http", "https"):
        return HttpEndpoint(_parse_http(text))
    if scheme == "tcp":
        host, port = _host_and_port(text, default_port=None)
        return TcpEndpoint(host, port)
    if scheme == "dns":
        return _parse_dns(text)
    if scheme == "icmp":
        host, _ = _host_and_port(text, default_port=0)
        return IcmpEndpoint(host)

    nearest = suggest(scheme, SCHEMES)
    hint = f'did you mean "{nearest}://"?' if nearest else f"use one of {', '.join(s + '://' for s in SCHEMES)}"
    raise InvalidTarget(f'unknown scheme "{scheme}://" in "{text}"; {hint}')


def _parse_bare(text: str) -> TcpEndpoint:
    match = BARE_HOST_PORT.match(text)
    if match is None:
        if text.count(":") >= 2 and not text.startswith("["):
            raise InvalidTarget(
                f'"{text}" looks like an IPv6 address with a port; write the address in brackets, '
                f'such as "[::1]:53" or "tcp://[::1]:53"'
            )
        raise InvalidTarget(
            f'"{text}" has no scheme; write http://, https://, tcp://HOST:PORT, dns://SERVER or icmp://HOST, '
            "or a bare HOST:PORT for a TCP check"
        )
    return TcpEndpoint(_plain_host(match["host"], text), _port(match["port"], text))


def _parse_http(text: str) -> str:
    try:
        return parse_link(text)
    except ValueError as error:
        raise InvalidTarget(str(error)) from None


def _host_and_port(text: str, default_port: int | None) -> tuple[str, int]:
    parts = urlsplit(text)
    try:
        port = parts.port
    except ValueError as error:
        hint = "; write an IPv6 address in brackets" if parts.netloc.count(":") > 1 and "[" not in text else ""
        raise InvalidTarget(f'invalid target "{text}": {error}{hint}') from None

    if not parts.hostname:
        raise InvalidTarget(f'invalid target "{text}": it has no host after the scheme')
    if port is None:
        if default_port is None:
            raise InvalidTarget(f'"{text}" needs a port, such as tcp://{parts.hostname}:22')
        return parts.hostname, default_port
    return parts.hostname, _port(str(port), text)


def _parse_dns(text: str) -> DnsEndpoint:
    host, port = _host_and_port(text, default_port=DNS_DEFAULT_PORT)
    parts = urlsplit(text)
    name = parts.path.strip("/") or None
    query = parse_qs(parts.query)
    unknown = sorted(set(query) - {"type"})
    if unknown:
        raise InvalidTarget(f'unknown query parameter "{unknown[0]}" in "{text}"; only ?type= is read')

    record_type = query.get("type", ["A" if name else "NS"])[-1].upper()
    try:
        dns.rdatatype.from_text(record_type)
    except dns.rdatatype.UnknownRdatatype:
        raise InvalidTarget(f'unknown DNS record type "{record_type}" in "{text}"; use A, AAAA, MX, TXT, ...') from None
    if name is not None:
        try:
            dns.name.from_text(name)
        except dns.exception.DNSException as error:
            raise InvalidTarget(f'invalid DNS name "{name}" in "{text}": {error}') from None
    return DnsEndpoint(host, port, name, record_type)


def _plain_host(host: str, text: str) -> str:
    if not host.startswith("["):
        return host
    inner = host[1:-1]
    try:
        ipaddress.IPv6Address(inner)
    except ValueError:
        raise InvalidTarget(f'"{inner}" in "{text}" is not an IPv6 address') from None
    return inner


def _port(value: str, text: str) -> int:
    port = int(value)
    if not 1 <= port <= 65535:
        raise InvalidTarget(f'port {port} in "{text}" is out of range (1-65535)')
    return port
