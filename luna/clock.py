"""Time as the scheduler sees it, so tests can drive it without waiting."""

from __future__ import annotations

import asyncio
import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Seconds since the epoch."""

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now(self) -> float:
        return time.time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class ManualClock:
    """A clock that moves only when a test calls `advance`; sleepers wake in order."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self._now = start
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._counter = 0

    def now(self) -> float:
        return self._now

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return

        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._counter += 1
        self._sleepers.append((self._now + seconds, self._counter, future))
        self._sleepers.sort(key=lambda sleeper: (sleeper[0], sleeper[1]))
        await future

    @property
    def sleeping(self) -> int:
        return sum(1 for _, _, future in self._sleepers if not future.done())

    async def advance(self, seconds: float) -> None:
        """Move time forward, waking each sleeper whose time has come and letting it run."""

        # Tasks created just before this call have not run yet; let them
        # start, so the sleeps they are about to begin count from now.
        await _let_tasks_run()
        target = self._now + seconds
        while self._sleepers and self._sleepers[0][0] <= target:
            wake_at, _, future = self._sleepers.pop(0)
            self._now = max(self._now, wake_at)
            if not future.done():
                future.set_result(None)
            await _let_tasks_run()
        self._now = target
        await _let_tasks_run()


async def _let_tasks_run() -> None:
    for _ in range(10):
        await asyncio.sleep(0)
