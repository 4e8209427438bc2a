"""The login throttle: failed logins counted per client address and per user name in a sliding window.

An address that failed `limit` times in the window gets no further tries
until the oldest of those failures leaves the window, whatever user name it
sends. A user name that failed `limit` times, from any addresses, is locked
the same way. Addresses that have logged in as that user before are exempt,
so a guesser who targets the owner's name does not lock the owner out of the
browsers they use. A successful login clears its address's failures but not
the user name's, so a guesser cannot reset the count by logging in to an
account of their own.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

from luna.auth.sessions import SESSION_LIFETIME

# Above this many tracked addresses or user names, entries whose failures
# have all left the window are dropped. If that is not enough, as with a
# flood of made-up names, the oldest go first.
MAX_TRACKED = 10_000
# Longer than any valid user name (50 characters), so a made-up name of
# kilobytes costs no more memory than a real one.
MAX_KEY_LENGTH = 64


@dataclass(frozen=True)
class ThrottleSettings:
    limit: int = 5
    window: float = 300.0


class _FailureLog:
    """Times of recent failures per key, oldest first."""

    def __init__(self) -> None:
        self._times: dict[str, deque[float]] = {}

    def recent(self, key: str, now: float, window: float) -> deque[float]:
        times = self._times.get(key)
        if times is None:
            return deque()
        while times and times[0] <= now - window:
            times.popleft()
        if not times:
            del self._times[key]
        return times

    def add(self, key: str, now: float, window: float) -> None:
        if key not in self._times and len(self._times) >= MAX_TRACKED:
            self._make_room(now, window)
        self._times.setdefault(key, deque()).append(now)

    def clear(self, key: str) -> None:
        self._times.pop(key, None)

    def remove(self, key: str, time: float) -> None:
        times = self._times.get(key)
        if times is not None and time in times:
            times.remove(time)
            if not times:
                del self._times[key]

    def _make_room(self, now: float, window: float) -> None:
        for key in list(self._times):
            self.recent(key, now, window)
        while len(self._times) >= MAX_TRACKED:
            oldest = min(self._times, key=lambda key: self._times[key][-1])
            del self._times[oldest]


class LoginThrottle:
    """Decides whether a login may be tried, and records how it went."""

    def __init__(self) -> None:
        self._by_address = _FailureLog()
        self._by_user = _FailureLog()
        # (user, address) → time of the last successful login from there.
        self._known: dict[tuple[str, str], float] = {}

    def wait(self, address: str, user: str, now: float, settings: ThrottleSettings) -> int | None:
        """Return the whole seconds to wait before this address may try this user, or None to go ahead."""

        user = user[:MAX_KEY_LENGTH]
        waits = [self._wait_for(self._by_address.recent(address, now, settings.window), now, settings)]
        if not self._is_known(user, address, now):
            waits.append(self._wait_for(self._by_user.recent(user, now, settings.window), now, settings))

        longest = max((wait for wait in waits if wait is not None), default=None)
        return None if longest is None else max(1, math.ceil(longest))

    def attempt(self, address: str, user: str, now: float, settings: ThrottleSettings) -> int | None:
        """Start a login try: return the seconds to wait instead, or None and count the try as failed.

        Counting it before the password is checked keeps a burst of
        simultaneous tries to the limit; `succeeded` takes it back.
        """

        wait = self.wait(address, user, now, settings)
        if wait is None:
            self.failed(address, user, now, settings)
        return wait

    def failed(self, address: str, user: str, now: float, settings: ThrottleSettings) -> None:
        self._by_address.add(address, now, settings.window)
        self._by_user.add(user[:MAX_KEY_LENGTH], now, settings.window)

    def succeeded(self, address: str, user: str, attempted_at: float, now: float) -> None:
        """Record a successful login whose try `attempt` counted at `attempted_at`."""

        self._by_address.clear(address)
        self._by_user.remove(user[:MAX_KEY_LENGTH], attempted_at)
        if (user, address) not in self._known and len(self._known) >= MAX_TRACKED:
            self._forget_old_logins(now)
        self._known[(user, address)] = now

    def _is_known(self, user: str, address: str, now: float) -> bool:
        logged_in_at = self._known.get((user, address))
        return logged_in_at is not None and now - logged_in_at < SESSION_LIFETIME

    def _forget_old_logins(self, now: float) -> None:
        for pair, logged_in_at in list(self._known.items()):
            if now - logged_in_at >= SESSION_LIFETIME:
                del self._known[pair]
        while len(self._known) >= MAX_TRACKED:
            del self._known[min(self._known, key=self._known.__getitem__)]

    @staticmethod
    def _wait_for(times: deque[float], now: float, settings: ThrottleSettings) -> float | None:
        if len(times) < settings.limit:
            return None
        # Tries resume once failures drop below the limit: when the
        # limit-th newest failure leaves the window.
        return times[-settings.limit] + settings.window - now
