"""Run one check of any kind under a total deadline, and judge its response time."""

from __future__ import annotations

import asyncio
import ssl

from luna.checks.dns import DnsTarget, check_dns
from luna.checks.http import HttpClients, HttpTarget, check_http
from luna.checks.icmp import IcmpTarget, Pinger, check_icmp
from luna.checks.resolver import CheckPhase, Resolver, current_phase
from luna.checks.result import CheckResult, ErrorClass, timed_out_result
from luna.checks.tcp import TcpTarget, check_tcp, timeout_failure

Target = HttpTarget | TcpTarget | DnsTarget | IcmpTarget

# The deadline of a whole check is its timeout plus this much, so the timeouts of
# httpx and dnspython, which know which step was slow, usually fire first.
DEADLINE_GRACE = 0.1


class Checker:
    """The resources checks share: a caching resolver, HTTP clients and a pinger.

    Tests pass their own resolver (pointed at a fake DNS server), a TLS
    context that trusts their throwaway CA, and a pinger with a fake ping.
    """

    def __init__(
        self,
        user_agent: str,
        resolver: Resolver | None = None,
        trust: ssl.SSLContext | None = None,
        pinger: Pinger | None = None,
    ) -> None:
        self.resolver = resolver or Resolver()
        self.http = HttpClients(user_agent, self.resolver, trust)
        self.pinger = pinger or Pinger()

    async def check(self, target: Target, now: float, max_response_time: float | None = None) -> CheckResult:
        """Check the target once; `now` is the check time recorded in the result."""

        phase = CheckPhase()
        token = current_phase.set(phase)
        try:
            async with asyncio.timeout(target.timeout + DEADLINE_GRACE):
                result = await self._dispatch(target, now)
        except TimeoutError:
            result = deadline_result(target, phase, now)
        finally:
            current_phase.reset(token)
        return slow_result(result, max_response_time)

    async def _dispatch(self, target: Target, now: float) -> CheckResult:
        if isinstance(target, HttpTarget):
            return await check_http(target, self.http, now)
        if isinstance(target, TcpTarget):
            return await check_tcp(target, self.resolver, now)
        if isinstance(target, DnsTarget):
            return await check_dns(target, self.resolver, now)
        return await check_icmp(target, self.resolver, self.pinger, now)

    async def aclose(self) -> None:
        await self.http.aclose()


def deadline_result(target: Target, phase: CheckPhase, now: float) -> CheckResult:
    if phase.lookup is not None:
        message = f"DNS lookup for {phase.lookup} timed out after {target.timeout:g}s"
        return timed_out_result(now, message, ErrorClass.DNS)
    return timeout_failure(target.timeout, now, phase="in total")


def slow_result(result: CheckResult, max_response_time: float | None) -> CheckResult:
    """Mark an up result degraded when it took longer than `max_response_time` seconds."""

    if max_response_time is None or not result.is_up or result.response_time_ms is None:
        return result
    limit_ms = round(max_response_time * 1000)
    if result.response_time_ms <= limit_ms:
        return result
    return result.degraded(f"response took {result.response_time_ms} ms, over the {limit_ms} ms limit", ErrorClass.SLOW)
