"""The event hub: typed events in, numbered Server-Sent Events out.

The hub has no notion of widgets. It takes events with a coalescing key,
sends at most one event per key per window (holding later ones and sending
the newest when the window closes, so the final state is never lost), gives
every sent event an increasing id, keeps the last ones in a ring buffer for
clients that reconnect, and hands the encoded bytes to every subscriber. A
message is encoded once and the same bytes object is shared by all clients.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import deque
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from luna.clock import Clock, SystemClock
from luna.events.ids import EventId, IdGenerator
from luna.events.subscriber import Subscriber
from luna.events.types import RESYNC, Event

logger = logging.getLogger(__name__)

PING = b": ping\n\n"


@dataclass(frozen=True)
class HubSettings:
    """Tunables of the hub; `server.events` in the configuration sets them."""

    coalesce_window: float = 5.0
    ping_interval: float = 30.0
    buffer_size: int = 1000
    client_queue: int = 256
    # First reconnect delay, sent to the browser in the `retry:` field, in milliseconds.
    retry_ms: int = 2000


@dataclass
class _Pending:
    """A key's coalescing window: when it last sent, and the newest event held back."""

    sent_at: float
    held: Event | None = None
    flush: asyncio.Task[None] | None = None


@dataclass
class _Buffered:
    id: EventId
    message: bytes


@dataclass
class HubStats:
    published: int = 0
    sent: int = 0
    coalesced: int = 0
    dropped_clients: int = 0
    events_by_type: dict[str, int] = field(default_factory=dict)


class EventHub:
    def __init__(self, settings: HubSettings | None = None, clock: Clock | None = None) -> None:
        self.settings = settings or HubSettings()
        self.clock = clock or SystemClock()
        self.ids = IdGenerator(self.clock)
        self.subscribers: set[Subscriber] = set()
        self.stats = HubStats()
        self._buffer: deque[_Buffered] = deque(maxlen=self.settings.buffer_size)
        # Ids at or after this one are all still in the buffer (or were never sent).
        self._floor: EventId = self.ids.start
        self._windows: dict[Hashable, _Pending] = {}
        self._pinger: asyncio.Task[None] | None = None
        self._closed = False

    # ----- lifecycle

    def start(self) -> None:
        if self._pinger is None:
            self._pinger = asyncio.create_task(self._ping_forever(), name="event hub pings")

    async def stop(self) -> None:
        """Stop pinging, drop held events and end every subscriber's stream."""

        self._closed = True
        tasks = [pending.flush for pending in self._windows.values() if pending.flush]
        if self._pinger is not None:
            tasks.append(self._pinger)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._windows.clear()
        self._pinger = None
        self.close_all()

    def configure(self, settings: HubSettings) -> None:
        """Apply new settings after a configuration reload; buffered events are kept."""

        if settings.buffer_size != self.settings.buffer_size:
            self._buffer = deque(self._buffer, maxlen=settings.buffer_size)
        self.settings = settings

    def close_all(self) -> None:
        for subscriber in list(self.subscribers):
            subscriber.close()
        self.subscribers.clear()

    # ----- publishing

    def publish(self, event: Event) -> None:
        """Send the event now, or hold it until its key's coalescing window closes."""

        if self._closed:
            return
        self.stats.published += 1

        if event.key is None or self.settings.coalesce_window <= 0:
            self._send(event)
            return

        now = self.clock.now()
        pending = self._windows.get(event.key)
        if pending is None or now - pending.sent_at >= self.settings.coalesce_window:
            if pending is not None and pending.flush is not None:
                pending.flush.cancel()
            self._windows[event.key] = _Pending(sent_at=now)
            self._send(event)
            return

        # Inside the window: keep only the newest, send it when the window closes.
        if pending.held is not None:
            self.stats.coalesced += 1
        pending.held = event
        if pending.flush is None:
            delay = pending.sent_at + self.settings.coalesce_window - now
            pending.flush = asyncio.create_task(self._flush_later(event.key, delay), name="event hub flush")

    async def _flush_later(self, key: Hashable, delay: float) -> None:
        await self.clock.sleep(delay)

        pending = self._windows.get(key)
        if pending is None or pending.held is None:
            return
        event, pending.held, pending.flush = pending.held, None, None
        pending.sent_at = self.clock.now()
        self._send(event)

    def _send(self, event: Event) -> None:
        event_id = self.ids.next()
        envelope = {"type": event.type, "time": int(self.clock.now()), "data": event.data}
        message = encode_message(event_id, envelope)

        if len(self._buffer) == self._buffer.maxlen:
            self._floor = self._buffer[0].id
        self._buffer.append(_Buffered(event_id, message))

        self.stats.sent += 1
        self.stats.events_by_type[event.type] = self.stats.events_by_type.get(event.type, 0) + 1
        self._fan_out(message)

    def _fan_out(self, message: bytes) -> None:
        overflowed = [subscriber for subscriber in self.subscribers if not subscriber.put(message)]
        for subscriber in overflowed:
            self._drop(subscriber, "its queue is full (the client is not reading)")

    # ----- subscribers

    def subscribe(self, last_event_id: str | None = None) -> Subscriber:
        """Register a client; replay what it missed since `last_event_id`, or tell it to resync."""

        subscriber = Subscriber(self.settings.client_queue)
        subscriber.put(f"retry: {self.settings.retry_ms}\n: connected\n\n".encode())

        if last_event_id:
            self._catch_up(subscriber, last_event_id)

        self.subscribers.add(subscriber)
        logger.debug("event stream opened; %d clients connected", len(self.subscribers))
        return subscriber

    def _catch_up(self, subscriber: Subscriber, last_event_id: str) -> None:
        last = EventId.parse(last_event_id)
        if last is None or last < self._floor or last > self.ids.last:
            reason = "unknown event id" if last is None else "events were missed"
            self._resync(subscriber, reason)
            return

        for buffered in self._buffer:
            if buffered.id > last:
                subscriber.put(buffered.message)

    def _resync(self, subscriber: Subscriber, reason: str) -> None:
        # A resync goes to one client only, so it takes no id of its own. It
        # carries the newest id, which moves the browser's Last-Event-ID past
        # the gap: after refetching everything the client is current as of it.
        envelope = {"type": RESYNC, "time": int(self.clock.now()), "data": {"reason": reason}}
        subscriber.put(encode_message(self.ids.last, envelope))

    def unsubscribe(self, subscriber: Subscriber) -> None:
        if subscriber in self.subscribers:
            self.subscribers.discard(subscriber)
            logger.debug("event stream closed; %d clients connected", len(self.subscribers))
        subscriber.close()

    def _drop(self, subscriber: Subscriber, reason: str) -> None:
        self.stats.dropped_clients += 1
        logger.info("disconnecting an event stream client: %s; it will resume from its last event id", reason)
        self.subscribers.discard(subscriber)
        subscriber.abort()

    async def _ping_forever(self) -> None:
        while True:
            await self.clock.sleep(self.settings.ping_interval)
            self._close_expired()
            self._fan_out(PING)

    def _close_expired(self) -> None:
        """End the streams whose session has expired; each client then finds out on reconnecting."""

        now = self.clock.now()
        expired = [s for s in self.subscribers if s.expires_at is not None and s.expires_at <= now]
        for subscriber in expired:
            logger.debug("ending an event stream: its session expired")
            self.unsubscribe(subscriber)


def encode_message(event_id: EventId, envelope: dict[str, Any]) -> bytes:
    """Encode one SSE message: an `id:` line and a single `data:` line of JSON."""

    data = json.dumps(envelope, separators=(",", ":"), ensure_ascii=False)
    return f"id: {event_id}\ndata: {data}\n\n".encode()
