"""Background refresh of every widget whose data changes.

Each such widget gets one task that refreshes it on its own interval. Page
requests never wait on these tasks: they render whatever state the last
refresh left. Stopping the scheduler cancels every task it started.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Iterable

from luna.clock import Clock, wait_for
from luna.widgets.base import Widget, WidgetError, WidgetState
from luna.widgets.refresh import RefreshContext

logger = logging.getLogger(__name__)

# The first refreshes after start are spread over this many seconds, so fifty
# widgets do not all reach for the network in the same millisecond.
START_SPREAD = 2.0
# A failed refresh is retried sooner than the regular interval: 15 s, then
# doubling up to 5 minutes, but never later than the regular interval.
RETRY_FIRST = 15.0
RETRY_MAX = 300.0
# Past this many doublings the retry delay is RETRY_MAX anyway. The cap keeps
# the delay from overflowing a float, which happened at the 1,025th failure in a row.
RETRY_MAX_DOUBLINGS = 16
# An upstream's Retry-After is honoured up to this many seconds. A longer one
# is more likely a mistake than a plan, and waiting it out would make the widget look dead.
RETRY_AFTER_MAX = 6 * 3600.0

StateListener = Callable[[Widget, WidgetState, WidgetState], Awaitable[None] | None]


class Scheduler:
    def __init__(
        self,
        widgets: Iterable[Widget],
        context: RefreshContext,
        clock: Clock,
        on_state_change: StateListener | None = None,
        max_concurrent: int = 20,
        start_spread: float = START_SPREAD,
        rng: random.Random | None = None,
    ) -> None:
        self.widgets = [widget for widget in widgets if widget.interval is not None]
        self.context = context
        self.clock = clock
        self.on_state_change = on_state_change
        self.start_spread = start_spread
        self._limit = asyncio.Semaphore(max_concurrent)
        self._tasks: set[asyncio.Task[None]] = set()
        self._rng = rng or random.Random()

    @property
    def tasks(self) -> frozenset[asyncio.Task[None]]:
        return frozenset(self._tasks)

    def start(self) -> None:
        for widget in self.widgets:
            task = asyncio.create_task(self._run(widget), name=f"refresh {widget.id} {widget.label}")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        logger.debug("scheduler started with %d refreshing widgets", len(self.widgets))

    async def stop(self) -> None:
        """Cancel every refresh task and wait until all have ended."""

        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        logger.debug("scheduler stopped %d tasks", len(tasks))

    async def _run(self, widget: Widget) -> None:
        await self.clock.sleep(self.first_delay(widget))
        while True:
            delay = await self.refresh_once(widget)
            await self.clock.sleep(delay)

    def first_delay(self, widget: Widget) -> float:
        """Wait before the first refresh: a short spread, plus what is left of the wait of adopted state.

        A widget that kept its state through a reload refreshes when its
        interval (or its retry delay, if it is failing) runs out, as it would
        have without the reload.
        """

        jitter = self._rng.uniform(0, self.start_spread)
        attempted_at = widget.state.attempted_at
        if attempted_at is None:
            return jitter

        remaining = attempted_at + self.next_delay(widget) - self.clock.now()
        return max(remaining, 0.0) + jitter

    async def refresh_once(self, widget: Widget) -> float:
        """Refresh one widget, store its new state and return the seconds until the next refresh."""

        async with self._limit:
            new_state = await self._attempt(widget)

        old_state = widget.state
        widget.state = new_state
        await self._notify(widget, old_state, new_state)
        return self.next_delay(widget)

    async def _notify(self, widget: Widget, old_state: WidgetState, new_state: WidgetState) -> None:
        if self.on_state_change is None:
            return

        # A failing listener (a template error, a closed event stream) must not
        # end the widget's refresh task, so the error is logged and refreshes go on.
        try:
            result = self.on_state_change(widget, old_state, new_state)
            if asyncio.iscoroutine(result):
                await result
        except Exception:
            logger.exception("%s: a listener failed after the refresh, and refreshes go on", widget.label)

    async def _attempt(self, widget: Widget) -> WidgetState:
        started = self.clock.now()
        try:
            data = await wait_for(self.clock, widget.refresh(self.context), widget.refresh_timeout)
        except WidgetError as error:
            return self._failed(widget, error.reason, error.detail, started, error.retry_after)
        except TimeoutError:
            reason = f"timed out after {widget.refresh_timeout:g}s"
            return self._failed(widget, reason, reason, started)
        except Exception as error:  # noqa: BLE001 - one broken widget must not stop the others
            logger.exception("%s: refresh failed with an unexpected error", widget.label)
            return self._failed(widget, f"internal error: {type(error).__name__}", repr(error), started)

        if widget.state.error is not None:
            logger.info("%s: refresh succeeded again after %d failures", widget.label, widget.state.failures)
        return widget.state.after_success(data, self.clock.now(), partial=widget.is_partial(data))

    def _failed(
        self, widget: Widget, reason: str, detail: str, now: float, retry_after: float | None = None
    ) -> WidgetState:
        failures = widget.state.failures + 1
        level = logging.WARNING if failures == 1 else logging.DEBUG
        logger.log(level, "%s: refresh failed (%s); attempt %d, keeping the last good data", widget.label, detail, failures)
        return widget.state.after_failure(reason, now, retry_after)

    def next_delay(self, widget: Widget) -> float:
        """Seconds until the next refresh: the interval, or a shorter backoff after failures.

        Data that lacks a failed part (`Widget.is_partial`) counts as a
        failure here. A failure that carried a Retry-After waits at least that long, even
        past the interval, so an upstream that rate-limits us is not asked
        again before the time it named.
        """

        interval = widget.interval or RETRY_MAX
        failures = widget.state.failures or widget.state.partial_failures
        if failures == 0:
            return interval
        doublings = min(failures - 1, RETRY_MAX_DOUBLINGS)
        retry = min(RETRY_FIRST * 2**doublings, RETRY_MAX, interval)

        retry_after = widget.state.retry_after
        if retry_after is not None:
            retry = max(retry, min(retry_after, RETRY_AFTER_MAX))
        return retry
