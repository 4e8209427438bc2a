"""Live-events benchmark: idle clients, fan-out latency, a reconnect storm, a stuck client,
concurrent widget fetches and page-content throughput.

    .venv/bin/python benchmarks/sse_bench.py            # every scenario, 3 runs each
    .venv/bin/python benchmarks/sse_bench.py --runs 1 --clients 1000

The server (benchmarks/sse_server.py) runs in its own process; the clients
run here, on the same machine, over loopback. Results are medians over the
runs; paste the printed table into docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import time
from contextlib import asynccontextmanager
from pathlib import Path

import uvloop

HERE = Path(__file__).resolve().parent
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@asynccontextmanager
async def luna_server():
    port = free_port()
    process = subprocess.Popen([sys.executable, str(HERE / "sse_server.py"), str(port)], cwd=HERE.parent)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                await http_json(port, "GET", "/bench/stats")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the benchmark server did not start") from None
                await asyncio.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


async def http_request(port: int, method: str, path: str) -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection(HOST, port)
    writer.write(f"{method} {path} HTTP/1.1\r\nHost: bench\r\nConnection: close\r\nContent-Length: 0\r\n\r\n".encode())
    raw = await reader.read(-1)
    writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    if b"transfer-encoding: chunked" in head.lower():
        body = _unchunk(body)
    return status, body


def _unchunk(body: bytes) -> bytes:
    out = bytearray()
    while body:
        size_line, _, rest = body.partition(b"\r\n")
        size = int(size_line, 16)
        if size == 0:
            break
        out += rest[:size]
        body = rest[size + 2 :]
    return bytes(out)


async def http_json(port: int, method: str, path: str) -> dict:
    status, body = await http_request(port, method, path)
    if status != 200:
        raise RuntimeError(f"{path} answered {status}")
    return json.loads(body)


class Stream(asyncio.Protocol):
    """One event-stream client; a protocol rather than a task per client, so the
    client side costs little next to the server being measured."""

    def __init__(self) -> None:
        self.connected = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None
        self.pending = b""
        self.opened = False
        # Seconds from the server's publish to this client's read, by event sequence number.
        self.arrivals: dict[int, float] = {}

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.transport.write(b"GET /api/events HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\n\r\n")

    def data_received(self, data: bytes) -> None:
        now = time.time()
        self.pending += data
        if not self.opened:
            if b": connected" not in self.pending:
                return
            self.opened = True
            self.connected.set_result(None)

        # Each event carries its sequence number and the server's publish time.
        while b'"seq":' in self.pending and b',"pad"' in self.pending[self.pending.index(b'"seq":') :]:
            start = self.pending.index(b'"seq":')
            end = self.pending.index(b',"pad"', start)
            fields = json.loads(b"{" + self.pending[start:end] + b"}")
            self.arrivals.setdefault(fields["seq"], now - fields["t"])
            self.pending = self.pending[end:]
        self.pending = self.pending[-256:]

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.connected.done():
            self.connected.set_exception(ConnectionError("the stream closed before it opened"))

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


async def open_stream(port: int) -> Stream:
    _, stream = await asyncio.get_running_loop().create_connection(Stream, HOST, port)
    await asyncio.wait_for(stream.connected, 60)
    return stream


async def open_streams(port: int, count: int, batch: int = 500) -> list[Stream]:
    streams: list[Stream] = []
    for start in range(0, count, batch):
        streams += await asyncio.gather(*(open_stream(port) for _ in range(start, min(start + batch, count))))
    return streams


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


async def scenario_fanout(clients: int) -> dict[str, float]:
    """Memory per idle client and publish-to-arrival times for 300-byte events."""

    async with luna_server() as port:
        before = await http_json(port, "GET", "/bench/stats")
        streams = await open_streams(port, clients)
        await asyncio.sleep(2)
        idle = await http_json(port, "GET", "/bench/stats")
        if idle["subscribers"] != clients:
            raise RuntimeError(f"expected {clients} subscribers, server has {idle['subscribers']}")

        results = []
        for _ in range(5):
            sequence = (await http_json(port, "POST", "/bench/publish?size=300"))["seq"]
            deadline = time.monotonic() + 30
            while sum(1 for stream in streams if sequence in stream.arrivals) < clients:
                if time.monotonic() > deadline:
                    raise RuntimeError("not every client received the event within 30 s")
                await asyncio.sleep(0.01)
            delays = [stream.arrivals[sequence] * 1000 for stream in streams]
            results.append(delays)
            await asyncio.sleep(0.5)

        for stream in streams:
            stream.close()

    per_client = (idle["rss_kib"] - before["rss_kib"]) / clients
    return {
        "kib_per_client": per_client,
        "first_ms": statistics.median(min(delays) for delays in results),
        "median_ms": statistics.median(statistics.median(delays) for delays in results),
        "p99_ms": statistics.median(percentile(delays, 0.99) for delays in results),
        "last_ms": statistics.median(max(delays) for delays in results),
    }


async def scenario_storm(clients: int) -> dict[str, float]:
    """Every client opens its stream at the same moment, as after a server restart."""

    async with luna_server() as port:
        started = time.monotonic()
        outcomes = await asyncio.gather(*(open_stream(port) for _ in range(clients)), return_exceptions=True)
        elapsed = time.monotonic() - started
        streams = [outcome for outcome in outcomes if isinstance(outcome, Stream)]
        failures = len(outcomes) - len(streams)
        stats = await http_json(port, "GET", "/bench/stats")
        for stream in streams:
            stream.close()
    return {"all_connected_s": elapsed, "failed": failures, "rss_mib": stats["rss_kib"] / 1024}


async def scenario_stuck_client(readers: int = 100, events: int = 400, size: int = 10_000) -> dict[str, float]:
    """One client never reads while large events keep coming; the others must not notice."""

    async with luna_server() as port:
        stuck = socket.socket()
        stuck.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        stuck.connect((HOST, port))
        stuck.sendall(b"GET /api/events HTTP/1.1\r\nHost: bench\r\n\r\n")
        streams = await open_streams(port, readers)
        before = await http_json(port, "GET", "/bench/stats")

        last = 0
        for _ in range(events):
            last = (await http_json(port, "POST", f"/bench/publish?size={size}"))["seq"]
        deadline = time.monotonic() + 30
        while sum(1 for stream in streams if last in stream.arrivals) < readers:
            if time.monotonic() > deadline:
                raise RuntimeError("readers fell behind the stuck client")
            await asyncio.sleep(0.01)
        behind_ms = max(stream.arrivals[last] * 1000 for stream in streams)
        after = await http_json(port, "GET", "/bench/stats")

        stuck.close()
        for stream in streams:
            stream.close()
    return {
        "stuck_dropped": after["dropped_clients"],
        "rss_growth_mib": (after["rss_kib"] - before["rss_kib"]) / 1024,
        "readers_last_event_ms": max(behind_ms, 0.0),
    }


async def scenario_widget_fetch(fetches: int = 1000) -> dict[str, float]:
    """After one widget update, every client fetches that widget at once."""

    async with luna_server() as port:
        before = await http_json(port, "GET", "/bench/stats")
        bumped = await http_json(port, "POST", "/bench/bump")
        widget_id = bumped["html"].split('data-widget-id="', 1)[1].split('"', 1)[0]
        path = f"/api/widgets/{widget_id}/content/"

        async def fetch() -> tuple[float, int, bytes]:
            started = time.monotonic()
            status, body = await http_request(port, "GET", path)
            return (time.monotonic() - started) * 1000, status, body

        outcomes = await asyncio.gather(*(fetch() for _ in range(fetches)))
        after = await http_json(port, "GET", "/bench/stats")

    expected = bumped["html"].encode()
    intact = sum(1 for _, status, body in outcomes if status == 200 and body == expected)
    latencies = [latency for latency, _, _ in outcomes]
    return {
        "renders": after["renders"] - before["renders"],
        "intact": intact,
        "p50_ms": statistics.median(latencies),
        "p99_ms": percentile(latencies, 0.99),
    }


async def scenario_page_rps(seconds: int = 10) -> dict[str, float]:
    """Page-content requests per second, measured with wrk (64 keep-alive connections)."""

    if shutil.which("wrk") is None:
        return {"requests_per_s": float("nan")}
    async with luna_server() as port:
        url = f"http://{HOST}:{port}/api/pages/home/content/"
        subprocess.run(["wrk", "-t1", "-c64", "-d2s", url], capture_output=True, check=True)
        output = subprocess.run(["wrk", "-t1", "-c64", f"-d{seconds}s", url], capture_output=True, text=True, check=True)
    line = next(line for line in output.stdout.splitlines() if line.startswith("Requests/sec:"))
    return {"requests_per_s": float(line.split()[1])}


def medians(runs: list[dict[str, float]]) -> dict[str, float]:
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per scenario; medians are reported")
    parser.add_argument("--clients", type=int, nargs="*", default=[1000, 5000, 10000], help="idle client counts")
    parser.add_argument("--only", choices=["fanout", "storm", "stuck", "widget", "page"], help="run one scenario")
    options = parser.parse_args()

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    print(f"# {platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}, {time.strftime('%Y-%m-%d')}")

    scenarios = []
    if options.only in (None, "fanout"):
        scenarios += [(f"fan-out, {count} idle clients", lambda count=count: scenario_fanout(count)) for count in options.clients]
    if options.only in (None, "storm"):
        scenarios.append((f"reconnect storm, {max(options.clients)} clients", lambda: scenario_storm(max(options.clients))))
    if options.only in (None, "stuck"):
        scenarios.append(("stuck client among 100 readers", scenario_stuck_client))
    if options.only in (None, "widget"):
        scenarios.append(("1,000 concurrent widget fetches", scenario_widget_fetch))
    if options.only in (None, "page"):
        scenarios.append(("page content", scenario_page_rps))

    for title, run in scenarios:
        results = []
        for _ in range(options.runs):
            results.append(await run())
        summary = ", ".join(f"{key} {value:.1f}" for key, value in medians(results).items())
        print(f"{title}: {summary}", flush=True)


if __name__ == "__main__":
    uvloop.run(main())
