"""The outcome of one check of one monitored site."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum


class Status(IntEnum):
    """Site status as the API and live events report it."""

    UP = 0
    DOWN = 1
    # Degraded, or unknown because the check itself could not run.
    DEGRADED = 2


class ErrorClass(StrEnum):
    DNS = "dns"
    CONNECT = "connect"
    TLS = "tls"
    TIMEOUT = "timeout"
    HTTP = "http"
    REDIRECT = "redirect"
    PROTOCOL = "protocol"
    CONFIG = "config"


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

    @property
    def is_up(self) -> bool:
        return self.status is Status.UP
