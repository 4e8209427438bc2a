"""Event ids that increase across restarts: `<milliseconds>-<sequence>`, as Redis streams write them.

Because the first part is the wall-clock time, a client that reconnects
after the server restarted holds an id older than anything the new process
has buffered, and receives a resync event instead of silently missing events.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from luna.clock import Clock

ID_TEXT = re.compile(r"^\s*(\d{1,16})-(\d{1,12})\s*$")


@dataclass(frozen=True, order=True)
class EventId:
    milliseconds: int
    sequence: int

    def __str__(self) -> str:
        return f"{self.milliseconds}-{self.sequence}"

    @classmethod
    def parse(cls, text: str) -> EventId | None:
        match = ID_TEXT.match(text)
        if match is None:
            return None
        return cls(int(match[1]), int(match[2]))


class IdGenerator:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        # Marks the hub's start: clients holding an older id missed events.
        self.start = EventId(self._milliseconds(), 0)
        self.last = self.start

    def _milliseconds(self) -> int:
        return int(self.clock.now() * 1000)

    def next(self) -> EventId:
        now = self._milliseconds()
        if now > self.last.milliseconds:
            self.last = EventId(now, 0)
        else:
            # Same millisecond, or the clock stepped back: keep ids increasing.
            self.last = EventId(self.last.milliseconds, self.last.sequence + 1)
        return self.last
