"""DNS checks: a real query to a DNS server, judged by its response code and, optionally, its answer."""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass

import dns.asyncquery
import dns.exception
import dns.message
import dns.rcode
import dns.rdatatype

from luna.checks.resolver import NameResolutionError, Resolver
from luna.checks.result import CheckResult, ErrorClass, Status
from luna.checks.tcp import connect_each, connect_failure, dns_failure, timeout_failure

# `expect: nxdomain` turns "the name does not exist" into the healthy answer.
EXPECT_NXDOMAIN = "nxdomain"


@dataclass(frozen=True)
class DnsTarget:
    server: str
    port: int
    # None checks only that the server answers: any well-formed reply to a root NS query is up.
    name: str | None
    record_type: str
    timeout: float
    # "nxdomain", or values that must all be in the answer (addresses, names, texts).
    expect: tuple[str, ...] = ()

    @property
    def expects_nxdomain(self) -> bool:
        return len(self.expect) == 1 and self.expect[0].lower() == EXPECT_NXDOMAIN


async def check_dns(target: DnsTarget, resolver: Resolver, now: float) -> CheckResult:
    """Send one query to the server (each of its addresses in turn) and judge the reply."""

    try:
        addresses = await resolver.resolve(target.server, target.timeout)
    except NameResolutionError as error:
        return dns_failure(error, now)

    query = dns.message.make_query(target.name or ".", target.record_type)
    started = time.perf_counter()

    async def ask(address: str, share: float) -> dns.message.Message:
        response, _ = await dns.asyncquery.udp_with_fallback(query, address, timeout=share, port=target.port)
        return response

    try:
        response = await connect_each(addresses, target.timeout, ask, (OSError, TimeoutError, dns.exception.Timeout))
    except (TimeoutError, dns.exception.Timeout):
        return timeout_failure(target.timeout, now, phase=f"waiting for a reply from the DNS server {target.server}")
    except OSError as error:
        return connect_failure(error, now)
    except dns.exception.DNSException as error:
        return _down(now, None, f"malformed reply from the DNS server: {error}", "Down")

    elapsed_ms = round((time.perf_counter() - started) * 1000)
    return judge_reply(response, target, now, elapsed_ms)


def judge_reply(response: dns.message.Message, target: DnsTarget, now: float, elapsed_ms: int) -> CheckResult:
    rcode = response.rcode()
    name = target.name or "."

    if rcode == dns.rcode.NXDOMAIN:
        if target.name is None or target.expects_nxdomain:
            return CheckResult(Status.UP, now, response_time_ms=elapsed_ms, label="OK")
        return _down(now, elapsed_ms, f"{name} does not exist (NXDOMAIN)", "NXDOMAIN", ErrorClass.DNS)
    if rcode != dns.rcode.NOERROR:
        text = dns.rcode.to_text(rcode)
        return _down(now, elapsed_ms, f"the DNS server answered {text} for {name}", text, ErrorClass.DNS)

    if target.expects_nxdomain:
        return _down(now, elapsed_ms, f"{name} exists, but NXDOMAIN was expected", "Down", ErrorClass.CONDITION)
    missing = missing_answers(response, target)
    if missing:
        found = ", ".join(sorted(answer_values(response, target))) or "empty"
        message = f"{name} {target.record_type} is {found}; expected {', '.join(missing)}"
        return _down(now, elapsed_ms, message, "Down", ErrorClass.CONDITION)
    return CheckResult(Status.UP, now, response_time_ms=elapsed_ms, label="OK")


def missing_answers(response: dns.message.Message, target: DnsTarget) -> list[str]:
    values = answer_values(response, target)
    return [expected for expected in target.expect if normalise(expected) not in values]


def answer_values(response: dns.message.Message, target: DnsTarget) -> set[str]:
    record_type = dns.rdatatype.from_text(target.record_type)
    return {
        normalise(record.to_text()) for rrset in response.answer if rrset.rdtype == record_type for record in rrset
    }


def normalise(value: str) -> str:
    """Return one spelling per value: compressed IPv6, names without the final dot, TXT without quotes."""

    text = value.strip().strip('"').rstrip(".").lower()
    try:
        return ipaddress.ip_address(text).compressed
    except ValueError:
        return text


def _down(
    now: float, elapsed_ms: int | None, message: str, label: str, error_class: ErrorClass = ErrorClass.PROTOCOL
) -> CheckResult:
    return CheckResult(Status.DOWN, now, response_time_ms=elapsed_ms, error=message, error_class=error_class, label=label)
