"""Measure monitor rounds: 1,000 sites on local servers, and 100 sites of which half hang.

Run from the repository root:

    .venv/bin/python benchmarks/monitor_round.py

The fake services run in a child process, so the CPU time measured here is
luna's alone. For the first scenario each run builds a fresh monitor widget
and checks all sites `--rounds` times. A round's CPU share is its process CPU
time over its wall time. The load at the regular interval is its CPU time
over `--interval`. Medians over `--runs` runs are printed, one line per run
before them. The second scenario checks 100 sites, every other one on a
server that accepts connections and never answers, and reports when the
healthy half finished compared with the timeout.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import platform
import socket
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from luna.checks.checker import Checker, Target  # noqa: E402
from luna.checks.result import CheckResult, Status  # noqa: E402
from luna.clock import SystemClock  # noqa: E402
from luna.widgets.base import WidgetContext  # noqa: E402
from luna.widgets.monitor import MonitorOptions, MonitorWidget  # noqa: E402
from luna.widgets.refresh import USER_AGENT, RefreshContext  # noqa: E402

RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nok"


def serve(ports: list[int], hanging_port: int, ready: multiprocessing.synchronize.Event) -> None:  # type: ignore[name-defined]
    """Serve 200 to every request on `ports`, and never respond on `hanging_port` (runs in the child process)."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(RESPONSE)
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def hang(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()
        writer.close()

    async def main() -> None:
        servers = [await asyncio.start_server(answer, "127.0.0.1", port, backlog=2048) for port in ports]
        servers.append(await asyncio.start_server(hang, "127.0.0.1", hanging_port, backlog=2048))
        ready.set()
        await asyncio.gather(*(server.serve_forever() for server in servers))

    asyncio.run(main())


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for probe in sockets:
        probe.bind(("127.0.0.1", 0))
    ports = [probe.getsockname()[1] for probe in sockets]
    for probe in sockets:
        probe.close()
    return ports


def build_monitor(urls: list[str], timeout: str) -> MonitorWidget:
    sites = [{"title": f"site {index}", "url": url} for index, url in enumerate(urls)]
    options = MonitorOptions.model_validate({"type": "monitor", "timeout": timeout, "sites": sites})
    return MonitorWidget(options, WidgetContext("benchmark", "home"))


@dataclass
class Round:
    wall: float
    cpu: float
    up: int


async def measure_rounds(urls: list[str], rounds: int) -> list[Round]:
    widget = build_monitor(urls, timeout="5s")
    context = RefreshContext(SystemClock())
    measured = []
    try:
        for _ in range(rounds):
            # Every site is due in every round, as at the regular interval.
            widget.state = widget.state.after_success(None, 0.0)
            wall_start, cpu_start = time.perf_counter(), time.process_time()
            results = await widget.refresh(context)
            wall, cpu = time.perf_counter() - wall_start, time.process_time() - cpu_start
            measured.append(Round(wall, cpu, sum(result.status is Status.UP for result in results)))
    finally:
        await context.aclose()
    return measured


class TimingChecker(Checker):
    """Records when each check finished, relative to the start of the round."""

    def __init__(self) -> None:
        super().__init__(USER_AGENT)
        self.started = time.perf_counter()
        self.finished: dict[str, float] = {}

    async def check(self, target: Target, now: float, max_response_time: float | None = None) -> CheckResult:
        result = await super().check(target, now, max_response_time)
        self.finished[target.url] = time.perf_counter() - self.started  # type: ignore[union-attr]
        return result


async def measure_hanging(healthy_urls: list[str], hanging_urls: list[str], timeout: float) -> dict[str, float]:
    urls = [url for pair in zip(healthy_urls, hanging_urls) for url in pair]
    widget = build_monitor(urls, timeout=f"{int(timeout * 1000)}ms")
    widget.retry_delay = 0.5
    checker = TimingChecker()
    context = RefreshContext(SystemClock(), checker)
    try:
        checker.started = time.perf_counter()
        results = await widget.refresh(context)
        round_wall = time.perf_counter() - checker.started
    finally:
        await context.aclose()

    healthy = [checker.finished[url] for url in healthy_urls]
    return {
        "healthy_up": sum(result.status is Status.UP for result in results[0::2]),
        "hanging_down": sum(result.status is Status.DOWN for result in results[1::2]),
        "healthy_last_finished": max(healthy),
        "round": round_wall,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", type=int, default=1000, help="sites in the large round (default 1000)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds per run (default 5)")
    parser.add_argument("--runs", type=int, default=3, help="runs, each with a fresh widget (default 3)")
    parser.add_argument("--interval", type=float, default=15.0, help="seconds between rounds in production (default 15)")
    parser.add_argument("--servers", type=int, default=10, help="local HTTP servers the sites are spread over")
    arguments = parser.parse_args()

    ports = free_ports(arguments.servers + 1)
    serving, hanging_port = ports[:-1], ports[-1]
    ready = multiprocessing.Event()
    child = multiprocessing.Process(target=serve, args=(serving, hanging_port, ready), daemon=True)
    child.start()
    try:
        if not ready.wait(15):
            raise SystemExit("the local servers did not start within 15 s")
        run_benchmarks(arguments, serving, hanging_port)
    finally:
        child.terminate()
        child.join(5)


def run_benchmarks(arguments: argparse.Namespace, serving: list[int], hanging_port: int) -> None:
    urls = [f"http://127.0.0.1:{serving[index % len(serving)]}/site/{index}" for index in range(arguments.sites)]
    print(f"{arguments.sites} sites over {len(serving)} local servers, {arguments.rounds} rounds x {arguments.runs} runs")
    print(f"Python {platform.python_version()}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start")

    walls, cpus, shares = [], [], []
    for run in range(arguments.runs):
        rounds = asyncio.run(measure_rounds(urls, arguments.rounds))
        run_wall = statistics.median(r.wall for r in rounds)
        run_cpu = statistics.median(r.cpu for r in rounds)
        walls.append(run_wall)
        cpus.append(run_cpu)
        shares.append(run_cpu / run_wall)
        up = min(r.up for r in rounds)
        print(f"  run {run + 1}: round {run_wall:.2f} s wall, {run_cpu:.2f} s CPU, {up}/{arguments.sites} up in every round")

    wall, cpu = statistics.median(walls), statistics.median(cpus)
    print(f"median round: {wall:.2f} s wall, {cpu:.2f} s CPU, CPU share during the round {statistics.median(shares):.0%}")
    print(f"load at a {arguments.interval:g} s interval: {cpu / arguments.interval:.1%} of one core")

    timeout = 2.0
    healthy = [f"http://127.0.0.1:{serving[index % len(serving)]}/ok/{index}" for index in range(50)]
    hanging = [f"http://127.0.0.1:{hanging_port}/hang/{index}" for index in range(50)]
    outcome = asyncio.run(measure_hanging(healthy, hanging, timeout))
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
    print(
        f"100 sites, 50 hanging (timeout {timeout:g} s, 1 retry after 0.5 s): "
        f"{outcome['healthy_up']:.0f}/50 healthy up, last healthy check done after {outcome['healthy_last_finished']:.2f} s; "
        f"{outcome['hanging_down']:.0f}/50 hanging down; round {outcome['round']:.2f} s"
    )


if __name__ == "__main__":
    main()
