"""Name lookups for checks, cached for the TTL of each answer.

A monitor with fifty sites on one name would otherwise send fifty lookups per
round, and home resolvers such as Pi-hole or AdGuard rate-limit bursts like
that by dropping queries, which shows up as every site timing out at once.
Here concurrent lookups of one name share a single query, answers live in a
cache until their TTL runs out (so a changed address is picked up then), and
the number of queries in flight is bounded.

The order is the one a Linux host uses by default: IP literals as they are,
then the hosts file, then DNS through dnspython with the system's
nameservers. When no nameserver is configured, and for mDNS `.local` names,
the system's getaddrinfo answers instead; it reports no TTL, so its answers
are kept for `FALLBACK_TTL`.
"""

from __future__ import annotations

import asyncio
import contextvars
import ipaddress
import logging
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import dns.asyncresolver
import dns.exception
import dns.nameserver
import dns.rdatatype
import dns.resolver

logger = logging.getLogger(__name__)

HOSTS_PATH = Path("/etc/hosts")
# TTLs outside this range are clamped: 0 would defeat the cache, days would hide a move.
MIN_TTL = 1.0
MAX_TTL = 3600.0
# Kept this long when a negative answer carries no SOA record, or when getaddrinfo answered.
NEGATIVE_TTL = 30.0
FALLBACK_TTL = 30.0
# DNS queries in flight at once, across all checks of the process.
MAX_CONCURRENT_QUERIES = 16
# After one address family answered, wait this long for the other before connecting
# (the "resolution delay" of RFC 8305, Happy Eyeballs v2).
RESOLUTION_DELAY = 0.05


@dataclass
class CheckPhase:
    """The step an attempt is waiting on, so a timeout message can name a slow lookup."""

    lookup: str | None = None


# Set by the check runner for each attempt; the resolver records its lookups in it.
current_phase: contextvars.ContextVar[CheckPhase | None] = contextvars.ContextVar("current_phase", default=None)


class NameResolutionError(Exception):
    """A host name that did not resolve; the message is the reason a person reads."""

    def __init__(self, host: str, reason: str, timed_out: bool = False) -> None:
        super().__init__(f"DNS lookup for {host} failed: {reason}")
        self.host = host
        self.reason = reason
        self.timed_out = timed_out


@dataclass
class _Entry:
    expires_at: float
    addresses: tuple[str, ...] = ()
    error: NameResolutionError | None = None


@dataclass
class _HostsFile:
    path: Path | None
    mtime: float | None = None
    names: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def lookup(self, host: str) -> tuple[str, ...]:
        self._reload_if_changed()
        return self.names.get(host.lower().rstrip("."), ())

    def _reload_if_changed(self) -> None:
        if self.path is None:
            return
        try:
            mtime = self.path.stat().st_mtime
        except OSError:
            self.names = {}
            return
        if mtime == self.mtime:
            return

        self.mtime = mtime
        self.names = parse_hosts(self.path.read_text(encoding="utf-8", errors="replace"))


def parse_hosts(text: str) -> dict[str, tuple[str, ...]]:
    """Map each name in hosts-file text to its addresses, in file order."""

    names: dict[str, list[str]] = {}
    for line in text.splitlines():
        fields = line.split("#", 1)[0].split()
        if len(fields) < 2 or not is_ip_address(fields[0]):
            continue
        for name in fields[1:]:
            addresses = names.setdefault(name.lower(), [])
            if fields[0] not in addresses:
                addresses.append(fields[0])
    return {name: tuple(addresses) for name, addresses in names.items()}


def is_ip_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


class Resolver:
    """Resolve host names to addresses for checks; one instance serves the whole process.

    `nameservers` (address, port) pairs replace the system's, which tests use
    to point lookups at a fake DNS server on 127.0.0.1; `hosts_path=None`
    skips the hosts file. `now` is a monotonic clock in seconds.
    """

    def __init__(
        self,
        nameservers: list[tuple[str, int]] | None = None,
        hosts_path: Path | None = HOSTS_PATH,
        now: Callable[[], float] = time.monotonic,
        max_concurrent_queries: int = MAX_CONCURRENT_QUERIES,
    ) -> None:
        self._now = now
        self._hosts = _HostsFile(hosts_path)
        self._dns = _dns_resolver(nameservers)
        self._cache: dict[tuple[str, str], _Entry] = {}
        self._in_flight: dict[tuple[str, str], asyncio.Task[_Entry]] = {}
        self._query_limit = asyncio.Semaphore(max_concurrent_queries)
        self.queries_sent = 0

    async def resolve(self, host: str, timeout: float) -> tuple[str, ...]:
        """Return the addresses of `host`, IPv4 first; raise `NameResolutionError` when there are none."""

        host = host.strip("[]")
        if is_ip_address(host):
            return (host,)

        listed = self._hosts.lookup(host)
        if listed:
            return listed

        phase = current_phase.get()
        if phase is not None:
            phase.lookup = host
        addresses = await self._lookup(host, timeout)
        if phase is not None:
            phase.lookup = None
        return addresses

    async def _lookup(self, host: str, timeout: float) -> tuple[str, ...]:
        if self._dns is None or host.lower().rstrip(".").endswith(".local"):
            return await self._cached(host, "getaddrinfo", timeout)

        ipv4 = asyncio.ensure_future(self._cached(host, "A", timeout))
        ipv6 = asyncio.ensure_future(self._cached(host, "AAAA", timeout))
        try:
            await self._wait_for_families(ipv4, ipv6)
        finally:
            for task in (ipv4, ipv6):
                _discard(task)
        return _merge(host, ipv4, ipv6)

    async def _wait_for_families(self, *families: asyncio.Future[tuple[str, ...]]) -> None:
        done, pending = await asyncio.wait(families, return_when=asyncio.FIRST_COMPLETED)
        first = next(iter(done))
        if pending and first.exception() is None and first.result():
            await asyncio.wait(pending, timeout=RESOLUTION_DELAY)
        elif pending:
            await asyncio.wait(pending)

    async def _cached(self, host: str, record_type: str, timeout: float) -> tuple[str, ...]:
        key = (host.lower(), record_type)
        entry = self._cache.get(key)
        if entry is None or entry.expires_at <= self._now():
            task = self._in_flight.get(key)
            if task is None:
                task = asyncio.ensure_future(self._query(host, record_type, time.monotonic() + timeout))
                self._in_flight[key] = task
                task.add_done_callback(lambda _, key=key: self._store(key, _))
            # Shielded, so a check that gives up does not cancel the query others wait for.
            entry = await asyncio.shield(task)

        if entry.error is not None:
            raise entry.error
        return entry.addresses

    def _store(self, key: tuple[str, str], task: asyncio.Task[_Entry]) -> None:
        self._in_flight.pop(key, None)
        if task.cancelled() or task.exception() is not None:
            return
        entry = task.result()
        if entry.expires_at > self._now():
            self._cache[key] = entry

    async def _query(self, host: str, record_type: str, deadline: float) -> _Entry:
        async with self._query_limit:
            # A query that waited for a free slot past its check's deadline is not sent,
            # because no check waits for its answer any more.
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                error = NameResolutionError(host, "no free slot for the DNS query in time", timed_out=True)
                return _Entry(self._now(), error=error)

            self.queries_sent += 1
            if record_type == "getaddrinfo":
                return await self._query_system(host)
            return await self._query_dns(host, record_type, remaining)

    async def idle(self) -> None:
        """Wait until no query is in flight, for tests that start a round right after another."""

        while self._in_flight:
            await asyncio.wait(list(self._in_flight.values()))

    async def _query_dns(self, host: str, record_type: str, timeout: float) -> _Entry:
        resolver = self._dns
        if resolver is None:
            return await self._query_system(host)

        now = self._now()
        try:
            answer = await resolver.resolve(host, record_type, lifetime=timeout, search=True)
        except dns.resolver.NXDOMAIN as error:
            return _Entry(now + _negative_ttl(error), error=NameResolutionError(host, "name not found (NXDOMAIN)"))
        except dns.resolver.NoAnswer as error:
            return _Entry(now + _negative_ttl(error))
        except dns.exception.Timeout:
            # Not cached: the next check asks again.
            return _Entry(now, error=NameResolutionError(host, f"no response within {timeout:g}s", timed_out=True))
        except dns.resolver.NoNameservers as error:
            logger.debug("DNS lookup of %s %s failed: %s", host, record_type, error)
            return _Entry(now, error=NameResolutionError(host, "the DNS server failed to answer (SERVFAIL or REFUSED)"))
        except dns.exception.DNSException as error:
            return _Entry(now, error=NameResolutionError(host, str(error) or type(error).__name__))

        ttl = min(max(float(answer.rrset.ttl if answer.rrset else NEGATIVE_TTL), MIN_TTL), MAX_TTL)
        addresses = tuple(record.address for record in answer)
        logger.debug("resolved %s %s to %s (TTL %gs)", host, record_type, ", ".join(addresses), ttl)
        return _Entry(now + ttl, addresses)

    async def _query_system(self, host: str) -> _Entry:
        now = self._now()
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
        except socket.gaierror as error:
            reason = "name not found" if error.errno == socket.EAI_NONAME else (error.strerror or "no answer")
            return _Entry(now + NEGATIVE_TTL, error=NameResolutionError(host, reason))

        addresses = tuple(dict.fromkeys(str(info[4][0]) for info in infos))
        return _Entry(now + FALLBACK_TTL, _ipv4_first(addresses))


def _dns_resolver(nameservers: list[tuple[str, int]] | None) -> dns.asyncresolver.Resolver | None:
    if nameservers is not None:
        resolver = dns.asyncresolver.Resolver(configure=False)
        resolver.nameservers = [dns.nameserver.Do53Nameserver(address, port) for address, port in nameservers]
        return resolver

    try:
        return dns.asyncresolver.Resolver()
    except (dns.resolver.NoResolverConfiguration, OSError) as error:
        logger.info("no DNS nameserver configured (%s); using the system's getaddrinfo without TTLs", error)
        return None


def _negative_ttl(error: dns.exception.DNSException) -> float:
    """Return the SOA minimum of a negative answer (RFC 2308), or `NEGATIVE_TTL` without one."""

    responses = error.kwargs.get("responses") or {}
    if not responses and error.kwargs.get("response") is not None:
        responses = {None: error.kwargs["response"]}
    for response in responses.values():
        for rrset in response.authority:
            if rrset.rdtype == dns.rdatatype.SOA:
                return min(max(float(min(rrset.ttl, rrset[0].minimum)), MIN_TTL), MAX_TTL)
    return NEGATIVE_TTL


def _merge(host: str, ipv4: asyncio.Future[tuple[str, ...]], ipv6: asyncio.Future[tuple[str, ...]]) -> tuple[str, ...]:
    addresses: list[str] = []
    errors: list[NameResolutionError] = []
    for family in (ipv4, ipv6):
        if not family.done() or family.cancelled():
            continue
        if family.exception() is not None:
            errors.append(family.exception())  # type: ignore[arg-type]
        else:
            addresses.extend(family.result())

    if addresses:
        return tuple(addresses)
    if errors:
        # A timeout tells more than a missing AAAA record, so it is the one raised.
        raise next((error for error in errors if error.timed_out), errors[0])
    raise NameResolutionError(host, "the name has no A or AAAA records")


def _discard(task: asyncio.Future[tuple[str, ...]]) -> None:
    """Cancel a lookup no longer waited for, or mark its exception as seen so asyncio does not log it."""

    if not task.done():
        task.cancel()
    elif not task.cancelled():
        task.exception()


def _ipv4_first(addresses: tuple[str, ...]) -> tuple[str, ...]:
    # IPv4 first: in home labs and containers IPv6 routes are more often missing
    # than IPv4 ones, and each address tried costs part of the timeout.
    return tuple(sorted(addresses, key=lambda address: ":" in address))

