"""The outcome of one check of one monitored site."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from typing import Any


class Status(IntEnum):
    """Site status as the API and live events report it."""

    UP = 0
    DOWN = 1
    # Degraded, or unknown because the check itself could not run.
    DEGRADED = 2

    @property
    def severity(self) -> int:
        """Rank for "worse than": up < degraded < down."""

        return {Status.UP: 0, Status.DEGRADED: 1, Status.DOWN: 2}[self]


class ErrorClass(StrEnum):
    """The kind of failure, stable across checks, so a change of kind is a change of state."""

    DNS = "dns"
    CONNECT = "connect"
    TLS = "tls"
    TIMEOUT = "timeout"
    HTTP = "http"
    REDIRECT = "redirect"
    PROTOCOL = "protocol"
    CONFIG = "config"
    # A `body-contains`, `json` or DNS `expect` condition did not hold.
    CONDITION = "condition"
    # Slower than `max-response-time`.
    SLOW = "slow"
    # The TLS certificate expires within `cert-expiry-warning`.
    CERT_EXPIRY = "cert-expiry"
    # The system does not let luna send ICMP echo requests.
    NOT_PERMITTED = "not-permitted"


@dataclass(frozen=True)
class CheckResult:
    """One check's verdict and the facts behind it."""

    status: Status
    checked_at: float
    code: int | None = None
    response_time_ms: int | None = None
    error: str | None = None
    error_class: ErrorClass | None = None
    timed_out: bool = False
    final_url: str | None = None
    # Short words for the page, such as "OK", "Not Found" or "Timed out".
    label: str = ""
    # Unix time at which the server's TLS certificate expires, for https targets.
    cert_expires_at: float | None = None
    # Failed checks in a row up to and including this one (retries count), 0 when up.
    failures: int = 0

    @property
    def is_up(self) -> bool:
        return self.status is Status.UP

    @property
    def failed(self) -> bool:
        return self.status is not Status.UP

    @property
    def change_key(self) -> tuple[Any, ...]:
        """What makes two results a different state: never the response time or the error text.

        The label is part of it because it carries the DNS response code, which
        has no HTTP code of its own; for HTTP it follows from the code.
        """

        return (self.status, self.code, self.error_class, self.label)

    def with_failures(self, failures: int) -> CheckResult:
        return dataclasses.replace(self, failures=failures)

    def degraded(self, error: str, error_class: ErrorClass) -> CheckResult:
        """Return this answer marked degraded, for a site that answered but not well enough."""

        return dataclasses.replace(self, status=Status.DEGRADED, error=error, error_class=error_class, label="Degraded")


def timed_out_result(now: float, message: str, error_class: ErrorClass = ErrorClass.TIMEOUT) -> CheckResult:
    return CheckResult(Status.DOWN, now, error=message, error_class=error_class, timed_out=True, label="Timed out")
