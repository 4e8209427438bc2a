"""Fake services for monitor tests, each on a free port of 127.0.0.1 (or ::1): HTTP(S), DNS and raw TCP."""

from __future__ import annotations

import datetime
import socket
import ssl
import struct
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset
import trustme


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    # Seconds to wait before the status line, for slow services.
    delay: float = 0.0
    # Status for HEAD requests when it differs from GET's.
    head_status: int | None = None
    # Statuses served one per request before `status` applies, for flaky services.
    sequence: list[int] = field(default_factory=list)
    # Send part of the headers, then reset the connection.
    reset: bool = False


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._answer(head=False)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(head=True)

    def _answer(self, head: bool) -> None:
        path = self.path.split("?", 1)[0]
        self.server.upstream.requests.append((self.command, path, dict(self.headers)))
        route = self.server.upstream.routes.get(path, Route(status=404))
        if route.delay:
            time.sleep(route.delay)
        if route.reset:
            self._reset()
            return

        status = route.sequence.pop(0) if route.sequence else route.status
        if head and route.head_status is not None:
            status = route.head_status
        self.send_response(status)
        for name, value in route.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(route.body)))
        self.end_headers()
        if not head:
            self.wfile.write(route.body)

    def _reset(self) -> None:
        self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Ty")
        self.wfile.flush()
        # SO_LINGER with a zero timeout makes close() send a RST instead of a FIN.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    # The default of 5 drops the SYNs of a burst of concurrent checks.
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], upstream: HttpUpstream, tls: ssl.SSLContext | None) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.upstream = upstream
        self.tls = tls
        super().__init__(address, _Handler)

    def get_request(self) -> tuple[socket.socket, object]:
        connection, address = super().get_request()
        if self.tls is not None:
            connection = self.tls.wrap_socket(connection, server_side=True, do_handshake_on_connect=False)
        return connection, address

    def handle_error(self, request: object, client_address: object) -> None:
        # Clients that give up (timeouts, rejected certificates) are part of the tests.
        pass


class HttpUpstream:
    """A threaded HTTP(S) server whose routes a test sets; it records every request."""

    def __init__(self, host: str = "127.0.0.1", tls: ssl.SSLContext | None = None) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self._server = _Server((host, 0), self, tls)
        self.host = host
        self.port = self._server.server_address[1]
        self.scheme = "https" if tls else "http"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def url(self, path: str = "/") -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}{path}"

    def route(self, path: str, status: int = 200, **options: object) -> Route:
        self.routes[path] = Route(status=status, **options)  # type: ignore[arg-type]
        return self.routes[path]

    def start(self) -> HttpUpstream:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@contextmanager
def http_upstream(host: str = "127.0.0.1", tls: ssl.SSLContext | None = None) -> Iterator[HttpUpstream]:
    upstream = HttpUpstream(host, tls).start()
    try:
        yield upstream
    finally:
        upstream.stop()


class Certificates:
    """Throwaway certificates from trustme: a trusted CA and the server contexts the TLS tests need."""

    def __init__(self, folder: Path) -> None:
        self.ca = trustme.CA()
        self.folder = folder

    def client_trust(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
        self.ca.configure_trust(context)
        return context

    def server(self, *names: str, days_valid: float = 365, expired: bool = False) -> ssl.SSLContext:
        now = datetime.datetime.now(datetime.timezone.utc)
        not_before = now - datetime.timedelta(days=30)
        not_after = now - datetime.timedelta(days=1) if expired else now + datetime.timedelta(days=days_valid)
        leaf = self.ca.issue_cert(*names, not_before=not_before, not_after=not_after)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        leaf.configure_cert(context)
        return context

    def self_signed(self) -> ssl.SSLContext:
        """A server presenting a self-signed certificate that no client trusts."""

        stranger = trustme.CA()
        certificate = self.folder / "self-signed.pem"
        certificate.write_bytes(stranger.cert_pem.bytes() + stranger.private_key_pem.bytes())
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(certificate)
        return context

    def without_intermediate(self, name: str) -> ssl.SSLContext:
        """A server whose certificate comes from an intermediate CA it does not send."""

        intermediate = self.ca.create_child_ca()
        leaf = intermediate.issue_cert(name)
        certificate = self.folder / "leaf-only.pem"
        certificate.write_bytes(leaf.cert_chain_pems[0].bytes() + leaf.private_key_pem.bytes())
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(certificate)
        return context


@dataclass
class DnsRecord:
    addresses: dict[str, list[str]] = field(default_factory=dict)
    ttl: int = 60
    # "nxdomain", "servfail", "refused" or "silent" (no reply at all).
    behaviour: str = "answer"


class FakeDnsServer:
    """A UDP DNS server on 127.0.0.1 with records a test sets; it counts the queries per name and type.

    `budget`, when set, is the number of queries it still answers; it drops
    the rest, as a rate-limited home resolver does.
    """

    def __init__(self) -> None:
        self.records: dict[str, DnsRecord] = {}
        self.queries: Counter[tuple[str, str]] = Counter()
        self.budget: int | None = None
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.settimeout(0.05)
        self.port = self._socket.getsockname()[1]
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def address(self) -> tuple[str, int]:
        return ("127.0.0.1", self.port)

    def add(self, name: str, ipv4: list[str] | None = None, ipv6: list[str] | None = None, ttl: int = 60) -> None:
        addresses = {"A": ipv4 or [], "AAAA": ipv6 or []}
        self.records[name.lower().rstrip(".")] = DnsRecord(addresses, ttl)

    def fail(self, name: str, behaviour: str) -> None:
        self.records[name.lower().rstrip(".")] = DnsRecord(behaviour=behaviour)

    def _serve(self) -> None:
        while not self._stopped.is_set():
            try:
                wire, client = self._socket.recvfrom(4096)
            except TimeoutError:
                continue
            reply = self._reply(dns.message.from_wire(wire))
            if reply is not None:
                self._socket.sendto(reply.to_wire(), client)

    def _reply(self, query: dns.message.Message) -> dns.message.Message | None:
        question = query.question[0]
        name = question.name.to_text().lower().rstrip(".") or "."
        record_type = dns.rdatatype.to_text(question.rdtype)
        self.queries[(name, record_type)] += 1
        if self.budget is not None:
            if self.budget <= 0:
                return None
            self.budget -= 1

        record = self.records.get(name)
        response = dns.message.make_response(query)
        if name == ".":
            return response
        if record is None or record.behaviour == "nxdomain":
            response.set_rcode(dns.rcode.NXDOMAIN)
            response.authority.append(_soa())
            return response
        if record.behaviour == "silent":
            return None
        if record.behaviour in ("servfail", "refused"):
            response.set_rcode(dns.rcode.from_text(record.behaviour.upper()))
            return response

        values = record.addresses.get(record_type, [])
        if values:
            response.answer.append(dns.rrset.from_text(question.name, record.ttl, "IN", record_type, *values))
        else:
            response.authority.append(_soa())
        return response

    def start(self) -> FakeDnsServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(timeout=5)
        self._socket.close()


def _soa() -> dns.rrset.RRset:
    return dns.rrset.from_text("example.invalid.", 60, "IN", "SOA", "ns.example.invalid. admin.example.invalid. 1 60 60 60 60")


@contextmanager
def fake_dns() -> Iterator[FakeDnsServer]:
    server = FakeDnsServer().start()
    try:
        yield server
    finally:
        server.stop()


def closed_port() -> int:
    """A port on 127.0.0.1 with nothing listening, found by binding and releasing it."""

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def silent_tcp_server(host: str = "127.0.0.1") -> Iterator[int]:
    """A listener that accepts connections and never sends a byte; yields its port."""

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.bind((host, 0))
    listener.listen(128)
    try:
        yield listener.getsockname()[1]
    finally:
        listener.close()
