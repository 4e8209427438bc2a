"""server-stats: this machine through psutil, a fake Glance agent on 127.0.0.1, and values held steady for display."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from luna import sysinfo
from luna.cli import main
from luna.config.errors import ConfigError
from luna.sysinfo import DiskReading, Reading
from luna.widgets.server_stats import Gauge, ServerStatsWidget, steady_gauge, steady_value
from tests.support.dashboards import write_config
from tests.support.html import Element, nesting_problems, parse_html
from tests.support.mounts import inject_mounts
from tests.support.servers import serve_in_thread
from tests.support.widgets import refreshed_by_test, refreshed_html, stage_widget

TOKEN = "s3cret-token"


def agent_reply(**changes: Any) -> dict[str, Any]:
    """A reply of the Glance agent's `GET /api/sysinfo/all`."""

    reply: dict[str, Any] = {
        "host_info_is_available": True,
        "boot_time": 1_699_000_000,
        "hostname": "nas",
        "platform": "debian",
        "cpu": {
            "load_is_available": True,
            "load1_percent": 42,
            "load15_percent": 18,
            "temperature_is_available": True,
            "temperature_c": 51,
        },
        "memory": {
            "memory_is_available": True,
            "total_mb": 16000,
            "used_mb": 4000,
            "used_percent": 25,
            "swap_is_available": True,
            "swap_total_mb": 2048,
            "swap_used_mb": 512,
            "swap_used_percent": 25,
        },
        "mountpoints": [
            {"path": "/", "name": "", "total_mb": 100000, "used_mb": 30000, "used_percent": 30},
            {"path": "/srv/media", "name": "", "total_mb": 4000000, "used_mb": 3600000, "used_percent": 90},
        ],
    }
    reply.update(changes)
    return reply


@dataclass
class FakeAgent:
    reply: Any = field(default_factory=agent_reply)
    delay: float = 0.0
    authorizations: list[str] = field(default_factory=list)

    def app(self) -> Starlette:
        async def sysinfo_all(request: Request) -> Response:
            authorization = request.headers.get("authorization", "")
            self.authorizations.append(authorization)
            if self.delay:
                await asyncio.sleep(self.delay)
            if authorization != f"Bearer {TOKEN}":
                return JSONResponse({"error": "unauthorized"}, status_code=401)
            return JSONResponse(self.reply)

        return Starlette(routes=[Route("/api/sysinfo/all", sysinfo_all)])


@contextmanager
def serve_agent(agent: FakeAgent) -> Iterator[str]:
    with serve_in_thread(agent.app()) as url:
        yield url


def remote(url: str, token: str = TOKEN, extra: str = "") -> str:
    return f"type: server-stats\nservers:\n  - type: remote\n    url: {url}\n    token: {token}\n{extra}"


def servers_of(html: str) -> list[Element]:
    return parse_html(html).select("section.server-stats-server")


def gauge_values(section: Element) -> dict[str, str]:
    return {
        gauge.select_one(".server-stats-gauge-label").text: gauge.select_one(".server-stats-gauge-value").text
        for gauge in section.select(".server-stats-gauge")
    }


def local_reading(**changes: Any) -> Reading:
    reading = Reading(
        hostname="box",
        platform="Debian",
        boot_time=1_699_000_000.0,
        load1_percent=42.0,
        load15_percent=18.0,
        temperature_c=55.4,
        memory_total_mb=8000.0,
        memory_used_mb=2000.0,
        swap_total_mb=1000.0,
        swap_used_mb=0.0,
        disks=(
            DiskReading("/", "/dev/sda1", "ext4", 100000.0, 40000.0, 40.0),
            DiskReading("/boot", "/dev/sda2", "vfat", 500.0, 100.0, 20.0),
            DiskReading("/srv", "/dev/sdb1", "xfs", 1000000.0, 800000.0, 80.0),
        ),
    )
    return replace(reading, **changes)


@pytest.fixture
def fake_local(monkeypatch: pytest.MonkeyPatch) -> list[Reading]:
    """Readings the local server returns, one per refresh; the last one repeats."""

    readings = [local_reading()]

    def read_local(cpu_temp_sensor: str | None = None, mountpoints: Collection[str] = ()) -> Reading:
        return readings.pop(0) if len(readings) > 1 else readings[0]

    monkeypatch.setattr(sysinfo, "read_local", read_local)
    return readings


# Options


def test_no_servers_means_this_machine(tmp_path: Path) -> None:
    widget = stage_widget(tmp_path, "type: server-stats").widget
    assert isinstance(widget, ServerStatsWidget)

    assert [server.type for server in widget.servers] == ["local"]
    assert widget.interval == 15.0


def test_remote_timeout_defaults_to_3s(tmp_path: Path) -> None:
    widget = stage_widget(tmp_path, remote("http://127.0.0.1:9")).widget
    assert isinstance(widget, ServerStatsWidget)

    assert widget.servers[0].timeout == 3.0


def test_remote_without_url_rejected(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="needs url"):
        stage_widget(tmp_path, "type: server-stats\nservers:\n  - type: remote\n")


def test_sensor_on_remote_rejected(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cpu-temp-sensor applies only to servers with type: local"):
        stage_widget(tmp_path, remote("http://127.0.0.1:9", extra="    cpu-temp-sensor: coretemp\n"))


def test_url_on_local_rejected(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="url applies only to servers with type: remote"):
        stage_widget(tmp_path, "type: server-stats\nservers:\n  - url: http://127.0.0.1:9\n")


LOCAL_WITH_REMOTE_KEYS = """
pages:
  - name: Home
    columns:
      - size: full
        widgets:
          - type: server-stats
            servers:
              - type: local
                url: http://nas.lan:27973
                token: abc
                timeout: 2s
              - type: remote
                url: http://nas.lan:27973
                cpu_temp_sensor: coretemp
                hide-swap: maybe
"""


def test_validate_lists_each_wrong_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    write_config(tmp_path, LOCAL_WITH_REMOTE_KEYS)

    code = main(["config", "validate"])

    lines = capsys.readouterr().out.splitlines()
    server = "pages[0].columns[0].widgets[0].servers"
    context = '(in page "Home", server-stats widget)'
    assert code == 1
    assert lines == [
        f"luna.yml:9:17: {server}[0].url: url applies only to servers with type: remote; "
        f"remove it or set type: remote {context}",
        f"luna.yml:10:17: {server}[0].token: token applies only to servers with type: remote; "
        f"remove it or set type: remote {context}",
        f"luna.yml:11:17: {server}[0].timeout: timeout applies only to servers with type: remote; "
        f"remove it or set type: remote {context}",
        f"luna.yml:14:17: {server}[1].cpu_temp_sensor: cpu-temp-sensor applies only to servers with type: local; "
        f"remove it or set type: local {context}",
        f'luna.yml:15:28: {server}[1].hide-swap: must be true or false, got the text "maybe" {context}',
    ]


def test_unknown_server_type_rejected(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="type"):
        stage_widget(tmp_path, "type: server-stats\nservers:\n  - type: cluster\n")


# Rounding that keeps the HTML still


@pytest.mark.parametrize(
    ("shown", "reading", "expected"),
    [(None, 42.0, 40), (40, 44.0, 40), (40, 36.0, 40), (40, 45.0, 45), (40, 34.9, 35), (None, 100.0, 100)],
)
def test_load_held_within_band(shown: int | None, reading: float, expected: int) -> None:
    assert steady_value(shown, reading, band=5.0, step=5) == expected


def test_missing_reading_gives_none() -> None:
    assert steady_value(40, None, band=5.0) is None


def test_gauge_held_within_band() -> None:
    shown = Gauge(25, 2000.0, 8000.0)

    assert steady_gauge(shown, 2100.0, 8000.0, band=2.0) is shown


def test_gauge_moves_past_band() -> None:
    shown = Gauge(25, 2000.0, 8000.0)

    assert steady_gauge(shown, 2200.0, 8000.0, band=2.0) == Gauge(28, 2200.0, 8000.0)


def test_gauge_prefers_source_percent() -> None:
    assert steady_gauge(None, 26000.0, 252000.0, band=1.0, percent=25.6) == Gauge(26, 26000.0, 252000.0)


def test_empty_total_gives_no_gauge() -> None:
    assert steady_gauge(None, 0.0, 0.0, band=2.0) is None


# This machine, through psutil


async def test_local_stats_have_expected_shape(tmp_path: Path) -> None:
    async with refreshed_by_test(tmp_path, "type: server-stats") as (runtime, client, widget):
        await refreshed_html(runtime, client, widget)
    (view,) = widget.state.data

    assert view.error is None
    assert view.hostname != ""
    assert view.memory is not None and view.memory.total_mb > 0
    assert 0 <= view.memory.percent <= 100
    assert view.load1 is not None and view.load1 % 5 == 0
    assert view.load15 is not None and 0 <= view.load15 <= 100
    assert view.boot_time is not None and view.boot_time < time.time()
    assert all(0 <= disk.gauge.percent <= 100 for disk in view.disks)


async def test_idle_machine_html_stable(tmp_path: Path) -> None:
    # NOTE: this reads the real machine. A jump of 5 load points or 2 memory
    # points in the milliseconds between the two reads would fail it.
    async with refreshed_by_test(tmp_path, "type: server-stats") as (runtime, client, widget):
        first = await refreshed_html(runtime, client, widget)
        second = await refreshed_html(runtime, client, widget)

    assert second == first


async def test_uptime_left_to_browser(tmp_path: Path, fake_local: list[Reading]) -> None:
    async with refreshed_by_test(tmp_path, "type: server-stats") as (runtime, client, widget):
        html = await refreshed_html(runtime, client, widget)

    uptime = servers_of(html)[0].select_one(".server-stats-uptime")
    assert uptime["data-relative-time"] == "1699000000"
    assert uptime["data-relative-prefix"] == "booted "


async def test_values_rounded_for_display(tmp_path: Path, fake_local: list[Reading]) -> None:
    async with refreshed_by_test(tmp_path, "type: server-stats") as (runtime, client, widget):
        html = await refreshed_html(runtime, client, widget)

    section = servers_of(html)[0]
    values = gauge_values(section)
    assert values["1 min"] == "40%"
    assert values["15 min"] == "20%"
    assert values["RAM"] == "25%"
    assert section.select_one(".server-stats-temperature").text == "55 °C"


async def test_small_changes_keep_html(tmp_path: Path, fake_local: list[Reading]) -> None:
    fake_local[:] = [
        local_reading(),
        local_reading(load1_percent=44.0, temperature_c=56.2, memory_used_mb=2100.0),
    ]
    async with refreshed_by_test(tmp_path, "type: server-stats") as (runtime, client, widget):
        first = await refreshed_html(runtime, client, widget)
        second = await refreshed_html(runtime, client, widget)

    assert second == first


async def test_real_change_updates_html(tmp_path: Path, fake_local: list[Reading]) -> None:
    fake_local[:] = [local_reading(), local_reading(load1_percent=71.0)]
    async with refreshed_by_test(tmp_path, "type: server-stats") as (runtime, client, widget):
        await refreshed_html(runtime, client, widget)
        html = await refreshed_html(runtime, client, widget)

    assert gauge_values(servers_of(html)[0])["1 min"] == "70%"


async def test_hot_cpu_flagged(tmp_path: Path, fake_local: list[Reading]) -> None:
    fake_local[:] = [local_reading(temperature_c=84.0)]
    async with refreshed_by_test(tmp_path, "type: server-stats") as (runtime, client, widget):
        html = await refreshed_html(runtime, client, widget)

    temperature = servers_of(html)[0].select_one(".server-stats-temperature")
    assert temperature.has_class("server-stats-temperature-hot")
    assert temperature.select("svg") != []


async def test_disks_fullest_first(tmp_path: Path, fake_local: list[Reading]) -> None:
    async with refreshed_by_test(tmp_path, "type: server-stats") as (runtime, client, widget):
        html = await refreshed_html(runtime, client, widget)

    disks = [disk["data-mountpoint"] for disk in servers_of(html)[0].select(".server-stats-disk")]
    assert disks == ["/srv", "/", "/boot"]


async def test_mountpoint_renamed_and_hidden(tmp_path: Path, fake_local: list[Reading]) -> None:
    text = "type: server-stats\nservers:\n  - mountpoints:\n      /srv:\n        name: Media\n      /boot:\n        hide: true\n"
    async with refreshed_by_test(tmp_path, text) as (runtime, client, widget):
        html = await refreshed_html(runtime, client, widget)

    labels = [label.text for label in servers_of(html)[0].select(".server-stats-disk .server-stats-gauge-label")]
    assert labels == ["Media", "/"]


async def test_mountpoints_hidden_by_default(tmp_path: Path, fake_local: list[Reading]) -> None:
    text = "type: server-stats\nservers:\n  - hide-mountpoints-by-default: true\n    mountpoints:\n      /:\n        name: System\n"
    async with refreshed_by_test(tmp_path, text) as (runtime, client, widget):
        html = await refreshed_html(runtime, client, widget)

    disks = [disk["data-mountpoint"] for disk in servers_of(html)[0].select(".server-stats-disk")]
    assert disks == ["/"]


async def test_swap_hidden_when_asked(tmp_path: Path, fake_local: list[Reading]) -> None:
    async with refreshed_by_test(tmp_path, "type: server-stats\nservers:\n  - hide-swap: true\n") as (runtime, client, widget):
        html = await refreshed_html(runtime, client, widget)

    assert "Swap" not in gauge_values(servers_of(html)[0])


async def test_swap_shown_by_default(tmp_path: Path, fake_local: list[Reading]) -> None:
    async with refreshed_by_test(tmp_path, "type: server-stats") as (runtime, client, widget):
        html = await refreshed_html(runtime, client, widget)

    assert gauge_values(servers_of(html)[0])["Swap"] == "0%"


async def test_missing_sensor_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sysinfo, "read_sensors", lambda: [])
    text = "type: server-stats\nservers:\n  - cpu-temp-sensor: coretemp_package_id_0\n"
    async with refreshed_by_test(tmp_path, text) as (runtime, client, widget):
        html = await refreshed_html(runtime, client, widget)

    problem = servers_of(html)[0].select_one(".server-stats-problem").text
    assert problem.startswith('temperature sensor "coretemp_package_id_0" not found')


MISSING_MOUNTPOINTS = """
type: server-stats
servers:
  - type: local
    mountpoints:
      /:
        name: System
      /nonexistent:
        name: Archive
      /dev/shm:
        name: Shared memory
      /gone:
        hide: true
"""


async def test_missing_mountpoints_named_under_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inject_mounts(monkeypatch)
    async with refreshed_by_test(tmp_path, MISSING_MOUNTPOINTS) as (runtime, client, widget):
        html = await refreshed_html(runtime, client, widget)

    problems = [problem.text for problem in servers_of(html)[0].select(".server-stats-problem")]
    assert problems == [
        "/nonexistent: not mounted",
        "/dev/shm: a tmpfs file system, which server-stats leaves out because it is virtual, not a disk",
    ]


async def test_missing_mountpoint_logged_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    inject_mounts(monkeypatch)
    async with refreshed_by_test(tmp_path, MISSING_MOUNTPOINTS) as (runtime, client, widget):
        for _ in range(3):
            await refreshed_html(runtime, client, widget)

    logged = [record for record in caplog.records if "/nonexistent: not mounted" in record.getMessage()]
    assert len(logged) == 1
    assert logged[0].levelname == "WARNING"
    assert logged[0].getMessage().startswith('server-stats "Server Stats", server ')


async def test_returning_problem_logged_again(
    tmp_path: Path, fake_local: list[Reading], caplog: pytest.LogCaptureFixture
) -> None:
    missing = ("/nonexistent: not mounted",)
    fake_local[:] = [local_reading(problems=missing), local_reading(), local_reading(problems=missing)]
    async with refreshed_by_test(tmp_path, "type: server-stats") as (runtime, client, widget):
        for _ in range(3):
            await refreshed_html(runtime, client, widget)

    assert caplog.text.count("/nonexistent: not mounted") == 2


async def test_server_name_beats_hostname(tmp_path: Path, fake_local: list[Reading]) -> None:
    async with refreshed_by_test(tmp_path, "type: server-stats\nservers:\n  - name: <Home> server\n") as (runtime, client, widget):
        html = await refreshed_html(runtime, client, widget)

    name = servers_of(html)[0].select_one(".server-stats-name")
    assert name.text == "<Home> server"
    assert "<Home>" not in html


# Remote servers through the Glance agent


async def test_remote_agent_read_with_token(tmp_path: Path) -> None:
    agent = FakeAgent()
    with serve_agent(agent) as url:
        async with refreshed_by_test(tmp_path, remote(url)) as (runtime, client, widget):
            html = await refreshed_html(runtime, client, widget)

    section = servers_of(html)[0]
    assert agent.authorizations == [f"Bearer {TOKEN}"]
    assert section.select_one(".server-stats-name").text == "nas"
    assert gauge_values(section) == {"1 min": "40%", "15 min": "20%", "RAM": "25%", "Swap": "25%", "/srv/media": "90%", "/": "30%"}
    assert section.select_one(".server-stats-temperature").text == "51 °C"


async def test_remote_unavailable_parts_left_out(tmp_path: Path) -> None:
    reply = agent_reply(cpu={"load_is_available": False, "temperature_is_available": False}, mountpoints=[])
    with serve_agent(FakeAgent(reply)) as url:
        async with refreshed_by_test(tmp_path, remote(url)) as (runtime, client, widget):
            html = await refreshed_html(runtime, client, widget)

    section = servers_of(html)[0]
    assert section.select(".server-stats-temperature") == []
    assert list(gauge_values(section)) == ["RAM", "Swap"]


async def test_wrong_token_explained(tmp_path: Path, fake_local: list[Reading]) -> None:
    with serve_agent(FakeAgent()) as url:
        text = f"type: server-stats\nservers:\n  - type: local\n  - type: remote\n    name: NAS\n    url: {url}\n    token: wrong\n"
        async with refreshed_by_test(tmp_path, text) as (runtime, client, widget):
            html = await refreshed_html(runtime, client, widget)

    local, nas = servers_of(html)
    assert local.select(".server-stats-error") == []
    assert nas.select_one(".server-stats-error").text == "NAS: the agent rejected the token (401); check the server's token"


async def test_agent_missing_mountpoint_named(tmp_path: Path) -> None:
    extra = "    mountpoints:\n      /srv/media:\n        name: Media\n      /data:\n        name: Data\n"
    with serve_agent(FakeAgent()) as url:
        async with refreshed_by_test(tmp_path, remote(url, extra=extra)) as (runtime, client, widget):
            html = await refreshed_html(runtime, client, widget)

    problems = [problem.text for problem in servers_of(html)[0].select(".server-stats-problem")]
    assert problems == ["/data: not among the agent's mountpoints"]


async def test_missing_token_named(tmp_path: Path, fake_local: list[Reading]) -> None:
    with serve_agent(FakeAgent()) as url:
        text = f"type: server-stats\nservers:\n  - type: remote\n    name: NAS\n    url: {url}\n"
        async with refreshed_by_test(tmp_path, text) as (runtime, client, widget):
            html = await refreshed_html(runtime, client, widget)

    reason = parse_html(html).select_one(".widget-error-reason").text
    assert reason == "NAS: the agent requires a token (401) and none is set; add the agent's token as token: under this server"


async def test_slow_agent_times_out(tmp_path: Path) -> None:
    with serve_agent(FakeAgent(delay=3.0)) as url:
        async with refreshed_by_test(tmp_path, remote(url, extra="    timeout: 200ms\n")) as (runtime, client, widget):
            html = await refreshed_html(runtime, client, widget)

    host = url.removeprefix("http://")
    assert parse_html(html).select_one(".widget-error-reason").text == f"{host}: the agent did not answer within 0.2 s"


async def test_failed_agent_keeps_last_reading(tmp_path: Path, fake_local: list[Reading]) -> None:
    agent = FakeAgent()
    with serve_agent(agent) as url:
        text = f"type: server-stats\nservers:\n  - type: local\n  - type: remote\n    url: {url}\n    token: {TOKEN}\n"
        async with refreshed_by_test(tmp_path, text) as (runtime, client, widget):
            await refreshed_html(runtime, client, widget)
            agent.reply = ["not", "an", "object"]
            html = await refreshed_html(runtime, client, widget)

    nas = servers_of(html)[1]
    assert nas.select_one(".server-stats-error").text.endswith("(showing the last reading)")
    assert gauge_values(nas)["RAM"] == "25%"


async def test_markup_well_nested(tmp_path: Path, fake_local: list[Reading]) -> None:
    with serve_agent(FakeAgent()) as url:
        text = f"type: server-stats\nservers:\n  - type: local\n  - type: remote\n    url: {url}\n    token: wrong\n"
        async with refreshed_by_test(tmp_path, text) as (runtime, client, widget):
            html = await refreshed_html(runtime, client, widget)

    assert nesting_problems(html) == []


def test_agent_reply_without_flags_read() -> None:
    reading = sysinfo.parse_agent_reply({"cpu": {"load1_percent": 12, "load15_percent": 4}, "memory": {"total_mb": 100, "used_mb": 50}})

    assert reading.load1_percent == 12.0
    assert reading.memory_used_mb == 50.0
    assert reading.temperature_c is None


def test_agent_reply_must_be_object() -> None:
    with pytest.raises(ValueError, match="not a JSON object"):
        sysinfo.parse_agent_reply([1, 2])
