"""The login throttle: per address, per user name, the window, and the owner's known addresses."""

from __future__ import annotations

import pytest

from luna.auth import throttle
from luna.auth.throttle import LoginThrottle, ThrottleSettings

SETTINGS = ThrottleSettings(limit=3, window=60.0)


def fail(guard: LoginThrottle, address: str, user: str, times: int, now: float = 0.0) -> None:
    for _ in range(times):
        guard.failed(address, user, now, SETTINGS)


def test_below_limit_allowed() -> None:
    guard = LoginThrottle()
    fail(guard, "198.51.100.1", "alice", 2)

    assert guard.wait("198.51.100.1", "alice", 1.0, SETTINGS) is None


def test_address_limit_blocks_all_names() -> None:
    guard = LoginThrottle()
    fail(guard, "198.51.100.1", "alice", 1)
    fail(guard, "198.51.100.1", "bob", 1)
    fail(guard, "198.51.100.1", "carol", 1)

    assert guard.wait("198.51.100.1", "dave", 10.0, SETTINGS) == 50


def test_user_limit_blocks_new_addresses() -> None:
    guard = LoginThrottle()
    for n in range(3):
        fail(guard, f"198.51.100.{n}", "alice", 1)

    assert guard.wait("198.51.100.99", "alice", 0.0, SETTINGS) == 60
    assert guard.wait("198.51.100.99", "bob", 0.0, SETTINGS) is None


def test_known_address_exempt_from_user_limit() -> None:
    guard = LoginThrottle()
    guard.succeeded("198.51.100.7", "alice", 0.0, 0.0)
    for n in range(3):
        fail(guard, f"203.0.113.{n}", "alice", 1)

    assert guard.wait("198.51.100.7", "alice", 1.0, SETTINGS) is None


def test_window_slides() -> None:
    guard = LoginThrottle()
    guard.failed("198.51.100.1", "alice", 0.0, SETTINGS)
    guard.failed("198.51.100.1", "alice", 20.0, SETTINGS)
    guard.failed("198.51.100.1", "alice", 40.0, SETTINGS)

    assert guard.wait("198.51.100.1", "alice", 59.0, SETTINGS) == 1
    assert guard.wait("198.51.100.1", "alice", 60.0, SETTINGS) is None


def test_fractional_wait_rounds_up() -> None:
    guard = LoginThrottle()
    fail(guard, "198.51.100.1", "alice", 3)

    assert guard.wait("198.51.100.1", "alice", 59.5, SETTINGS) == 1


def test_tracked_names_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(throttle, "MAX_TRACKED", 10)
    guard = LoginThrottle()
    for n in range(50):
        guard.failed("198.51.100.1", f"made-up-{n}", float(n), SETTINGS)

    assert len(guard._by_user._times) <= 10


def test_long_names_share_one_key() -> None:
    guard = LoginThrottle()
    for n in range(3):
        guard.failed(f"198.51.100.{n}", "x" * 5000 + str(n), 0.0, SETTINGS)

    assert guard.wait("198.51.100.99", "x" * 4000, 1.0, SETTINGS) == 59


def test_attempt_counts_before_check() -> None:
    guard = LoginThrottle()
    waits = [guard.attempt("198.51.100.1", "alice", 0.0, SETTINGS) for _ in range(4)]

    assert waits == [None, None, None, 60]


def test_success_takes_back_its_attempt() -> None:
    guard = LoginThrottle()
    fail(guard, "198.51.100.1", "alice", 2)
    guard.attempt("198.51.100.2", "alice", 5.0, SETTINGS)

    guard.succeeded("198.51.100.2", "alice", 5.0, 6.0)

    assert guard.wait("198.51.100.3", "alice", 7.0, SETTINGS) is None
    assert len(guard._by_user.recent("alice", 7.0, SETTINGS.window)) == 2
