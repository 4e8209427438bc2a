"""Session tokens: signing, expiry, tampering, and the secret key's format."""

from __future__ import annotations

import base64
import json

import pytest

from luna.auth.sessions import SESSION_LIFETIME, EndedSessions, SessionCodec, decode_secret_key, make_secret_key

KEY = bytes(range(64))
NOW = 1_700_000_000.0


def test_issued_token_reads_back() -> None:
    codec = SessionCodec(KEY)
    session = codec.issue("alice", "fp", NOW)

    read = codec.read(session.token, NOW + 60)

    assert read == session
    assert read.expires_at == NOW + SESSION_LIFETIME


def test_expired_token_rejected() -> None:
    codec = SessionCodec(KEY)
    session = codec.issue("alice", "fp", NOW)

    assert codec.read(session.token, NOW + SESSION_LIFETIME) is None


def test_other_key_rejects_token() -> None:
    session = SessionCodec(KEY).issue("alice", "fp", NOW)

    assert SessionCodec(bytes(64)).read(session.token, NOW) is None


def test_edited_payload_rejected() -> None:
    codec = SessionCodec(KEY)
    payload, signature = codec.issue("alice", "fp", NOW).token.split(".")
    fields = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    fields["u"] = "admin"
    forged = base64.urlsafe_b64encode(json.dumps(fields).encode()).rstrip(b"=").decode()

    assert codec.read(f"{forged}.{signature}", NOW) is None


@pytest.mark.parametrize("token", ["", "no-dot", "a.b", ".", "é.ü", "x" * 5000])
def test_garbage_tokens_rejected(token: str) -> None:
    assert SessionCodec(KEY).read(token, NOW) is None


def test_renewal_keeps_session_id() -> None:
    codec = SessionCodec(KEY)
    session = codec.issue("alice", "fp", NOW)

    renewed = codec.issue("alice", "fp", NOW + 3 * 86400, session_id=session.id)

    assert renewed.id == session.id
    assert renewed.expires_at == NOW + 3 * 86400 + SESSION_LIFETIME


def test_ended_session_remembered_until_expiry() -> None:
    codec = SessionCodec(KEY)
    ended = EndedSessions()
    first = codec.issue("alice", "fp", NOW)
    second = codec.issue("alice", "fp", NOW + SESSION_LIFETIME)

    ended.end(first, NOW)
    remembered = first.id in ended
    ended.end(second, NOW + SESSION_LIFETIME + 1)

    assert remembered
    assert first.id not in ended
    assert second.id in ended


def test_made_key_is_glance_sized() -> None:
    key = make_secret_key()

    assert len(decode_secret_key(key)) == 64


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the secret key is empty"),
        ("c2hvcnQ=", "decodes to 5 bytes"),
        ("***not base64***", "is not base64 text"),
        ("A" * 2000, "use at most 1024"),
    ],
)
def test_bad_keys_explained(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("*", r"\*")):
        decode_secret_key(text)
