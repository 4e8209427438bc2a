"""`server-stats`: load, temperature, memory, swap and disks of this machine (psutil) or of machines running the Glance agent.

Readings move a little on every refresh, and every change of the HTML is
pushed to open browsers, so values are shown rounded and held steady:

- CPU load (1 and 15 minutes, % of the logical CPUs): multiples of 5 %,
  changed only when the reading is 5 points or more from the value shown;
- temperature: whole °C, changed only when the reading is 2 °C or more away;
- memory and swap: whole %, changed only when the reading is 2 points or
  more away. The "used of total" text comes from the same reading;
- disks: whole %, changed when the reading is 1 point or more away;
- uptime: the boot time goes into the HTML, and the browser writes "3d ago".
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import asdict, dataclass, replace
from typing import Any, Literal
from urllib.parse import urlsplit

import httpx
from pydantic import Field, ValidationInfo, field_validator, model_validator

from luna import sysinfo
from luna.config.errors import MisplacedKeyError
from luna.config.fields import Duration, WebURL
from luna.config.models import ConfigModel, kebab_case
from luna.sysinfo import DiskReading, Reading, format_megabytes
from luna.widgets.base import Widget, WidgetContext, WidgetError, WidgetOptions
from luna.widgets.refresh import RefreshContext
from luna.widgets.registry import register

logger = logging.getLogger(__name__)

DEFAULT_INTERVAL = 15.0
DEFAULT_REMOTE_TIMEOUT = 3.0
HOT_CELSIUS = 80
AGENT_PATH = "/api/sysinfo/all"

LOAD_STEP = 5
LOAD_BAND = 5.0
TEMPERATURE_BAND = 2.0
MEMORY_BAND = 2.0
DISK_BAND = 1.0

# The one server type that reads each of these keys.
KEY_SERVER_TYPES = {"cpu_temp_sensor": "local", "url": "remote", "token": "remote", "timeout": "remote"}


class MountpointOptions(ConfigModel):
    name: str = ""
    hide: bool = False


class ServerOptions(ConfigModel):
    type: Literal["local", "remote"] = "local"
    name: str = ""
    hide_swap: bool = False
    hide_mountpoints_by_default: bool = False
    mountpoints: dict[str, MountpointOptions] = Field(default_factory=dict)
    cpu_temp_sensor: str | None = None
    url: WebURL | None = None
    token: str | None = None
    timeout: Duration = Field(default=DEFAULT_REMOTE_TIMEOUT, gt=0)

    # A field validator rather than a model validator, so that each key of
    # the wrong type is reported on its own, along with the other problems.
    # `type` comes first in the model, so `info.data` has it when it is valid.
    @field_validator(*KEY_SERVER_TYPES, mode="before")
    @classmethod
    def _key_fits_type(cls, value: Any, info: ValidationInfo) -> Any:
        name = info.field_name or ""
        server_type, owner = info.data.get("type"), KEY_SERVER_TYPES[name]
        if server_type is not None and server_type != owner:
            key = kebab_case(name)
            raise MisplacedKeyError(f"{key} applies only to servers with type: {owner}; remove it or set type: {owner}")
        return value

    @model_validator(mode="after")
    def _remote_has_url(self) -> ServerOptions:
        if self.type == "remote" and self.url is None:
            raise ValueError("a remote server needs url: the address of its Glance agent, such as http://nas.lan:27973")
        return self

    @property
    def named_mountpoints(self) -> list[str]:
        """Return the mountpoints the configuration names to show; a path listed only to hide it may be missing."""

        return [path for path, settings in self.mountpoints.items() if not settings.hide]

    @property
    def label(self) -> str:
        """How logs and errors name this server before its hostname is known."""

        if self.name:
            return self.name
        return urlsplit(self.url).netloc if self.url else "this machine"


class ServerStatsOptions(WidgetOptions):
    servers: list[ServerOptions] = Field(default_factory=list)


@dataclass(frozen=True)
class Gauge:
    """A share of something used: the % shown and the used and total sizes (in MB) read with it."""

    percent: int
    used_mb: float
    total_mb: float


@dataclass(frozen=True)
class DiskView:
    path: str
    name: str
    gauge: Gauge


@dataclass(frozen=True)
class ServerView:
    """One server as shown. `error` is set when the last reading failed; the values are then the last good ones."""

    name: str
    hostname: str = ""
    platform: str = ""
    boot_time: int | None = None
    load1: int | None = None
    load15: int | None = None
    temperature: int | None = None
    memory: Gauge | None = None
    swap: Gauge | None = None
    disks: tuple[DiskView, ...] = ()
    problems: tuple[str, ...] = ()
    error: str | None = None
    loaded: bool = True

    @property
    def hot(self) -> bool:
        return self.temperature is not None and self.temperature >= HOT_CELSIUS


def steady_value(shown: int | None, reading: float | None, band: float, step: int = 1) -> int | None:
    """Keep the value shown while a reading stays within `band` of it; otherwise round the reading to `step`."""

    if reading is None:
        return None
    if shown is not None and abs(reading - shown) < band:
        return shown
    return int(step * round(reading / step))


def steady_gauge(
    shown: Gauge | None, used_mb: float | None, total_mb: float | None, band: float, percent: float | None = None
) -> Gauge | None:
    """Keep the gauge shown while the share used stays within `band` points of it.

    `percent` is the share as the source computed it. Disks give it as df
    does, against the space a user can use rather than the whole size.
    """

    if used_mb is None or total_mb is None or total_mb <= 0:
        return None
    if percent is None:
        percent = used_mb / total_mb * 100
    percent = min(max(percent, 0.0), 100.0)
    if shown is not None and abs(shown.total_mb - total_mb) < total_mb / 100 and abs(percent - shown.percent) < band:
        return shown
    return Gauge(round(percent), used_mb, total_mb)


@register
class ServerStatsWidget(Widget):
    type = "server-stats"
    options_model = ServerStatsOptions
    default_title = "Server Stats"
    default_interval = DEFAULT_INTERVAL

    def __init__(self, options: WidgetOptions, context: WidgetContext, children: list[Widget] | None = None) -> None:
        super().__init__(options, context, children)
        # The problems of the last refresh that were logged, by server name.
        self._logged_problems: frozenset[tuple[str, str]] = frozenset()

    @property
    def servers(self) -> list[ServerOptions]:
        options: ServerStatsOptions = self.options  # type: ignore[assignment]
        return options.servers or [ServerOptions()]

    @property
    def refresh_timeout(self) -> float:
        return max(server.timeout for server in self.servers) + 10.0

    async def refresh(self, context: RefreshContext) -> tuple[ServerView, ...]:
        previous = self._previous_views()
        results = await asyncio.gather(*(self._read(server, context) for server in self.servers))

        views = tuple(
            self._view(server, reading, error, before)
            for server, (reading, error), before in zip(self.servers, results, previous)
        )
        self._log_new_problems(views)
        if all(view.error is not None for view in views):
            raise WidgetError("; ".join(view.error or "" for view in views))
        return views

    def _log_new_problems(self, views: tuple[ServerView, ...]) -> None:
        """Log each problem shown under a server when it appears, not again on every refresh while it lasts."""

        current = frozenset((view.name, problem) for view in views for problem in view.problems)
        for name, problem in sorted(current - self._logged_problems):
            logger.warning("%s, server %s: %s", self.label, name, problem)
        self._logged_problems = current

    def _previous_views(self) -> list[ServerView | None]:
        data = self.state.data
        if isinstance(data, tuple) and len(data) == len(self.servers):
            return list(data)
        return [None] * len(self.servers)

    async def _read(self, server: ServerOptions, context: RefreshContext) -> tuple[Reading | None, str | None]:
        try:
            if server.type == "local":
                return await asyncio.to_thread(sysinfo.read_local, server.cpu_temp_sensor, server.named_mountpoints), None
            return with_agent_mountpoint_problems(server, await read_agent(server, context.http)), None
        except WidgetError as error:
            logger.debug("server-stats %s: %s", server.label, error.detail)
            return None, error.reason

    def _view(self, server: ServerOptions, reading: Reading | None, error: str | None, before: ServerView | None) -> ServerView:
        if reading is None:
            if before is not None and before.loaded:
                return replace(before, error=error)
            return ServerView(name=server.label, error=error, loaded=False)
        return build_view(server, reading, before)

    def template_context(self) -> dict[str, Any]:
        return {"servers": self.state.data or (), "format_megabytes": format_megabytes}

    def public_data(self) -> Any:
        return {"servers": [asdict(view) for view in self.state.data or ()]}


async def read_agent(server: ServerOptions, http: httpx.AsyncClient) -> Reading:
    """GET the agent's readings with the bearer token; raise WidgetError with the reason and what to do."""

    url = (server.url or "").rstrip("/") + AGENT_PATH
    headers = {"Authorization": f"Bearer {server.token}"} if server.token else {}
    try:
        response = await http.get(url, headers=headers, timeout=server.timeout)
    except httpx.TimeoutException:
        raise WidgetError(f"{server.label}: the agent did not answer within {server.timeout:g} s", url) from None
    except httpx.TransportError as error:
        raise WidgetError(f"{server.label}: could not reach the agent at {server.url}", f"{url}: {error!r}") from None

    if response.status_code in (401, 403):
        detail = f"{url} answered {response.status_code}: {response.text[:300]}"
        raise WidgetError(_token_reason(server, response.status_code), detail)
    if response.status_code != 200:
        raise WidgetError(
            f"{server.label}: the agent returned status {response.status_code} for {AGENT_PATH}",
            f"{url} answered {response.status_code}: {response.text[:300]}",
        )

    try:
        return sysinfo.parse_agent_reply(response.json())
    except ValueError as error:
        raise WidgetError(
            f"{server.label}: the agent's reply is not the Glance agent's JSON; is url right?",
            f"{url}: {error}: {response.text[:300]}",
        ) from None


def _token_reason(server: ServerOptions, status: int) -> str:
    """Explain a 401 or 403 from the agent: a token is missing from the configuration, or the one sent is wrong."""

    if not server.token:
        return (
            f"{server.label}: the agent requires a token ({status}) and none is set; "
            "add the agent's token as token: under this server"
        )
    return f"{server.label}: the agent rejected the token ({status}); check the server's token"


def with_agent_mountpoint_problems(server: ServerOptions, reading: Reading) -> Reading:
    """Add a problem for each mountpoint the configuration names that the agent does not report."""

    reported = {disk.path for disk in reading.disks}
    missing = [f"{path}: not among the agent's mountpoints" for path in server.named_mountpoints if path not in reported]
    return replace(reading, problems=reading.problems + tuple(missing)) if missing else reading


def build_view(server: ServerOptions, reading: Reading, before: ServerView | None) -> ServerView:
    """Round a reading for display, keeping values of `before` that moved less than their band."""

    kept = before if before is not None and before.loaded else None
    shown_disks = {disk.path: disk.gauge for disk in kept.disks} if kept else {}
    return ServerView(
        name=server.name or reading.hostname or server.label,
        hostname=reading.hostname,
        platform=reading.platform,
        boot_time=int(reading.boot_time) if reading.boot_time else None,
        load1=steady_value(kept.load1 if kept else None, reading.load1_percent, LOAD_BAND, LOAD_STEP),
        load15=steady_value(kept.load15 if kept else None, reading.load15_percent, LOAD_BAND, LOAD_STEP),
        temperature=steady_value(kept.temperature if kept else None, reading.temperature_c, TEMPERATURE_BAND),
        memory=steady_gauge(kept.memory if kept else None, reading.memory_used_mb, reading.memory_total_mb, MEMORY_BAND),
        swap=_swap_gauge(server, reading, kept),
        disks=shown_disk_views(server, reading.disks, shown_disks),
        problems=reading.problems,
    )


def _swap_gauge(server: ServerOptions, reading: Reading, kept: ServerView | None) -> Gauge | None:
    if server.hide_swap:
        return None
    return steady_gauge(kept.swap if kept else None, reading.swap_used_mb, reading.swap_total_mb, MEMORY_BAND)


def shown_disk_views(server: ServerOptions, disks: tuple[DiskReading, ...], shown: dict[str, Gauge]) -> tuple[DiskView, ...]:
    """Name, filter and sort the disks to show by `mountpoints`, fullest first."""

    views = []
    for disk in disks:
        settings = server.mountpoints.get(disk.path)
        hidden = settings.hide if settings is not None else server.hide_mountpoints_by_default
        gauge = steady_gauge(shown.get(disk.path), disk.used_mb, disk.total_mb, DISK_BAND, disk.percent)
        if hidden or gauge is None:
            continue
        views.append(DiskView(disk.path, (settings.name if settings else "") or disk.path, gauge))
    return tuple(sorted(views, key=lambda view: (-view.gauge.percent, view.path)))
