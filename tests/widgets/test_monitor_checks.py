from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from luna.checks.checker import Checker, Target
from luna.checks.resolver import Resolver
from luna.checks.result import CheckResult, ErrorClass, Status
from luna.checks.tcp import TcpTarget
from luna.clock import ManualClock
from luna.config.errors import ConfigError
from luna.widgets.base import WidgetContext
from luna.widgets.monitor import MAX_CONCURRENT_CHECKS, MonitorOptions, MonitorWidget, is_worse
from luna.widgets.refresh import RefreshContext
from tests.support.dashboards import load_text, running_dashboard
from tests.support.upstreams import FakeDnsServer, HttpUpstream, closed_port, fake_dns, http_upstream

START = 1_700_000_000.0


@pytest.fixture
def upstream() -> Iterator[HttpUpstream]:
    with http_upstream() as server:
        yield server


@pytest.fixture
def dns_server() -> Iterator[FakeDnsServer]:
    with fake_dns() as server:
        yield server


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
async def context(clock: ManualClock, dns_server: FakeDnsServer) -> AsyncIterator[RefreshContext]:
    resolver = Resolver(nameservers=[dns_server.address], hosts_path=None)
    context = RefreshContext(clock, Checker("luna-test", resolver=resolver))
    yield context
    await context.aclose()


def monitor(sites: list[dict[str, Any]], retry_delay: float = 0.0, **options: Any) -> MonitorWidget:
    parsed = MonitorOptions.model_validate({"type": "monitor", "timeout": "500ms", "sites": sites, **options})
    widget = MonitorWidget(parsed, WidgetContext("monitor-1", "home"))
    widget.retry_delay = retry_delay
    return widget


async def refresh(widget: MonitorWidget, context: RefreshContext, advance: bool = True) -> tuple[CheckResult, ...]:
    """Refresh as the scheduler does: run the round, store its data, then let one interval pass."""

    results = await widget.refresh(context)
    widget.state = widget.state.after_success(results, context.clock.now())
    if advance:
        await context.clock.advance(widget.interval)  # type: ignore[attr-defined]
    return results


def requests_to(upstream: HttpUpstream, path: str) -> int:
    return sum(1 for _, requested, _ in upstream.requests if requested == path)


class TestRetries:
    async def test_one_failure_raises_no_alarm(self, upstream: HttpUpstream, context: RefreshContext) -> None:
        upstream.route("/flaky", 200, sequence=[503])
        widget = monitor([{"title": "NAS", "url": upstream.url("/flaky")}])

        (result,) = await refresh(widget, context)

        assert result.status is Status.UP
        assert requests_to(upstream, "/flaky") == 2

    async def test_no_retries_shows_failure(self, upstream: HttpUpstream, context: RefreshContext) -> None:
        upstream.route("/flaky", 200, sequence=[503])
        widget = monitor([{"title": "NAS", "url": upstream.url("/flaky"), "retries": 0}])

        (result,) = await refresh(widget, context)

        assert result.status is Status.DOWN
        assert result.code == 503

    async def test_down_after_all_retries(self, context: RefreshContext) -> None:
        widget = monitor([{"title": "NAS", "url": f"http://127.0.0.1:{closed_port()}/"}], retries=2)

        (result,) = await refresh(widget, context)

        assert result.status is Status.DOWN
        assert result.failures == 3

    async def test_recovery_shown_at_once(self, upstream: HttpUpstream, context: RefreshContext) -> None:
        upstream.route("/", 200, sequence=[500, 500])
        widget = monitor([{"title": "NAS", "url": upstream.url("/")}])
        await refresh(widget, context)

        (result,) = await refresh(widget, context)

        assert result.status is Status.UP
        assert requests_to(upstream, "/") == 3

    async def test_still_down_not_retried(self, context: RefreshContext) -> None:
        widget = monitor([{"title": "NAS", "url": f"http://127.0.0.1:{closed_port()}/"}])
        await refresh(widget, context)

        (result,) = await refresh(widget, context)

        assert result.failures == 3

    async def test_retry_waits_on_clock(
        self, upstream: HttpUpstream, context: RefreshContext, clock: ManualClock
    ) -> None:
        upstream.route("/flaky", 200, sequence=[503])
        widget = monitor([{"title": "NAS", "url": upstream.url("/flaky")}], retry_delay=2.0)

        round_ = asyncio.create_task(widget.refresh(context))
        await wait_until(lambda: clock.sleeping == 1)
        requests_before_delay = requests_to(upstream, "/flaky")
        await clock.advance(2.0)
        (result,) = await round_

        assert requests_before_delay == 1
        assert result.status is Status.UP
        assert result.checked_at == START + 2.0


class TestStateChanges:
    def test_site_key_ignores_time_and_text(self) -> None:
        first = CheckResult(Status.DOWN, START, error="connect to 127.0.0.1:41234 refused", error_class=ErrorClass.CONNECT)
        second = dataclasses.replace(first, error="connect to 127.0.0.1:41299 refused", response_time_ms=80, checked_at=START + 15)

        assert MonitorWidget.site_key(first) == MonitorWidget.site_key(second)

    def test_site_key_sees_code_change(self) -> None:
        first = CheckResult(Status.DOWN, START, code=500, error_class=ErrorClass.HTTP, label="Internal Server Error")
        second = dataclasses.replace(first, code=502, label="Bad Gateway")

        assert MonitorWidget.site_key(first) != MonitorWidget.site_key(second)

    def test_first_results_are_baseline(self) -> None:
        results = (CheckResult(Status.DOWN, START), CheckResult(Status.UP, START))

        assert MonitorWidget.changed_sites(None, results) == []
        assert MonitorWidget.changed_sites((), results) == []

    def test_changed_sites_listed_by_index(self) -> None:
        old = (CheckResult(Status.UP, START, code=200), CheckResult(Status.UP, START, code=200))
        new = (CheckResult(Status.UP, START + 15, code=200, response_time_ms=9), CheckResult(Status.DOWN, START + 15))

        assert MonitorWidget.changed_sites(old, new) == [1]

    def test_worse_means_higher_severity(self) -> None:
        up, degraded, down = (CheckResult(status, START) for status in (Status.UP, Status.DEGRADED, Status.DOWN))

        assert is_worse(down, degraded) is True
        assert is_worse(degraded, up) is True
        assert is_worse(degraded, None) is True
        assert is_worse(degraded, down) is False
        assert is_worse(up, None) is False

    async def test_state_data_is_tuple_in_site_order(self, upstream: HttpUpstream, context: RefreshContext) -> None:
        upstream.route("/a", 200)
        widget = monitor([{"title": "A", "url": upstream.url("/a")}, {"title": "B", "url": upstream.url("/b")}])

        await refresh(widget, context)

        assert isinstance(widget.state.data, tuple)
        assert [result.status for result in widget.state.data] == [Status.UP, Status.DOWN]

    async def test_change_logged_once_per_change(
        self, upstream: HttpUpstream, context: RefreshContext, caplog: pytest.LogCaptureFixture
    ) -> None:
        port = closed_port()
        widget = monitor([{"title": "NAS", "url": f"http://127.0.0.1:{port}/", "check-url": upstream.url("/")}])
        upstream.route("/", 200)

        with caplog.at_level(logging.INFO, logger="luna.widgets.monitor"):
            await refresh(widget, context)
            upstream.route("/", 500)
            await refresh(widget, context)
            await refresh(widget, context)
            upstream.route("/", 200)
            await refresh(widget, context)

        lines = [record.getMessage() for record in caplog.records if record.levelno == logging.INFO]
        assert len(lines) == 2
        assert lines[0] == 'monitor "NAS": down after 2 failed checks (HTTP 500 Internal Server Error)'
        assert lines[1].startswith('monitor "NAS": up again (200, ')
        assert lines[1].endswith(" ms)")

    async def test_refused_logged_in_words(self, context: RefreshContext, caplog: pytest.LogCaptureFixture) -> None:
        with http_upstream() as server:
            server.route("/", 200)
            widget = monitor([{"title": "NAS", "url": server.url("/")}])
            await refresh(widget, context)

        with caplog.at_level(logging.INFO, logger="luna.widgets.monitor"):
            await refresh(widget, context)

        assert [record.getMessage() for record in caplog.records] == [
            'monitor "NAS": down after 2 failed checks (connection refused)'
        ]


class TestRounds:
    async def test_site_interval_respected(
        self, upstream: HttpUpstream, context: RefreshContext, clock: ManualClock
    ) -> None:
        upstream.route("/slow-lane", 200)
        upstream.route("/fast-lane", 200)
        widget = monitor(
            [
                {"title": "Hourly", "url": upstream.url("/slow-lane"), "interval": "60s"},
                {"title": "Often", "url": upstream.url("/fast-lane")},
            ],
            interval="15s",
        )
        first = await refresh(widget, context, advance=False)

        await clock.advance(15)
        second = await refresh(widget, context, advance=False)
        await clock.advance(45)
        await refresh(widget, context, advance=False)

        assert widget.interval == 15
        assert second[0] is first[0]
        assert second[1].checked_at == START + 15
        assert requests_to(upstream, "/slow-lane") == 2
        assert requests_to(upstream, "/fast-lane") == 3

    async def test_shorter_site_interval_drives_widget(self) -> None:
        widget = monitor([{"title": "A", "url": "http://127.0.0.1:1/", "interval": "5s"}])

        assert widget.interval == 5

    async def test_checks_bounded(self, clock: ManualClock) -> None:
        checker = HangingChecker(hanging_ports=set(range(1, 241)))
        context = RefreshContext(clock, checker)  # type: ignore[arg-type]
        widget = monitor([{"title": f"s{port}", "url": f"tcp://127.0.0.1:{port}"} for port in range(1, 241)])

        round_ = asyncio.create_task(widget.refresh(context))
        await wait_until(lambda: checker.running == MAX_CONCURRENT_CHECKS)
        await asyncio.sleep(0.05)
        checker.release.set()
        results = await round_
        await context.aclose()

        assert checker.max_running == MAX_CONCURRENT_CHECKS
        assert len(results) == 240

    async def test_hanging_sites_hold_nothing_else(self, clock: ManualClock) -> None:
        # Every other site hangs, as in the benchmark: half of 100.
        checker = HangingChecker(hanging_ports=set(range(1, 101, 2)))
        context = RefreshContext(clock, checker)  # type: ignore[arg-type]
        widget = monitor([{"title": f"s{port}", "url": f"tcp://127.0.0.1:{port}"} for port in range(1, 101)])

        round_ = asyncio.create_task(widget.refresh(context))
        await wait_until(lambda: checker.finished == 50)
        still_hanging = checker.running
        checker.release.set()
        await round_
        await context.aclose()

        assert still_hanging == 50

    async def test_c09_cached_lookups_recover(self, upstream: HttpUpstream, dns_server: FakeDnsServer) -> None:
        upstream.route("/", 200)
        names = [f"s{number:02}.svc.example.invalid" for number in range(1, 26)]
        for name in names:
            dns_server.add(name, ipv4=["127.0.0.1"], ttl=60)
        resolver = Resolver([dns_server.address], hosts_path=None)
        context = RefreshContext(ManualClock(START), Checker("t", resolver))
        widget = monitor([{"title": name, "url": f"http://{name}:{upstream.port}/", "timeout": "300ms"} for name in names], retries=0)

        # The resolver answers 30 queries a cycle and drops the rest, like a rate-limited Pi-hole.
        dns_server.budget = 30
        await refresh(widget, context)
        await resolver.idle()
        dns_server.budget = 30
        results = await refresh(widget, context)
        await context.aclose()

        assert all(result.status is Status.UP for result in results)
        assert max(dns_server.queries.values()) <= 2


class HangingChecker:
    """A checker whose checks of some ports hang until released, and which counts concurrency."""

    def __init__(self, hanging_ports: set[int]) -> None:
        self.hanging_ports = hanging_ports
        self.release = asyncio.Event()
        self.running = 0
        self.max_running = 0
        self.finished = 0

    async def check(self, target: Target, now: float, max_response_time: float | None = None) -> CheckResult:
        assert isinstance(target, TcpTarget)
        self.running += 1
        self.max_running = max(self.max_running, self.running)
        try:
            if target.port in self.hanging_ports:
                await self.release.wait()
            else:
                await asyncio.sleep(0)
        finally:
            self.running -= 1
        self.finished += 1
        return CheckResult(Status.UP, now, response_time_ms=1, label="OK")

    async def aclose(self) -> None:
        pass


async def wait_until(condition: Any, attempts: int = 500) -> None:
    """Yield to the event loop (and real sockets) until a condition holds; fail after about 5 s."""

    for _ in range(attempts):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the condition did not hold in time")


MONITOR_PAGE = """
pages:
  - name: Home
    columns:
      - size: full
        widgets:
          - type: monitor
            title: Services
            timeout: 500ms
            sites:
{sites}
"""


def page_with(sites: str, **widget_keys: str) -> str:
    extra = "".join(f"            {key}: {value}\n" for key, value in widget_keys.items())
    indented = "\n".join("              " + line for line in sites.strip("\n").splitlines())
    return MONITOR_PAGE.format(sites=indented).replace("            sites:\n", extra + "            sites:\n")


class TestDashboard:
    async def test_streak_survives_reload(self, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
        config = page_with(f"- title: NAS\n  url: http://127.0.0.1:{closed_port()}/")
        async with running_dashboard(tmp_path, config) as (runtime, client):
            widget = monitor_of(runtime)
            await runtime.scheduler.refresh_once(widget)

            await runtime.apply(load_text(tmp_path, config))
            reloaded = monitor_of(runtime)
            # Driven by hand from here: the background tasks would refresh too when the clock moves.
            await runtime.scheduler.stop()
            await runtime.clock.advance(15)
            with caplog.at_level(logging.INFO, logger="luna.widgets.monitor"):
                await runtime.scheduler.refresh_once(reloaded)

        assert reloaded is not widget
        assert reloaded.state.data[0].failures == 3
        assert [record for record in caplog.records if record.name == "luna.widgets.monitor"] == []

    async def test_renders_states_and_reasons(self, tmp_path: Path, upstream: HttpUpstream) -> None:
        upstream.route("/", 401)
        upstream.route("/health", 200)
        sites = f"""
- title: gated
  url: {upstream.url("/")}
- title: api-only-health
  url: https://app.home.example.invalid/
  check-url: {upstream.url("/health")}
- title: dns
  url: "127.0.0.1:{upstream.port}"
- title: v6
  url: http://[::1]:{closed_port()}/
"""
        async with running_dashboard(tmp_path, page_with(sites)) as (runtime, client):
            widget = monitor_of(runtime)
            await runtime.scheduler.refresh_once(widget)
            html = (await client.get(f"/api/widgets/{widget.id}/content/")).text
            data = (await client.get(f"/api/widgets/{widget.id}/data")).json()

        assert ">Unauthorized</span>" in html
        assert 'title="HTTP 401 Unauthorized' in html
        assert 'href="https://app.home.example.invalid/"' in html
        assert "/health" not in html
        assert '<span class="monitor-site-title">dns</span>' in html
        assert "data-relative-time=" in html
        sites_data = data["data"]["sites"]
        assert 'href="http://[::1]:' in html
        assert [site["status"] for site in sites_data] == [1, 0, 0, 1]
        assert sites_data[0]["code"] == 401
        assert sites_data[2]["kind"] == "tcp"

    async def test_error_url_linked_while_down(self, tmp_path: Path) -> None:
        sites = f"""
- title: NAS
  url: http://127.0.0.1:{closed_port()}/
  error-url: http://status.example.invalid/nas
"""
        async with running_dashboard(tmp_path, page_with(sites, retries="0")) as (runtime, client):
            widget = monitor_of(runtime)
            await runtime.scheduler.refresh_once(widget)
            html = (await client.get(f"/api/widgets/{widget.id}/content/")).text

        assert 'href="http://status.example.invalid/nas"' in html

    async def test_failing_only_all_online(self, tmp_path: Path, upstream: HttpUpstream) -> None:
        upstream.route("/", 200)
        sites = f"- title: NAS\n  url: {upstream.url('/')}"
        async with running_dashboard(tmp_path, page_with(sites, **{"show-failing-only": "true"})) as (runtime, client):
            widget = monitor_of(runtime)
            await runtime.scheduler.refresh_once(widget)
            html = (await client.get(f"/api/widgets/{widget.id}/content/")).text

        assert "All sites are online" in html
        assert "NAS" not in html

    async def test_failing_only_lists_failures(self, tmp_path: Path, upstream: HttpUpstream) -> None:
        upstream.route("/", 200)
        sites = f"- title: NAS\n  url: {upstream.url('/')}\n- title: Printer\n  url: {upstream.url('/gone')}"
        async with running_dashboard(tmp_path, page_with(sites, **{"show-failing-only": "true"})) as (runtime, client):
            widget = monitor_of(runtime)
            await runtime.scheduler.refresh_once(widget)
            html = (await client.get(f"/api/widgets/{widget.id}/content/")).text

        assert "All sites are online" not in html
        assert "Printer" in html
        assert ">NAS<" not in html

    async def test_compact_style_rendered(self, tmp_path: Path, upstream: HttpUpstream) -> None:
        upstream.route("/", 200)
        sites = f"- title: NAS\n  url: {upstream.url('/')}"
        async with running_dashboard(tmp_path, page_with(sites, style="compact")) as (runtime, client):
            widget = monitor_of(runtime)
            await runtime.scheduler.refresh_once(widget)
            html = (await client.get(f"/api/widgets/{widget.id}/content/")).text

        assert "monitor-compact" in html
        assert " ms</span>" in html


def monitor_of(runtime: Any) -> MonitorWidget:
    widget = next(widget for widget in runtime.dashboard.all_widgets() if isinstance(widget, MonitorWidget))
    widget.retry_delay = 0
    return widget


class TestConfig:
    def test_c14_targets_load(self, tmp_path: Path) -> None:
        sites = """
- { title: tcp-up, url: "127.0.0.1:15355" }
- { title: tcp-down, url: "tcp://127.0.0.1:15356" }
- { title: dns, url: "dns://127.0.0.1:15353" }
- { title: v6-http, url: "http://[::1]:18015/" }
- { title: v6-tcp, url: "[::1]:15354" }
- { title: ping, url: "icmp://127.0.0.1" }
"""
        loaded = load_text(tmp_path, page_with(sites))

        widget_options = loaded.config.pages[0].columns[0].widgets[0]
        assert [site.endpoint.kind for site in widget_options.sites] == ["tcp", "tcp", "dns", "http", "tcp", "icmp"]

    @pytest.mark.parametrize(
        ("site", "message"),
        [
            ('{ title: typo, url: "htp://127.0.0.1:1" }', 'site "typo": unknown scheme "htp://"'),
            ('{ title: bad6, url: "::1:15354" }', 'site "bad6": "::1:15354" looks like an IPv6 address'),
            ('{ title: t, url: "tcp://h:1", allow-insecure: true }', "allow-insecure applies only to http"),
            ('{ title: t, url: "icmp://h", json: {path: a} }', 'site "t": json applies only to http'),
            ('{ title: t, url: "http://h/", expect: nxdomain }', "expect applies only to dns://"),
            ('{ title: t, url: "http://h/", method: HEAD, body-contains: ok }', "use method: GET"),
            ('{ title: t, url: "http://h/", method: POST }', "must be one of"),
            ('{ title: t, url: "http://h/", retries: -1 }', "must be at least 0"),
        ],
    )
    def test_invalid_site_names_site_and_line(self, tmp_path: Path, site: str, message: str) -> None:
        with pytest.raises(ConfigError) as raised:
            load_text(tmp_path, page_with("- " + site))

        text = str(raised.value)
        assert message in text
        assert "luna.yml:10:" in text
