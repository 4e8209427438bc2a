"""ICMP checks: one echo request ("ping") to each address of a host until one replies.

Linux lets a process without root send pings through ICMP datagram sockets
when its group is in `net.ipv4.ping_group_range`; otherwise only raw sockets
work, which need root or CAP_NET_RAW. Where neither is allowed the site is
reported as unknown (status 2), never as down, because nothing was learnt
about the host.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import icmplib

from luna.checks.resolver import NameResolutionError, Resolver
from luna.checks.result import CheckResult, ErrorClass, Status, timed_out_result
from luna.checks.tcp import dns_failure

logger = logging.getLogger(__name__)

ALLOW_PING_HINT = (
    'allow unprivileged ping with `sysctl -w net.ipv4.ping_group_range="0 2147483647"` '
    "(keep it in /etc/sysctl.d/), or give luna the CAP_NET_RAW capability (Docker: --cap-add NET_RAW)"
)

# Send one echo request; return the round-trip time in ms, or None without a reply.
# Raises icmplib.SocketPermissionError when the socket kind is not allowed.
PingFunction = Callable[[str, float, bool], Awaitable[float | None]]


@dataclass(frozen=True)
class IcmpTarget:
    host: str
    timeout: float


async def icmplib_ping(address: str, timeout: float, privileged: bool) -> float | None:
    host = await icmplib.async_ping(address, count=1, timeout=timeout, privileged=privileged)
    return host.avg_rtt if host.is_alive else None


class Pinger:
    """Sends pings with the first socket kind the system allows, and remembers it."""

    def __init__(self, ping: PingFunction = icmplib_ping) -> None:
        self._ping = ping
        # Datagram sockets first, because they need no privilege; raw sockets need root or CAP_NET_RAW.
        self._modes: tuple[bool, ...] = (False, True)
        self._warned = False

    @property
    def permitted(self) -> bool:
        return bool(self._modes)

    async def ping(self, address: str, timeout: float) -> float | None:
        """Ping once; raise icmplib.SocketPermissionError when no socket kind is allowed."""

        while self._modes:
            privileged = self._modes[0]
            try:
                return await self._ping(address, timeout, privileged)
            except icmplib.SocketPermissionError:
                self._modes = self._modes[1:]
                logger.debug("ICMP %s sockets not permitted", "raw" if privileged else "datagram")
        self._warn_once()
        raise icmplib.SocketPermissionError(privileged=False)

    def _warn_once(self) -> None:
        if not self._warned:
            self._warned = True
            logger.warning("monitor: ping (icmp://) is not permitted for this process; %s", ALLOW_PING_HINT)


async def check_icmp(target: IcmpTarget, resolver: Resolver, pinger: Pinger, now: float) -> CheckResult:
    try:
        addresses = await resolver.resolve(target.host, target.timeout)
    except NameResolutionError as error:
        return dns_failure(error, now)
    if not pinger.permitted:
        return not_permitted(now)

    share = target.timeout / len(addresses)
    for address in addresses:
        try:
            rtt = await pinger.ping(address, share)
        except icmplib.SocketPermissionError:
            return not_permitted(now)
        except (icmplib.ICMPLibError, OSError) as error:
            logger.debug("ping %s failed: %r", address, error)
            continue
        if rtt is not None:
            return CheckResult(Status.UP, now, response_time_ms=round(rtt), label="OK")

    return timed_out_result(now, f"no reply to ping within {target.timeout:g}s")


def not_permitted(now: float) -> CheckResult:
    return CheckResult(
        Status.DEGRADED,
        now,
        error="ping not permitted on this system; see the log for how to allow it",
        error_class=ErrorClass.NOT_PERMITTED,
        label="Ping not permitted",
    )
