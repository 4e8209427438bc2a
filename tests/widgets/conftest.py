"""Fixtures for widget tests that fetch: a fake upstream on 127.0.0.1 and a bench that refreshes widgets."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.support.feeds import FakeUpstream, FeedBench, fake_upstream


@pytest.fixture
def upstream() -> Iterator[FakeUpstream]:
    with fake_upstream() as server:
        yield server


@pytest.fixture
async def bench(tmp_path: Path) -> AsyncIterator[FeedBench]:
    feed_bench = FeedBench(tmp_path)
    yield feed_bench
    await feed_bench.aclose()
