"""The background scheduler, driven step by step with a ManualClock."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any

import pytest

from luna.clock import ManualClock
from luna.scheduler import RETRY_AFTER_MAX, RETRY_MAX, START_SPREAD, Scheduler
from luna.widgets.base import Widget, WidgetContext, WidgetError, WidgetOptions, WidgetState
from luna.widgets.refresh import RefreshContext

# A scripted outcome: the refresh waits until its test releases it.
HANG = object()


class ScriptedWidget(Widget):
    """A refreshing widget whose refreshes return, raise or hang as the test scripts them.

    Each refresh takes the next outcome from `outcomes`; when they run out it
    returns "ok". `calls` records the clock time of every refresh.
    """

    type = "scripted"
    default_interval = 60.0

    def __init__(
        self,
        name: str,
        interval: float = 60.0,
        outcomes: Iterable[object] = (),
        timeout: float = 30.0,
        gate: asyncio.Event | None = None,
    ) -> None:
        super().__init__(WidgetOptions(type="scripted", title=name, cache=f"{interval:g}s"), WidgetContext(name, "home"))
        self.outcomes = list(outcomes)
        self.timeout = timeout
        self.gate = gate or asyncio.Event()
        self.calls: list[float] = []
        self.running = 0
        self.cancelled = 0

    @property
    def refresh_timeout(self) -> float:
        return self.timeout

    async def refresh(self, context: RefreshContext) -> Any:
        self.calls.append(context.clock.now())
        outcome = self.outcomes.pop(0) if self.outcomes else "ok"
        if isinstance(outcome, BaseException):
            raise outcome
        if outcome is not HANG:
            return outcome

        self.running += 1
        try:
            await self.gate.wait()
        except asyncio.CancelledError:
            self.cancelled += 1
            raise
        finally:
            self.running -= 1
        return "released"


SchedulerFactory = Callable[..., Scheduler]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def context(clock: ManualClock) -> AsyncIterator[RefreshContext]:
    context = RefreshContext(clock)
    yield context
    await context.aclose()


@pytest.fixture
async def start_scheduler(clock: ManualClock, context: RefreshContext) -> AsyncIterator[SchedulerFactory]:
    """Start schedulers with a seeded jitter; every one is stopped when the test ends."""

    started: list[Scheduler] = []

    def start(widgets: list[Widget], **options: Any) -> Scheduler:
        scheduler = Scheduler(widgets, context, clock, rng=random.Random(7), **options)
        scheduler.start()
        started.append(scheduler)
        return scheduler

    yield start
    for scheduler in started:
        await scheduler.stop()


def gaps(times: list[float]) -> list[float]:
    return [later - earlier for earlier, later in zip(times, times[1:])]


async def test_first_refreshes_spread_within_start_spread(clock: ManualClock, start_scheduler: SchedulerFactory) -> None:
    widgets = [ScriptedWidget(f"w{index}") for index in range(20)]
    started_at = clock.now()
    start_scheduler(widgets)

    await clock.advance(START_SPREAD)

    first_calls = [widget.calls[0] for widget in widgets if widget.calls]
    assert all(len(widget.calls) == 1 for widget in widgets)
    assert min(first_calls) >= started_at
    assert max(first_calls) <= started_at + START_SPREAD
    assert len(set(first_calls)) == len(widgets)


async def test_refresh_repeats_on_interval(clock: ManualClock, start_scheduler: SchedulerFactory) -> None:
    widget = ScriptedWidget("news", interval=60)
    start_scheduler([widget])

    await clock.advance(START_SPREAD + 3 * 60)

    assert gaps(widget.calls) == pytest.approx([60, 60, 60])


async def test_refresh_not_before_interval(clock: ManualClock, start_scheduler: SchedulerFactory) -> None:
    widget = ScriptedWidget("news", interval=60)
    start_scheduler([widget], start_spread=0)
    await clock.advance(0)

    await clock.advance(59.9)
    calls_before_interval = len(widget.calls)
    await clock.advance(0.1)

    assert calls_before_interval == 1
    assert len(widget.calls) == 2


async def test_failure_keeps_last_good_data(clock: ManualClock, start_scheduler: SchedulerFactory) -> None:
    widget = ScriptedWidget("news", outcomes=["headlines", WidgetError("upstream returned 502", "full reply")])
    start_scheduler([widget], start_spread=0)

    await clock.advance(60)

    assert len(widget.calls) == 2
    assert widget.state.data == "headlines"
    assert widget.state.loaded
    assert widget.state.error == "upstream returned 502"
    assert widget.state.stale
    assert widget.state.failures == 1


async def test_success_after_failure_clears_error(clock: ManualClock, start_scheduler: SchedulerFactory) -> None:
    widget = ScriptedWidget("news", outcomes=["old", WidgetError("down"), "new"])
    start_scheduler([widget], start_spread=0)

    await clock.advance(60 + 15)

    assert len(widget.calls) == 3
    assert widget.state.data == "new"
    assert widget.state.error is None
    assert not widget.state.stale
    assert widget.state.failures == 0


async def test_failures_retry_with_doubling_backoff(clock: ManualClock, start_scheduler: SchedulerFactory) -> None:
    failures = [WidgetError("down")] * 7
    widget = ScriptedWidget("news", interval=3600, outcomes=["ok", *failures, "ok"])
    start_scheduler([widget])

    await clock.advance(START_SPREAD + 3600 + 15 + 30 + 60 + 120 + 240 + 300 + 300)

    assert gaps(widget.calls) == pytest.approx([3600, 15, 30, 60, 120, 240, 300, 300])


async def test_retry_delay_capped_at_interval(clock: ManualClock, start_scheduler: SchedulerFactory) -> None:
    widget = ScriptedWidget("news", interval=45, outcomes=[WidgetError("down")] * 5)
    start_scheduler([widget])

    await clock.advance(START_SPREAD + 15 + 30 + 45 + 45)

    assert gaps(widget.calls) == pytest.approx([15, 30, 45, 45])


async def test_refresh_once_returns_retry_delays(clock: ManualClock, context: RefreshContext) -> None:
    widget = ScriptedWidget("news", interval=3600, outcomes=[WidgetError("down")] * 8)
    scheduler = Scheduler([widget], context, clock)

    delays = [await scheduler.refresh_once(widget) for _ in range(8)]

    assert delays == [15, 30, 60, 120, 240, 300, 300, 300]


async def test_retry_after_delays_next_refresh(clock: ManualClock, context: RefreshContext) -> None:
    widget = ScriptedWidget("news", interval=1800, outcomes=[WidgetError("rate-limited", retry_after=600)])
    scheduler = Scheduler([widget], context, clock)

    delay = await scheduler.refresh_once(widget)

    assert delay == 600


async def test_retry_after_may_exceed_interval(clock: ManualClock, context: RefreshContext) -> None:
    widget = ScriptedWidget("news", interval=60, outcomes=[WidgetError("rate-limited", retry_after=900)])
    scheduler = Scheduler([widget], context, clock)

    delay = await scheduler.refresh_once(widget)

    assert delay == 900


async def test_short_retry_after_keeps_backoff(clock: ManualClock, context: RefreshContext) -> None:
    widget = ScriptedWidget("news", interval=1800, outcomes=[WidgetError("rate-limited", retry_after=2)])
    scheduler = Scheduler([widget], context, clock)

    delay = await scheduler.refresh_once(widget)

    assert delay == 15


async def test_huge_retry_after_capped(clock: ManualClock, context: RefreshContext) -> None:
    widget = ScriptedWidget("news", interval=1800, outcomes=[WidgetError("rate-limited", retry_after=10**9)])
    scheduler = Scheduler([widget], context, clock)

    delay = await scheduler.refresh_once(widget)

    assert delay == RETRY_AFTER_MAX


async def test_retry_after_forgotten_after_success(clock: ManualClock, context: RefreshContext) -> None:
    widget = ScriptedWidget("news", interval=1800, outcomes=[WidgetError("rate-limited", retry_after=600), "ok"])
    scheduler = Scheduler([widget], context, clock)
    await scheduler.refresh_once(widget)

    delay = await scheduler.refresh_once(widget)

    assert delay == 1800


async def test_scheduled_refresh_waits_retry_after(clock: ManualClock, start_scheduler: SchedulerFactory) -> None:
    widget = ScriptedWidget("news", interval=1800, outcomes=[WidgetError("rate-limited", retry_after=120)])
    start_scheduler([widget])

    await clock.advance(START_SPREAD)
    await clock.advance(widget.calls[0] + 119 - clock.now())
    calls_before_deadline = len(widget.calls)
    await clock.advance(1)

    assert calls_before_deadline == 1
    assert gaps(widget.calls) == pytest.approx([120])


class PartlyFailingWidget(ScriptedWidget):
    """Treats the outcome "partial" as data that lacks a failed part."""

    def is_partial(self, data: Any) -> bool:
        return data == "partial"


async def test_partial_data_retried_on_backoff(clock: ManualClock, context: RefreshContext) -> None:
    widget = PartlyFailingWidget("news", interval=12 * 3600, outcomes=["partial", "partial", "ok"])
    scheduler = Scheduler([widget], context, clock)

    delays = [await scheduler.refresh_once(widget) for _ in range(3)]

    assert delays == [15, 30, 12 * 3600]


async def test_partial_data_shown_not_stale(clock: ManualClock, context: RefreshContext) -> None:
    widget = PartlyFailingWidget("news", outcomes=["partial"])
    scheduler = Scheduler([widget], context, clock)

    await scheduler.refresh_once(widget)

    assert widget.state.data == "partial"
    assert widget.state.stale is False


def test_retry_delay_after_thousands_of_failures(clock: ManualClock) -> None:
    widget = ScriptedWidget("news", interval=3600)
    widget.state = WidgetState(error="down", failures=5000)
    scheduler = Scheduler([widget], context=None, clock=clock)  # type: ignore[arg-type]

    assert scheduler.next_delay(widget) == RETRY_MAX


async def test_slow_refresh_times_out(clock: ManualClock, start_scheduler: SchedulerFactory) -> None:
    widget = ScriptedWidget("slow", outcomes=[HANG], timeout=10)
    start_scheduler([widget], start_spread=0)
    await clock.advance(0)

    await clock.advance(9.9)
    error_before_timeout = widget.state.error
    await clock.advance(0.1)

    assert error_before_timeout is None
    assert widget.state.error == "timed out after 10s"
    assert widget.cancelled == 1
    assert widget.running == 0


async def test_unexpected_exception_logged_others_continue(
    clock: ManualClock, start_scheduler: SchedulerFactory, caplog: pytest.LogCaptureFixture
) -> None:
    broken = ScriptedWidget("broken", outcomes=[RuntimeError("bug in the widget")] * 10)
    healthy = ScriptedWidget("healthy")
    start_scheduler([broken, healthy])

    await clock.advance(START_SPREAD + 60)

    errors = [record for record in caplog.records if record.levelno == logging.ERROR]
    assert len(healthy.calls) == 2
    assert broken.state.error == "internal error: RuntimeError"
    assert len(broken.calls) > 2
    assert errors[0].getMessage() == 'scripted "broken": refresh failed with an unexpected error'
    assert errors[0].exc_info is not None


async def test_failing_listener_keeps_widget_refreshing(
    clock: ManualClock, context: RefreshContext, caplog: pytest.LogCaptureFixture
) -> None:
    widget = ScriptedWidget("news")

    def broken_listener(widget: Widget, old: WidgetState, new: WidgetState) -> None:
        raise RuntimeError("listener bug")

    scheduler = Scheduler([widget], context, clock, on_state_change=broken_listener, start_spread=0)
    scheduler.start()
    try:
        await clock.advance(120)
    finally:
        await scheduler.stop()

    assert len(widget.calls) == 3
    assert "a listener failed after the refresh" in caplog.text


async def test_concurrent_refreshes_bounded(clock: ManualClock, start_scheduler: SchedulerFactory) -> None:
    gate = asyncio.Event()
    widgets = [ScriptedWidget(f"w{index}", outcomes=[HANG], gate=gate) for index in range(6)]
    start_scheduler(widgets, max_concurrent=2)

    await clock.advance(START_SPREAD)
    in_flight = sum(widget.running for widget in widgets)
    started = sum(len(widget.calls) for widget in widgets)
    gate.set()
    await clock.advance(0)

    assert in_flight == 2
    assert started == 2
    assert all(widget.state.data == "released" for widget in widgets)


async def test_concurrency_limit_never_exceeded(clock: ManualClock, start_scheduler: SchedulerFactory) -> None:
    widgets = [ScriptedWidget(f"w{index}", outcomes=[HANG], timeout=5) for index in range(6)]
    peak = 0

    async def watch_peak() -> None:
        nonlocal peak
        while True:
            peak = max(peak, sum(widget.running for widget in widgets))
            await asyncio.sleep(0)

    watcher = asyncio.create_task(watch_peak())
    start_scheduler(widgets, max_concurrent=2)
    try:
        await clock.advance(START_SPREAD + 3 * 5)
    finally:
        watcher.cancel()
        await asyncio.wait((watcher,))

    assert peak == 2
    assert all(widget.state.error == "timed out after 5s" for widget in widgets)


async def test_stop_leaves_no_task_alive(clock: ManualClock, context: RefreshContext) -> None:
    hanging = ScriptedWidget("hanging", outcomes=[HANG])
    waiting = ScriptedWidget("waiting")
    before = asyncio.all_tasks()
    scheduler = Scheduler([hanging, waiting], context, clock)
    scheduler.start()
    await clock.advance(START_SPREAD)
    running_before_stop = hanging.running

    await scheduler.stop()

    assert running_before_stop == 1
    assert hanging.cancelled == 1
    assert asyncio.all_tasks() == before
    assert not scheduler.tasks
    assert clock.sleeping == 0


async def test_adopted_state_waits_for_interval(clock: ManualClock, start_scheduler: SchedulerFactory) -> None:
    widget = ScriptedWidget("news", interval=60)
    widget.state = WidgetState().after_success("kept through the reload", clock.now() - 10)
    start_scheduler([widget])

    await clock.advance(49.9)
    calls_before_due = len(widget.calls)
    await clock.advance(0.1 + START_SPREAD)

    assert calls_before_due == 0
    assert len(widget.calls) == 1


async def test_adopted_failing_state_waits_for_retry(clock: ManualClock, start_scheduler: SchedulerFactory) -> None:
    widget = ScriptedWidget("news", interval=600)
    adopted = WidgetState().after_success("old", clock.now() - 100)
    adopted = adopted.after_failure("down", clock.now() - 40).after_failure("down", clock.now() - 10)
    widget.state = adopted
    start_scheduler([widget])

    await clock.advance(19.9)
    calls_before_retry = len(widget.calls)
    await clock.advance(0.1 + START_SPREAD)

    assert calls_before_retry == 0
    assert len(widget.calls) == 1


async def test_adopted_overdue_state_refreshes_within_spread(
    clock: ManualClock, start_scheduler: SchedulerFactory
) -> None:
    widgets = [ScriptedWidget(f"w{index}", interval=60) for index in range(10)]
    for widget in widgets:
        widget.state = WidgetState().after_success("old", clock.now() - 600)
    start_scheduler(widgets)

    await clock.advance(START_SPREAD)

    first_calls = {widget.calls[0] for widget in widgets if widget.calls}
    assert all(len(widget.calls) == 1 for widget in widgets)
    assert len(first_calls) == len(widgets)
