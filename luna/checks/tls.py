"""TLS certificate problems in words, and the certificate-expiry warning."""

from __future__ import annotations

import dataclasses
import logging
import ssl
import time

import httpx

from luna.checks.result import CheckResult, ErrorClass

logger = logging.getLogger(__name__)

# OpenSSL's X509_V_ERR_* codes (include/openssl/x509_vfy.h) for the failures people meet most.
CERT_EXPIRED = 10
CERT_NOT_YET_VALID = 9
SELF_SIGNED = frozenset({18, 19})
INCOMPLETE_CHAIN = frozenset({2, 20, 21})
NAME_MISMATCH = frozenset({62, 64})

INSECURE_HINT = "set allow-insecure: true on this site to accept it"


def describe_certificate_error(error: ssl.SSLCertVerificationError, host: str) -> str:
    """Say which kind of certificate failure it is and what to do about it."""

    code = error.verify_code
    if code == CERT_EXPIRED:
        return "TLS certificate expired; renew it on the server"
    if code == CERT_NOT_YET_VALID:
        return "TLS certificate not valid yet; check the clocks of the server and of luna"
    if code in SELF_SIGNED:
        return f"TLS certificate is self-signed and not trusted; {INSECURE_HINT}"
    if code in INCOMPLETE_CHAIN:
        return (
            "TLS certificate chain incomplete or from an unknown CA: the server may not send its intermediate "
            f"certificate; fix the chain, or {INSECURE_HINT}"
        )
    if code in NAME_MISMATCH:
        return f"TLS certificate name mismatch: it is not valid for {host}; {INSECURE_HINT}"
    return f"TLS certificate not trusted: {error.verify_message or error.reason}"


def peer_certificate_expiry(response: httpx.Response) -> float | None:
    """Return the Unix time at which the server's certificate expires, when it was verified.

    Python exposes the fields of a certificate only after verifying it, so a
    site with `allow-insecure` has no expiry here.
    """

    stream = response.extensions.get("network_stream")
    ssl_object = stream.get_extra_info("ssl_object") if stream is not None else None
    if ssl_object is None:
        return None

    certificate = ssl_object.getpeercert()
    not_after = certificate.get("notAfter") if certificate else None
    if not not_after:
        return None
    try:
        return float(ssl.cert_time_to_seconds(not_after))
    except ValueError:
        logger.debug("unreadable certificate expiry %r from %s", not_after, response.url)
        return None


def expiry_result(result: CheckResult, expires_at: float | None, warning: float) -> CheckResult:
    """Record the certificate's expiry, and mark an up site degraded when it comes within `warning` seconds."""

    if expires_at is None:
        return result

    result = dataclasses.replace(result, cert_expires_at=expires_at)
    # Compared with the real time, not the check clock: the certificate's dates are real.
    left = expires_at - time.time()
    if not result.is_up or left >= warning:
        return result
    return result.degraded(f"TLS certificate expires in {_days(left)}; renew it before then", ErrorClass.CERT_EXPIRY)


def _days(seconds: float) -> str:
    days = seconds / 86400
    if days >= 1:
        return f"{days:.0f} day{'s' if round(days) != 1 else ''}"
    return f"{max(seconds / 3600, 0):.0f} hours"
