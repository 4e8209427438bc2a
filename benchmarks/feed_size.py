"""Measure rss refreshes of very large feeds: an 8 MB feed of 5,000 items, and bodies that never end.

Run from the repository root:

    .venv/bin/python benchmarks/feed_size.py

A child process serves the feeds on 127.0.0.1, and each measured refresh
runs in a fresh child process of its own, so the CPU time and memory
reported are luna's and no run inherits another run's heap. A refresh is
the scheduler's `refresh_once` on an rss widget built from its options,
with a real RefreshContext and httpx client. Each child first refreshes a
10-item feed, so lazy imports are not counted.

- big: an RSS 2.0 feed of about 8 MB with 5,000 items in random date
  order. Reported: wall and CPU time of the refresh, and how far the peak
  resident memory (RSS) rose above the RSS before the refresh. A second,
  traced refresh reports the tracemalloc peak of Python allocations and
  what tracemalloc still counts after it, which is mostly the widget's
  data. Tracing makes the parse about 5 times slower, so the traced refresh
  is not timed and runs in the first `--traced-runs` runs only. Its counts
  hardly vary between runs. The run fails unless the newest item is the
  first one shown.
- endless: a chunked RSS body that never ends, with the default 10 MB cap
  and with `max-response-size: 2MB`. Reported: the error on the page, the
  bytes luna read (from its log), the bytes the fake server wrote before luna
  closed the connection, the time to fail, memory as above, and the
  scheduler's delay before the next attempt.
- declared: a 60 MB body announced by its Content-Length, which luna
  rejects before reading the body.

Medians over `--runs` runs are printed, one line per run before them. Peak
RSS is read from /proc/self/status after resetting it through
/proc/self/clear_refs, so the benchmark runs on Linux only.
"""

from __future__ import annotations

import argparse
import asyncio
import email.utils
import gc
import logging
import multiprocessing
import os
import platform
import queue
import random
import re
import socket
import statistics
import sys
import time
import tracemalloc
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib.metadata import version
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from luna.clock import SystemClock  # noqa: E402
from luna.feeds.fetch import MEGABYTE  # noqa: E402
from luna.scheduler import Scheduler  # noqa: E402
from luna.widgets.base import WidgetContext  # noqa: E402
from luna.widgets.refresh import RefreshContext  # noqa: E402
from luna.widgets.rss import RssData, RssOptions, RssWidget  # noqa: E402

# Every child is a fresh interpreter, so no run starts with another run's heap.
PROCESSES = multiprocessing.get_context("spawn")
SEED = 49
# Items are dated in the year before this time, 2025-12-01 00:00 UTC.
NEWEST = 1_764_547_200
YEAR = 365 * 24 * 3600
DESCRIPTION_LENGTH = 1_150
DECLARED_SIZE = 60 * MEGABYTE
# Bytes per write of the streaming routes.
STREAM_CHUNK = 64 * 1024
CHILD_TIMEOUT = 120.0
WORDS = (
    "backup cluster container dashboard database kernel laptop library monitor network "
    "patch printer release router sensor server storage update volume weather"
).split()
READ_IN_DETAIL = re.compile(r"more than (\d+) bytes arrived")


@dataclass(frozen=True)
class Story:
    title: str
    link: str
    # Seconds since the epoch.
    published: int
    # HTML, as feeds put it in <description>.
    description: str


def make_stories(count: int, seed: int) -> list[Story]:
    """Build `count` items with dates in random order. The same seed gives the same items."""

    rng = random.Random(seed)
    return [
        Story(
            title=f"{_sentence(rng, 6)[:-1]} ({index})",
            link=f"https://news.example/posts/{seed}/{index}",
            published=NEWEST - rng.randrange(YEAR),
            description=_description(rng),
        )
        for index in range(count)
    ]


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def _description(rng: random.Random) -> str:
    paragraphs: list[str] = []
    while sum(map(len, paragraphs)) < DESCRIPTION_LENGTH:
        link = f'<a href="https://news.example/ref/{rng.randrange(10**6)}">{rng.choice(WORDS)}</a>'
        paragraphs.append(f"<p>{_sentence(rng, 12)} See {link} and <em>{rng.choice(WORDS)}</em>. {_sentence(rng, 10)}</p>")
    if rng.random() < 0.3:
        paragraphs.append("<ul>" + "".join(f"<li>{_sentence(rng, 4)}</li>" for _ in range(3)) + "</ul>")
    if rng.random() < 0.2:
        paragraphs.insert(0, f'<img src="https://news.example/img/{rng.randrange(10**6)}.jpg" alt="">')
    return "".join(paragraphs)


def item_xml(story: Story, index: int) -> str:
    # Feeds carry HTML either escaped or in CDATA, so half the items use each.
    description = f"<![CDATA[{story.description}]]>" if index % 2 else escape(story.description)
    return (
        f"<item><title>{escape(story.title)}</title><link>{story.link}</link>"
        f'<guid isPermaLink="true">{story.link}</guid>'
        f"<pubDate>{email.utils.formatdate(story.published, usegmt=True)}</pubDate>"
        f"<category>{WORDS[index % len(WORDS)]}</category>"
        f"<description>{description}</description></item>\n"
    )


def channel_head(title: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>{title}</title><link>https://news.example/</link><description>Benchmark feed</description>\n"
    ).encode()


CHANNEL_TAIL = b"</channel></rss>\n"


def rss_document(stories: list[Story], title: str) -> bytes:
    items = "".join(item_xml(story, index) for index, story in enumerate(stories))
    return channel_head(title) + items.encode() + CHANNEL_TAIL


def newest_title(stories: list[Story]) -> str:
    # The widget's sort is stable, so of items with the same date the first in the document leads.
    return max(stories, key=lambda story: story.published).title


# ---- the fake feed server (runs in its own child process) -----------------------------------


def serve(port: int, items: int, ready: Any, written_counts: Any) -> None:
    """Serve /small.xml, /big.xml, /endless.xml and /declared.xml on `port` until terminated.

    The streaming routes put (request target, bytes written) on
    `written_counts` when the client closes the connection. The query of a
    target only distinguishes its requests.
    """

    whole = {
        "/small.xml": rss_document(make_stories(10, SEED + 1), "Small"),
        "/big.xml": rss_document(make_stories(items, SEED), "Big"),
    }
    repeated = "".join(item_xml(story, index) for index, story in enumerate(make_stories(200, SEED + 2))).encode()

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await reader.readuntil(b"\r\n\r\n")
            target = request.split(b" ", 2)[1].decode()
            path = target.split("?", 1)[0]
            if path in whole:
                await _write_all(writer, [_head(len(whole[path])), whole[path]])
            elif path == "/endless.xml":
                written_counts.put((target, await _write_all(writer, _endless_chunks(repeated))))
            elif path == "/declared.xml":
                written_counts.put((target, await _write_all(writer, _declared_chunks(repeated))))
            else:
                writer.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(answer, "127.0.0.1", port)
        ready.set()
        await server.serve_forever()

    asyncio.run(main())


def _head(length: int | None) -> bytes:
    framing = f"Content-Length: {length}" if length is not None else "Transfer-Encoding: chunked"
    return f"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n{framing}\r\nConnection: close\r\n\r\n".encode()


async def _write_all(writer: asyncio.StreamWriter, pieces: Iterator[bytes] | list[bytes]) -> int:
    """Write pieces until they end or the client closes the connection; return the bytes written."""

    written = 0
    try:
        for piece in pieces:
            writer.write(piece)
            await writer.drain()
            written += len(piece)
    except ConnectionError:
        pass
    return written


def _endless_chunks(repeated: bytes) -> Iterator[bytes]:
    yield _head(None)
    yield _chunk(channel_head("Endless"))
    while True:
        for start in range(0, len(repeated), STREAM_CHUNK):
            yield _chunk(repeated[start : start + STREAM_CHUNK])


def _chunk(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


def _declared_chunks(repeated: bytes) -> Iterator[bytes]:
    yield _head(DECLARED_SIZE)
    head = channel_head("Declared")
    yield head
    remaining = DECLARED_SIZE - len(head)
    while remaining > 0:
        piece = repeated[: min(STREAM_CHUNK, remaining)]
        remaining -= len(piece)
        yield piece


# ---- one measured refresh (runs in a fresh child process) ------------------------------------


@dataclass
class Outcome:
    wall: float = 0.0
    cpu: float = 0.0
    rss_growth: int = 0
    # None when the run had no traced refresh.
    traced_peak: int | None = None
    traced_kept: int | None = None
    error: str | None = None
    traced_error: str | None = None
    # What luna logged about the failed fetch, or "" when the fetch succeeded.
    detail: str = ""
    next_delay: float = 0.0
    titles: list[str] = field(default_factory=list)
    # Bytes the fake server wrote for the untraced refresh of a streaming route, filled in by the parent.
    written: int | None = None

    @property
    def read(self) -> int | None:
        """Body bytes luna read before it gave up, as its log states, or None when the log gives no count."""

        match = READ_IN_DETAIL.search(self.detail)
        return int(match[1]) if match else None


class FetchLog(logging.Handler):
    """Keeps the messages of luna.feeds.fetch, which carry the failed fetch's detail."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name == "luna.feeds.fetch":
            self.messages.append(record.getMessage())


def build_rss(url: str, extra: dict[str, Any]) -> RssWidget:
    options = RssOptions.model_validate({"type": "rss", "feeds": [{"url": url}], **extra})
    return RssWidget(options, WidgetContext("benchmark", "home"))


def measure_in_child(base_url: str, path: str, extra: dict[str, Any], traced: bool, connection: Connection) -> None:
    """Refresh a warm-up feed, then `path` once untraced and, when `traced`, once under tracemalloc; send the Outcome."""

    log = FetchLog()
    luna_logger = logging.getLogger("luna")
    luna_logger.addHandler(log)
    luna_logger.setLevel(logging.WARNING)
    # The failures are expected here, so the outcome reports them instead of stderr.
    luna_logger.propagate = False

    connection.send(asyncio.run(_measure(base_url, path, extra, traced, log)))
    connection.close()


async def _measure(base_url: str, path: str, extra: dict[str, Any], traced: bool, log: FetchLog) -> Outcome:
    clock = SystemClock()
    context = RefreshContext(clock)
    try:
        await _refresh(context, build_rss(base_url + "/small.xml", {}))
        outcome = await _measure_untraced(context, build_rss(f"{base_url}{path}?untraced", extra))
        outcome.detail = log.messages[-1] if log.messages else ""
        if traced:
            traced_outcome = await _measure_traced(context, build_rss(f"{base_url}{path}?traced", extra))
            outcome.traced_peak, outcome.traced_kept, outcome.traced_error = traced_outcome
    finally:
        await context.aclose()
    return outcome


async def _refresh(context: RefreshContext, widget: RssWidget) -> float:
    return await Scheduler([widget], context, context.clock).refresh_once(widget)


async def _measure_untraced(context: RefreshContext, widget: RssWidget) -> Outcome:
    gc.collect()
    rss_before = psutil.Process().memory_info().rss
    _reset_peak_rss()

    wall_start, cpu_start = time.perf_counter(), time.process_time()
    delay = await _refresh(context, widget)
    wall, cpu = time.perf_counter() - wall_start, time.process_time() - cpu_start

    data = widget.state.data
    titles = [entry.title for entry in data.items] if isinstance(data, RssData) else []
    return Outcome(wall, cpu, _peak_rss() - rss_before, error=widget.state.error, next_delay=delay, titles=titles)


async def _measure_traced(context: RefreshContext, widget: RssWidget) -> tuple[int, int, str | None]:
    """Return the tracemalloc peak during a refresh, what is still allocated after it (the widget's data included) and its error."""

    gc.collect()
    tracemalloc.start()
    try:
        await _refresh(context, widget)
        peak = tracemalloc.get_traced_memory()[1]
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    return peak, kept, widget.state.error


def _reset_peak_rss() -> None:
    # Writing 5 to clear_refs resets the peak RSS (VmHWM) to the current RSS (Linux 4.0 and later).
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")


def _peak_rss() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("VmHWM not found in /proc/self/status; this benchmark needs Linux")


# ---- the parent: scenarios, runs and reports -------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    name: str
    path: str
    options: dict[str, Any]


def run_child(base_url: str, scenario: Scenario, traced: bool, written_counts: Any) -> Outcome:
    receiver, sender = PROCESSES.Pipe(duplex=False)
    child = PROCESSES.Process(target=measure_in_child, args=(base_url, scenario.path, scenario.options, traced, sender))
    child.start()
    sender.close()
    try:
        if not receiver.poll(CHILD_TIMEOUT):
            raise SystemExit(f"the measuring child for {scenario.name} sent nothing within {CHILD_TIMEOUT:g} s")
        outcome: Outcome = receiver.recv()
    finally:
        child.join(CHILD_TIMEOUT)

    if traced and outcome.traced_error != outcome.error:
        endings = f"the traced one with {outcome.traced_error!r}, the untraced one with {outcome.error!r}"
        raise SystemExit(f"the two refreshes of {scenario.name} ended differently: {endings}")
    outcome.written = _drain(written_counts).get(f"{scenario.path}?untraced")
    return outcome


def _drain(written_counts: Any) -> dict[str, int]:
    # The fake server reports a streaming request once a write fails on the closed connection, which can trail the child's exit.
    counts = {}
    while True:
        try:
            target, written = written_counts.get(timeout=0.5)
        except queue.Empty:
            return counts
        counts[target] = written


def megabytes(size: float, decimals: int = 1) -> str:
    return f"{size / MEGABYTE:.{decimals}f} MB"


def report_big(run: int, outcome: Outcome, expected: str, limit: int) -> None:
    if outcome.error is not None:
        raise SystemExit(f"the big feed failed in run {run}: {outcome.error}; {outcome.detail}")
    if outcome.titles[:1] != [expected] or len(outcome.titles) != limit:
        shown = f"{len(outcome.titles)} items starting with {outcome.titles[:1]}"
        raise SystemExit(f"run {run} showed {shown}; expected {limit} items starting with {expected!r}")

    print(
        f"  run {run}: refresh {outcome.wall:.2f} s wall, {outcome.cpu:.2f} s CPU; peak RSS +{megabytes(outcome.rss_growth)}; "
        f"{_traced(outcome)}; newest item first of {len(outcome.titles)} shown"
    )


def report_failure(run: int, outcome: Outcome) -> None:
    if outcome.error is None:
        raise SystemExit(f"run {run} was expected to fail, but the refresh succeeded with {len(outcome.titles)} items")

    read = "no body bytes (rejected on Content-Length)" if outcome.read is None else megabytes(outcome.read, 2)
    written = "nothing reported" if outcome.written is None else megabytes(outcome.written, 2)
    print(
        f"  run {run}: {outcome.error!r} after {outcome.wall:.2f} s ({outcome.cpu:.2f} s CPU); "
        f"luna read {read}, the fake server wrote {written}; peak RSS +{megabytes(outcome.rss_growth)}, "
        f"{_traced(outcome)}; next attempt in {outcome.next_delay:g} s"
    )


def _traced(outcome: Outcome) -> str:
    if outcome.traced_peak is None or outcome.traced_kept is None:
        return "not traced"
    return f"tracemalloc peak {megabytes(outcome.traced_peak)}, still allocated after {megabytes(outcome.traced_kept)}"


def report_medians(outcomes: list[Outcome]) -> None:
    parts = [
        f"{_median([o.wall for o in outcomes]):.2f} s wall, {_median([o.cpu for o in outcomes]):.2f} s CPU",
        f"peak RSS +{megabytes(_median([o.rss_growth for o in outcomes]))}",
    ]
    peaks = [o.traced_peak for o in outcomes if o.traced_peak is not None]
    if peaks:
        parts.append(f"tracemalloc peak {megabytes(_median(peaks))} ({len(peaks)} traced)")
    reads = [o.read for o in outcomes if o.read is not None]
    if reads:
        parts.append(f"luna read {megabytes(_median(reads), 2)}")
    written = [o.written for o in outcomes if o.written is not None]
    if written:
        parts.append(f"the fake server wrote {megabytes(_median(written), 2)}")
    print("median: " + "; ".join(parts))


def _median(values: list[int] | list[float]) -> float:
    return statistics.median(values)


def run_benchmarks(arguments: argparse.Namespace, base_url: str, written_counts: Any) -> None:
    memory = psutil.virtual_memory().total / 1024**3
    load = os.getloadavg()[0]
    print(f"Python {platform.python_version()}, {os.cpu_count()} CPUs, {memory:.0f} GB memory, load average {load:.1f} at start")
    print(f"httpx {version('httpx')}, feedparser {version('feedparser')}, nh3 {version('nh3')}")
    print(f"{arguments.runs} runs per scenario, each in a fresh process; tracemalloc in the first {arguments.traced_runs}")

    stories = make_stories(arguments.items, SEED)
    print(f"big feed: {megabytes(len(rss_document(stories, 'Big')))}, {arguments.items} items, limit {arguments.limit}")
    big = Scenario("big", "/big.xml", {"limit": arguments.limit})
    outcomes = []
    for run in range(1, arguments.runs + 1):
        outcomes.append(run_child(base_url, big, run <= arguments.traced_runs, written_counts))
        report_big(run, outcomes[-1], newest_title(stories), arguments.limit)
    report_medians(outcomes)

    failing = [
        Scenario("endless body, default cap of 10 MB", "/endless.xml", {}),
        Scenario("endless body, max-response-size: 2MB", "/endless.xml", {"max-response-size": "2MB"}),
        Scenario("60 MB body declared by Content-Length, default cap", "/declared.xml", {}),
    ]
    for scenario in failing:
        print(scenario.name)
        outcomes = []
        for run in range(1, arguments.runs + 1):
            outcomes.append(run_child(base_url, scenario, run <= arguments.traced_runs, written_counts))
            report_failure(run, outcomes[-1])
        report_medians(outcomes)
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per scenario, each in a fresh process (default 3)")
    parser.add_argument("--items", type=int, default=5000, help="items in the big feed (default 5000, about 8 MB)")
    parser.add_argument("--limit", type=int, default=25, help="the widget's limit: items shown (default 25)")
    parser.add_argument("--traced-runs", type=int, default=1, help="runs per scenario with a tracemalloc refresh (default 1)")
    arguments = parser.parse_args()

    port = free_port()
    ready, written_counts = PROCESSES.Event(), PROCESSES.Queue()
    server = PROCESSES.Process(target=serve, args=(port, arguments.items, ready, written_counts), daemon=True)
    server.start()
    try:
        if not ready.wait(30):
            raise SystemExit("the local feed server did not start within 30 s")
        run_benchmarks(arguments, f"http://127.0.0.1:{port}", written_counts)
    finally:
        server.terminate()
        server.join(5)


if __name__ == "__main__":
    main()
