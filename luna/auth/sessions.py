"""Session tokens: signed with the secret key, carrying the user, a session id and the expiry.

A token is `PAYLOAD.SIGNATURE`, both base64url: the payload is compact JSON
and the signature an HMAC-SHA256 of it under a key derived from
`auth.secret-key`. Nothing but ended sessions is stored on the server, so a
restart keeps everyone logged in. A token stops working when it expires, when
the secret key changes (the signature fails), when its user's password
changes or the user is removed (the credential fingerprint no longer matches)
or when the session is ended by logging out.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from typing import Any

SESSION_LIFETIME = 14 * 24 * 3600.0
# A session used at least this long after its token was issued gets a new
# token with a new 14-day expiry; renewing on every request would send a
# cookie with every response.
RENEW_AFTER = 24 * 3600.0

# HMAC-SHA256 needs no more than 32 bytes of key; Glance's keys have 64.
MIN_KEY_BYTES = 32
NEW_KEY_BYTES = 64
MAX_KEY_TEXT = 1024


def make_secret_key() -> str:
    """Return a new random key as standard base64 of 64 bytes, the form Glance uses too."""

    return base64.b64encode(secrets.token_bytes(NEW_KEY_BYTES)).decode()


def decode_secret_key(text: str) -> bytes:
    """Decode `auth.secret-key`; raise ValueError saying what is wrong and how to make a good one."""

    value = text.strip()
    if not value:
        raise ValueError("the secret key is empty; make one with `luna secret make`")
    if len(value) > MAX_KEY_TEXT:
        raise ValueError(f"the secret key is {len(value)} characters long; use at most {MAX_KEY_TEXT}, such as the output of `luna secret make`")

    key = _base64_bytes(value)
    if key is None:
        raise ValueError("the secret key is not base64 text; make one with `luna secret make`")
    if len(key) < MIN_KEY_BYTES:
        raise ValueError(
            f"the secret key decodes to {len(key)} bytes; it needs at least {MIN_KEY_BYTES}, "
            "so make a new one with `luna secret make`"
        )
    return key


def _base64_bytes(text: str) -> bytes | None:
    """Decode standard or URL-safe base64, with or without padding."""

    padded = text + "=" * (-len(text) % 4)
    alphabet = b"-_" if ("-" in text or "_" in text) else None
    try:
        return base64.b64decode(padded, altchars=alphabet, validate=True)
    except (binascii.Error, ValueError):
        return None


@dataclass(frozen=True)
class Session:
    """A verified session token and what it says."""

    user: str
    id: str
    issued_at: float
    expires_at: float
    fingerprint: str
    token: str

    def renewal_due(self, now: float) -> bool:
        return now - self.issued_at >= RENEW_AFTER


class SessionCodec:
    """Issues and verifies the session tokens of one secret key."""

    def __init__(self, secret_key: bytes, lifetime: float = SESSION_LIFETIME) -> None:
        # A key of its own for signing, so the secret key is never used for two purposes.
        self._signing_key = hmac.new(secret_key, b"luna session signing", hashlib.sha256).digest()
        self.lifetime = lifetime

    def issue(self, user: str, fingerprint: str, now: float, session_id: str | None = None) -> Session:
        """Make a token for a new session, or a renewed token for `session_id`."""

        session_id = session_id or secrets.token_urlsafe(16)
        issued, expires = int(now), int(now + self.lifetime)
        fields = {"u": user, "s": session_id, "i": issued, "e": expires, "f": fingerprint}
        payload = _encode(json.dumps(fields, separators=(",", ":"), ensure_ascii=False).encode())
        token = f"{payload}.{self._sign(payload)}"
        return Session(user, session_id, float(issued), float(expires), fingerprint, token)

    def read(self, token: str, now: float) -> Session | None:
        """Return the session of a token whose signature is good and which has not expired; else None."""

        payload, dot, signature = token.partition(".")
        if not dot or not hmac.compare_digest(signature.encode(), self._sign(payload).encode()):
            return None

        fields = _payload_fields(payload)
        if fields is None or fields["e"] <= now:
            return None
        return Session(fields["u"], fields["s"], float(fields["i"]), float(fields["e"]), fields["f"], token)

    def _sign(self, payload: str) -> str:
        return _encode(hmac.new(self._signing_key, payload.encode("ascii", "replace"), hashlib.sha256).digest())


def _payload_fields(payload: str) -> dict[str, Any] | None:
    """Decode a signed payload; None when it lacks a field, which only a token of another format would."""

    raw = _base64_bytes(payload)
    if raw is None:
        return None
    try:
        fields = json.loads(raw)
    except ValueError:
        return None

    expected = {"u": str, "s": str, "i": int, "e": int, "f": str}
    if not isinstance(fields, dict) or any(not isinstance(fields.get(name), kind) for name, kind in expected.items()):
        return None
    return fields


def _encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class EndedSessions:
    """Ids of sessions ended by logging out, kept until their tokens would have expired anyway.

    NOTE: the list lives in memory, so after a restart a token copied before
    its logout works again until it expires. Changing the secret key ends
    every session for good.
    """

    def __init__(self) -> None:
        self._ended: dict[str, float] = {}

    def end(self, session: Session, now: float) -> None:
        self._prune(now)
        self._ended[session.id] = session.expires_at

    def __contains__(self, session_id: str) -> bool:
        return session_id in self._ended

    def _prune(self, now: float) -> None:
        for session_id, expires_at in list(self._ended.items()):
            if expires_at <= now:
                del self._ended[session_id]
