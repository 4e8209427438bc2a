"""One event-stream client's queue of encoded messages."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable

logger = logging.getLogger(__name__)


class Subscriber:
    """A bounded queue of ready-to-send SSE bytes with a single waiting reader.

    The hub never blocks on a client: `put` returns False when the queue is
    full, and the hub then disconnects the client, which resumes by its last
    event id.
    """

    __slots__ = ("_messages", "_limit", "_waiter", "closed", "writer", "sending", "write_now", "session", "expires_at")

    def __init__(self, limit: int) -> None:
        self._messages: deque[bytes] = deque()
        self._limit = limit
        self._waiter: asyncio.Future[None] | None = None
        self.closed = False
        # The task copying messages to the client, while it waits on a full socket.
        self.writer: asyncio.Task[object] | None = None
        # True while that task is inside a write.
        self.sending = False
        # Writes one message at once if the socket takes it without waiting;
        # returns False (having written nothing) when it would have to wait.
        self.write_now: Callable[[bytes], bool] | None = None
        # The login session that opened the stream, for the web layer to end
        # it on logout; the hub never looks inside.
        self.session: object | None = None
        # When set, the hub ends the stream once this time (on its clock) has passed.
        self.expires_at: float | None = None

    def put(self, message: bytes) -> bool:
        if self.closed:
            return True
        # With nothing queued and no write under way, writing here keeps the
        # order and saves waking the writer task: the cost that dominates a
        # fan-out to thousands of clients.
        if self.write_now is not None and not self._messages and not self.sending:
            try:
                if self.write_now(message):
                    return True
            except Exception:  # noqa: BLE001 - a failing client must not stop the fan-out
                logger.debug("direct write to an event stream failed; using the queue", exc_info=True)
                self.write_now = None
        if len(self._messages) >= self._limit:
            return False

        self._messages.append(message)
        self._wake()
        return True

    def close(self) -> None:
        self.closed = True
        self._wake()

    def abort(self) -> None:
        """Close, and interrupt a write stuck on a client that stopped reading."""

        self.close()
        if self.writer is not None and not self.writer.done():
            self.writer.cancel()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def get(self) -> bytes | None:
        """Wait for messages and return all queued ones joined; None once closed."""

        while not self._messages:
            if self.closed:
                return None
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None

        if self.closed:
            return None
        chunk = b"".join(self._messages) if len(self._messages) > 1 else self._messages[0]
        self._messages.clear()
        return chunk

    def __len__(self) -> int:
        return len(self._messages)
