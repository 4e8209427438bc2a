"""bcrypt hashing, the password and user-name rules, and checking a login against the configured users."""

from __future__ import annotations

import logging

import bcrypt
import pytest

from luna.auth import passwords
from luna.auth.passwords import (
    PasswordBook,
    account_from_config,
    bcrypt_rounds,
    hash_password,
    hash_problem,
    plain_password_rounds,
)

KEY = bytes(range(64))


def fast_book(**hashes: str) -> PasswordBook:
    return PasswordBook({name: account_from_config(name, None, hashed) for name, hashed in hashes.items()})


def test_hash_verifies_with_bcrypt() -> None:
    hashed = hash_password("hunter22", rounds=4)

    assert bcrypt.checkpw(b"hunter22", hashed.encode())
    assert hash_problem(hashed) is None


def test_hash_rejects_short_password() -> None:
    with pytest.raises(ValueError, match="too short"):
        hash_password("abc", rounds=4)


@pytest.mark.parametrize("prefix", ["$2a$", "$2b$", "$2y$"])
def test_bcrypt_prefixes_accepted(prefix: str) -> None:
    hashed = prefix + bcrypt.hashpw(b"hunter22", bcrypt.gensalt(4)).decode()[4:]
    book = fast_book(admin=hashed)

    assert hash_problem(hashed) is None
    assert book.verify("admin", "hunter22") is not None


def test_wrong_password_fails() -> None:
    book = fast_book(admin=hash_password("hunter22", rounds=4))

    assert book.verify("admin", "hunter23") is None


def test_unknown_user_checks_dummy() -> None:
    book = fast_book(admin=hash_password("hunter22", rounds=4))

    assert book.verify("nobody", "hunter22") is None
    assert bcrypt_rounds(book.dummy) == 4


def test_dummy_uses_highest_cost() -> None:
    book = fast_book(a_user=hash_password("hunter22", rounds=4), b_user=hash_password("hunter22", rounds=5))

    assert bcrypt_rounds(book.dummy) == 5


def test_overlong_password_fails_quietly() -> None:
    book = fast_book(admin=hash_password("hunter22", rounds=4))

    assert book.verify("admin", "x" * 100) is None


def test_plain_password_hashed_once(caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(passwords, "DEFAULT_ROUNDS", 4)
    monkeypatch.setattr(passwords, "_plain_hashes", {})

    with caplog.at_level(logging.WARNING, logger="luna.auth.passwords"):
        first = account_from_config("admin", "plain-text-1", None)
        second = account_from_config("admin", "plain-text-1", None)

    assert first.hashed == second.hashed
    assert PasswordBook({"admin": first}).verify("admin", "plain-text-1") is not None
    assert "auth.users.admin has a plain `password`" in caplog.text
    assert "luna password hash" in caplog.text


def test_plain_password_takes_stored_hash_cost(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(passwords, "_plain_hashes", {})
    stored = hash_password("hunter22", rounds=4)

    rounds = plain_password_rounds([stored])
    book = PasswordBook(
        {"alice": account_from_config("alice", None, stored), "bob": account_from_config("bob", "plain-text-1", None, rounds)}
    )

    assert bcrypt_rounds(book.accounts["bob"].hashed) == 4
    assert bcrypt_rounds(book.dummy) == 4


def test_plain_passwords_alone_take_default_cost() -> None:
    assert plain_password_rounds([]) == passwords.DEFAULT_ROUNDS


def test_fingerprint_follows_credential() -> None:
    hashed = hash_password("hunter22", rounds=4)
    other = hash_password("hunter22", rounds=4)
    book = fast_book(admin=hashed)

    assert book.fingerprint(KEY, "admin") == fast_book(admin=hashed).fingerprint(KEY, "admin")
    assert book.fingerprint(KEY, "admin") != fast_book(admin=other).fingerprint(KEY, "admin")
    assert book.fingerprint(KEY, "admin") != book.fingerprint(bytes(64), "admin")
    assert book.fingerprint(KEY, "nobody") is None
