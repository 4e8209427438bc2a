"""`monitor`: whether each listed site answers, how fast, and why not when it does not."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field

from luna.checks.http import HttpTarget, check_http
from luna.checks.result import CheckResult, Status
from luna.config.fields import Duration, Link, WebURL
from luna.config.models import ConfigModel
from luna.events.types import SITE_CHANGED, Event
from luna.widgets.base import Widget, WidgetOptions, WidgetState
from luna.widgets.icons import IconField
from luna.widgets.refresh import RefreshContext
from luna.widgets.registry import register

logger = logging.getLogger(__name__)

DEFAULT_INTERVAL = 15.0
DEFAULT_TIMEOUT = 5.0
# Sites of one widget checked at the same time.
MAX_CONCURRENT_CHECKS = 20


def _check_status_code(code: int) -> int:
    if not 100 <= code <= 599:
        raise ValueError(f"{code} is not an HTTP status code; use codes from 100 to 599")
    return code


# Checked one by one, so an error points at the code in the list.
StatusCode = Annotated[int, AfterValidator(_check_status_code)]


class BasicAuth(ConfigModel):
    username: str
    password: str


class SiteOptions(ConfigModel):
    key_hints: ClassVar[dict[str, str]] = {
        "alternative-status-codes": 'the key is called "alt-status-codes"',
        "status-codes": 'did you mean "alt-status-codes"?',
    }

    title: str | None = None
    # The Go luna accepts `name` where Glance has `title`.
    name: str | None = None
    url: WebURL
    check_url: WebURL | None = None
    error_url: Link | None = None
    icon: IconField | None = None
    timeout: Duration | None = Field(default=None, gt=0)
    allow_insecure: bool = False
    same_tab: bool = False
    target: str | None = None
    alt_status_codes: list[StatusCode] = Field(default_factory=list)
    basic_auth: BasicAuth | None = None
    headers: dict[str, str] = Field(default_factory=dict)


    @property
    def display_title(self) -> str:
        return self.title or self.name or urlsplit(self.url).hostname or self.url

    @property
    def link_target(self) -> str:
        return self.target if self.target is not None else ("" if self.same_tab else "_blank")


class MonitorOptions(WidgetOptions):
    sites: list[SiteOptions] = Field(default_factory=list)
    style: Literal["", "default", "compact"] = ""
    show_failing_only: bool = False
    interval: Duration | None = Field(default=None, gt=0)
    timeout: Duration = Field(default=DEFAULT_TIMEOUT, gt=0)


@dataclass(frozen=True)
class SiteView:
    """One site with its latest result, as the template and the data API see it."""

    options: SiteOptions
    result: CheckResult | None

    @property
    def title(self) -> str:
        return self.options.display_title

    @property
    def link(self) -> str:
        # Glance links `error-url` only when no HTTP answer came back at all.
        unreachable = self.result is not None and not self.result.is_up and self.result.code is None
        if unreachable and self.options.error_url:
            return self.options.error_url
        return self.options.url

    @property
    def state(self) -> str:
        """`up`, `down`, `degraded` or `pending`, for CSS classes."""

        if self.result is None:
            return "pending"
        return self.result.status.name.lower()

    def as_json(self) -> dict[str, Any]:
        result = self.result
        return {
            "title": self.title,
            "url": self.options.url,
            "status": int(result.status) if result else None,
            "code": result.code if result else None,
            "response_time_ms": result.response_time_ms if result else None,
            "timed_out": result.timed_out if result else False,
            "error": result.error if result else None,
            "error_class": str(result.error_class) if result and result.error_class else None,
            "final_url": result.final_url if result else None,
            "checked_at": result.checked_at if result else None,
        }


@register
class MonitorWidget(Widget):
    type = "monitor"
    options_model = MonitorOptions
    default_title = "Monitor"
    default_interval = DEFAULT_INTERVAL

    def initial_state(self) -> WidgetState:
        # The sites are known before any check: show them as "Checking…" at
        # once instead of a spinner. An empty tuple is not a baseline for events.
        return WidgetState(data=(), loaded=True)

    @property
    def monitor_options(self) -> MonitorOptions:
        return self.options  # type: ignore[return-value]

    @property
    def interval(self) -> float:
        # A Glance file sets how often a monitor checks through `cache`.
        options = self.monitor_options
        return options.interval or options.cache or DEFAULT_INTERVAL

    @property
    def refresh_timeout(self) -> float:
        return self._longest_timeout() + 5.0

    def _longest_timeout(self) -> float:
        options = self.monitor_options
        return max((site.timeout or options.timeout for site in options.sites), default=options.timeout)

    def target_for(self, site: SiteOptions) -> HttpTarget:
        auth = (site.basic_auth.username, site.basic_auth.password) if site.basic_auth else None
        return HttpTarget(
            url=site.check_url or site.url,
            timeout=site.timeout or self.monitor_options.timeout,
            allow_insecure=site.allow_insecure,
            alt_status_codes=frozenset(site.alt_status_codes),
            basic_auth=auth,
            headers=site.headers,
        )

    async def refresh(self, context: RefreshContext) -> tuple[CheckResult, ...]:
        limit = asyncio.Semaphore(MAX_CONCURRENT_CHECKS)

        async def check(site: SiteOptions) -> CheckResult:
            async with limit:
                return await check_http(self.target_for(site), context.monitor_clients, context.clock.now())

        results = tuple(await asyncio.gather(*(check(site) for site in self.monitor_options.sites)))
        self._log_changes(results)
        return results

    def _log_changes(self, results: tuple[CheckResult, ...]) -> None:
        previous = self.state.data or ()
        for index, (site, result) in enumerate(zip(self.monitor_options.sites, results, strict=True)):
            before = previous[index] if index < len(previous) else None
            if before is not None and before.status == result.status:
                continue
            if result.status is Status.UP:
                level = logging.INFO if before is not None else logging.DEBUG
                logger.log(level, 'monitor "%s": up (%s, %s ms)', site.display_title, result.code, result.response_time_ms)
            else:
                logger.warning('monitor "%s": %s (%s)', site.display_title, result.label.lower(), result.error)

    @staticmethod
    def site_key(result: CheckResult | None) -> tuple[object, ...] | None:
        """What counts as a change of a site's state: not its response time or the wording of an error."""

        if result is None:
            return None
        return (result.status, result.code, result.error_class, result.timed_out)

    def change_events(self, old: WidgetState, new: WidgetState) -> list[Event]:
        if not old.loaded or not new.loaded:
            return []

        before = old.data or ()
        events = []
        for index, view in enumerate(self.sites()):
            previous = before[index] if index < len(before) else None
            if previous is None or self.site_key(previous) == self.site_key(view.result):
                continue
            events.append(Event(SITE_CHANGED, self._site_event_data(view), key=("site", self.id, index)))
        return events

    def _site_event_data(self, view: SiteView) -> dict[str, Any]:
        result = view.result
        return {
            "widget_id": self.id,
            "title": view.title,
            "url": view.options.url,
            "status": int(result.status) if result else None,
            "code": result.code if result else None,
            "response_time_ms": result.response_time_ms if result else None,
            "timed_out": result.timed_out if result else False,
            "error": result.error if result else None,
        }

    def signature(self) -> str | None:
        keys = [self.site_key(view.result) for view in self.sites()]
        return hashlib.sha256(repr(keys).encode()).hexdigest()[:12]

    def sites(self) -> list[SiteView]:
        results = self.state.data or ()
        return [
            SiteView(site, results[index] if index < len(results) else None)
            for index, site in enumerate(self.monitor_options.sites)
        ]

    def template_context(self) -> dict[str, Any]:
        sites = self.sites()
        failing = [site for site in sites if site.result is not None and not site.result.is_up]
        shown = failing if self.monitor_options.show_failing_only else sites
        return {"sites": shown, "failing_count": len(failing), "compact": self.monitor_options.style == "compact"}

    def public_data(self) -> Any:
        return {"sites": [site.as_json() for site in self.sites()]}
