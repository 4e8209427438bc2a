"""One event-stream client's queue of encoded messages."""

from __future__ import annotations

import asyncio
from collections import deque


class Subscriber:
    """A bounded queue of ready-to-send SSE bytes with a single waiting reader.

    The hub never blocks on a client: `put` returns False when the queue is
    full, and the hub then disconnects the client, which resumes by its last
    event id.
    """

    __slots__ = ("_messages", "_limit", "_waiter", "closed")

    def __init__(self, limit: int) -> None:
        self._messages: deque[bytes] = deque()
        self._limit = limit
        self._waiter: asyncio.Future[None] | None = None
        self.closed = False

    def put(self, message: bytes) -> bool:
        if self.closed:
            return True
        if len(self._messages) >= self._limit:
            return False

        self._messages.append(message)
        self._wake()
        return True

    def close(self) -> None:
        self.closed = True
        self._wake()

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
