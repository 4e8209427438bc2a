"""Time as the scheduler sees it, so tests can drive it without waiting."""

from __future__ import annotations

import asyncio
import bisect
import time
from collections.abc import Awaitable, Coroutine
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

T = TypeVar("T")

# How many event-loop rounds ManualClock lets woken tasks run before it moves on.
# A plain refresh takes about eight rounds to wake, run under its timeout and
# sleep again. The rest is a margin for widgets and listeners that await more.
SETTLE_ROUNDS = 30


class Clock(Protocol):
    def now(self) -> float:
        """Seconds since the epoch."""

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now(self) -> float:
        return time.time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


async def wait_for(clock: Clock, awaitable: Awaitable[T], seconds: float) -> T:
    """Await `awaitable`, cancelling it and raising TimeoutError once `seconds` pass on `clock`.

    Unlike `asyncio.wait_for`, the deadline runs on the given clock, so a test
    with a ManualClock decides when it passes.
    """

    work = asyncio.ensure_future(awaitable)
    deadline = asyncio.ensure_future(clock.sleep(seconds))
    try:
        await asyncio.wait((work, deadline), return_when=asyncio.FIRST_COMPLETED)
        timed_out = not work.done()
    finally:
        # This also runs when the caller is cancelled, so neither task outlives the call.
        deadline.cancel()
        work.cancel()
        await asyncio.wait((work, deadline))

    if timed_out:
        if not work.cancelled():
            work.exception()  # marks a late failure as seen, so asyncio does not log it as lost
        raise TimeoutError(f"timed out after {seconds:g}s")
    return work.result()


@dataclass(order=True)
class _Sleeper:
    wake_at: float
    order: int
    future: asyncio.Future[None] = field(compare=False)
    task: asyncio.Task[Any] | None = field(compare=False)


class ManualClock:
    """A clock that moves only when a test calls `advance`; sleepers wake in order."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self._now = start
        self._sleepers: list[_Sleeper] = []
        self._counter = 0
        self._sleep_started: asyncio.Future[None] | None = None

    def now(self) -> float:
        return self._now

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return

        self._counter += 1
        sleeper = _Sleeper(self._now + seconds, self._counter, asyncio.get_running_loop().create_future(), asyncio.current_task())
        bisect.insort(self._sleepers, sleeper)
        if self._sleep_started is not None and not self._sleep_started.done():
            self._sleep_started.set_result(None)
        try:
            await sleeper.future
        finally:
            # A cancelled sleeper is still in the list, so remove it to keep `sleeping` accurate.
            if sleeper in self._sleepers:
                self._sleepers.remove(sleeper)

    @property
    def sleeping(self) -> int:
        return sum(1 for sleeper in self._sleepers if not sleeper.future.done())

    async def advance(self, seconds: float) -> None:
        """Move time forward, waking each sleeper whose time has come and letting it run."""

        # Tasks started just before this call have not reached their first
        # sleep yet; without this they would sleep from the new time instead.
        await _let_tasks_run()
        target = self._now + seconds
        while self._sleepers and self._sleepers[0].wake_at <= target:
            sleeper = self._sleepers.pop(0)
            self._now = max(self._now, sleeper.wake_at)
            if not sleeper.future.done():
                sleeper.future.set_result(None)
            await _let_tasks_run()
        self._now = target
        await _let_tasks_run()

    async def run_until_complete(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run `coroutine` to its end, moving time forward each time it sleeps on this clock.

        Other sleepers due by then wake too, as `advance` wakes them. Time does
        not move while the coroutine waits on anything else, such as a thread.
        Only sleeps of the coroutine's own task count, so a task it starts
        sleeps until something else moves the clock.
        """

        task = asyncio.get_running_loop().create_task(coroutine)
        try:
            while not task.done():
                wake_at = self._wake_time_of(task)
                if wake_at is None:
                    await self._sleep_or_end_of(task)
                else:
                    await self.advance(wake_at - self._now)
        finally:
            task.cancel()
            await asyncio.wait((task,))
        return task.result()

    def _wake_time_of(self, task: asyncio.Task[Any]) -> float | None:
        return next((s.wake_at for s in self._sleepers if s.task is task and not s.future.done()), None)

    async def _sleep_or_end_of(self, task: asyncio.Task[Any]) -> None:
        self._sleep_started = asyncio.get_running_loop().create_future()
        try:
            await asyncio.wait((task, self._sleep_started), return_when=asyncio.FIRST_COMPLETED)
        finally:
            self._sleep_started = None


async def _let_tasks_run() -> None:
    for _ in range(SETTLE_ROUNDS):
        await asyncio.sleep(0)
