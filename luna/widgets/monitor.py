"""`monitor`: whether each listed site answers, how fast, and why not when it does not."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field, ValidationInfo, field_validator, model_validator

from luna.checks.checker import Target
from luna.checks.conditions import MISSING, BodyConditions
from luna.checks.dns import DnsTarget
from luna.checks.http import HttpTarget
from luna.checks.icmp import IcmpTarget
from luna.checks.result import CheckResult, Status
from luna.checks.targets import DnsEndpoint, Endpoint, HttpEndpoint, IcmpEndpoint, InvalidTarget, parse_target
from luna.checks.tcp import TcpTarget
from luna.config.fields import Duration, Link, parse_link
from luna.config.models import ConfigModel
from luna.events.types import SITE_CHANGED, Event
from luna.widgets.base import Widget, WidgetContext, WidgetOptions, WidgetState
from luna.widgets.icons import IconField
from luna.widgets.refresh import RefreshContext
from luna.widgets.registry import register

logger = logging.getLogger(__name__)

DEFAULT_INTERVAL = 15.0
DEFAULT_TIMEOUT = 5.0
DEFAULT_RETRIES = 1
DEFAULT_CERT_EXPIRY_WARNING = 14 * 86400.0
# Seconds between a failed check and its retry: long enough for a dropped packet
# or a restarting proxy to pass, short enough to confirm within one interval.
RETRY_DELAY = 2.0
# Checks of one widget in flight at once. A check that hangs keeps its slot only
# until its timeout, so with this many slots fifty hanging sites still leave room
# for the rest; the bound keeps a 1,000-site widget within file-descriptor limits.
MAX_CONCURRENT_CHECKS = 100
# A site is due when its interval has passed, give or take this many seconds, so
# a round that starts a moment early does not skip it for a whole interval.
DUE_SLACK = 0.5
# Keys that mean something only for HTTP(S) targets.
HTTP_ONLY_KEYS = (
    "allow_insecure",
    "alt_status_codes",
    "basic_auth",
    "headers",
    "method",
    "body_contains",
    "json_condition",
    "follow_redirects",
    "cert_expiry_warning",
)



def _check_status_code(code: int) -> int:
    if not 100 <= code <= 599:
        raise ValueError(f"{code} is not an HTTP status code; use codes from 100 to 599")
    return code


# Checked one by one, so an error points at the code in the list.
StatusCode = Annotated[int, AfterValidator(_check_status_code)]

class BasicAuth(ConfigModel):
    username: str
    password: str


class JsonCondition(ConfigModel):
    """A GJSON path into the response and, optionally, the value expected there."""

    path: str = Field(min_length=1)
    value: Any = None

    @property
    def expected(self) -> Any:
        # `value: null` expects a JSON null; without `value` the path only has to exist.
        return self.value if "value" in self.model_fields_set else MISSING


class SiteOptions(ConfigModel):
    key_hints: ClassVar[dict[str, str]] = {
        "alternative-status-codes": 'the key is called "alt-status-codes"',
        "status-codes": 'did you mean "alt-status-codes"?',
        "retry": 'the key is called "retries"',
    }

    title: str | None = None
    # The Go luna accepts `name` where Glance has `title`.
    name: str | None = None
    # Declared before `url`, so the validator of `url` can see whether `check-url` is set.
    check_url: str | None = None
    url: str
    error_url: Link | None = None
    icon: IconField | None = None
    same_tab: bool = False
    target: str | None = None
    timeout: Duration | None = Field(default=None, gt=0)
    interval: Duration | None = Field(default=None, gt=0)
    retries: int | None = Field(default=None, ge=0, le=10)
    max_response_time: Duration | None = Field(default=None, gt=0)
    allow_insecure: bool = False
    alt_status_codes: list[StatusCode] = Field(default_factory=list)
    basic_auth: BasicAuth | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    method: Literal["GET", "HEAD"] = "GET"
    follow_redirects: bool = True
    cert_expiry_warning: Duration = Field(default=DEFAULT_CERT_EXPIRY_WARNING, ge=0)
    body_contains: str | None = Field(default=None, min_length=1)
    json_condition: JsonCondition | None = Field(default=None, alias="json")
    expect: list[str] | None = None

    @field_validator("method", mode="before")
    @classmethod
    def _method_upper_case(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @field_validator("expect", mode="before")
    @classmethod
    def _expect_as_list(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("check_url")
    @classmethod
    def _check_url_is_target(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None:
            _parse_for_site(value, info)
        return value

    @field_validator("url")
    @classmethod
    def _url_is_target(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("check_url") is not None:
            # With `check-url` the `url` is only a link.
            return parse_link(value)
        _parse_for_site(value, info)
        return value.strip()

    @model_validator(mode="after")
    def _keys_fit_target(self) -> SiteOptions:
        endpoint = self.endpoint
        if not isinstance(endpoint, HttpEndpoint):
            misplaced = [name for name in HTTP_ONLY_KEYS if name in self.model_fields_set]
            if misplaced:
                key = SiteOptions.model_fields[misplaced[0]].alias or misplaced[0]
                raise ValueError(f'site "{self.display_title}": {key} applies only to http:// and https:// targets')
        if self.expect is not None and not isinstance(endpoint, DnsEndpoint):
            raise ValueError(f'site "{self.display_title}": expect applies only to dns:// targets')
        if self.method == "HEAD" and (self.body_contains or self.json_condition):
            raise ValueError(f'site "{self.display_title}": body-contains and json need a body; use method: GET')
        return self

    @property
    def endpoint(self) -> Endpoint:
        return parse_target(self.check_url or self.url)

    @property
    def display_title(self) -> str:
        return self.title or self.name or urlsplit(self.url).hostname or self.url

    @property
    def link_target(self) -> str:
        return self.target if self.target is not None else ("" if self.same_tab else "_blank")


def _parse_for_site(value: str, info: ValidationInfo) -> Endpoint:
    try:
        return parse_target(value)
    except InvalidTarget as error:
        title = info.data.get("title") or info.data.get("name")
        site = f'site "{title}": ' if title else ""
        raise ValueError(f"{site}{error}") from None


class MonitorOptions(WidgetOptions):
    sites: list[SiteOptions] = Field(default_factory=list)
    style: Literal["", "default", "compact"] = ""
    show_failing_only: bool = False
    interval: Duration | None = Field(default=None, gt=0)
    timeout: Duration = Field(default=DEFAULT_TIMEOUT, gt=0)
    retries: int = Field(default=DEFAULT_RETRIES, ge=0, le=10)


@dataclass(frozen=True)
class SitePlan:
    """The check settings of one site, computed once from its options and the widget's."""

    target: Target
    interval: float
    retries: int
    max_response_time: float | None


def site_plan(site: SiteOptions, options: MonitorOptions, widget_interval: float) -> SitePlan:
    timeout = site.timeout or options.timeout
    retries = site.retries if site.retries is not None else options.retries
    return SitePlan(build_target(site, timeout), site.interval or widget_interval, retries, site.max_response_time)


def build_target(site: SiteOptions, timeout: float) -> Target:
    endpoint = site.endpoint
    if isinstance(endpoint, HttpEndpoint):
        return _http_target(site, endpoint.url, timeout)
    if isinstance(endpoint, DnsEndpoint):
        expect = tuple(value.strip() for value in site.expect or ())
        return DnsTarget(endpoint.host, endpoint.port, endpoint.name, endpoint.record_type, timeout, expect)
    if isinstance(endpoint, IcmpEndpoint):
        return IcmpTarget(endpoint.host, timeout)
    return TcpTarget(endpoint.host, endpoint.port, timeout)


def _http_target(site: SiteOptions, url: str, timeout: float) -> HttpTarget:
    condition = site.json_condition
    conditions = BodyConditions(
        body_contains=site.body_contains,
        json_path=condition.path if condition else None,
        json_value=condition.expected if condition else MISSING,
    )
    return HttpTarget(
        url=url,
        timeout=timeout,
        allow_insecure=site.allow_insecure,
        alt_status_codes=frozenset(site.alt_status_codes),
        basic_auth=(site.basic_auth.username, site.basic_auth.password) if site.basic_auth else None,
        headers=site.headers,
        method=site.method,
        follow_redirects=site.follow_redirects,
        cert_expiry_warning=site.cert_expiry_warning,
        conditions=conditions,
    )


@dataclass(frozen=True)
class SiteView:
    """One site with its latest result, as the template and the data API see it."""

    options: SiteOptions
    result: CheckResult | None

    @property
    def title(self) -> str:
        return self.options.display_title

    @property
    def link(self) -> str | None:
        """Where the title links: `error-url` while down, else `url` when it is a web address."""

        if self.result is not None and self.result.status is Status.DOWN and self.options.error_url:
            return self.options.error_url
        scheme = urlsplit(self.options.url).scheme.lower()
        return self.options.url if scheme in ("http", "https") or self.options.url.startswith("/") else None

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
            "kind": self.options.endpoint.kind,
            "status": int(result.status) if result else None,
            "label": result.label if result else None,
            "code": result.code if result else None,
            "response_time_ms": result.response_time_ms if result else None,
            "timed_out": result.timed_out if result else False,
            "error": result.error if result else None,
            "error_class": str(result.error_class) if result and result.error_class else None,
            "final_url": result.final_url if result else None,
            "checked_at": result.checked_at if result else None,
            "cert_expires_at": result.cert_expires_at if result else None,
            "failures": result.failures if result else 0,
        }


@register
class MonitorWidget(Widget):
    type = "monitor"
    options_model = MonitorOptions
    default_title = "Monitor"
    default_interval = DEFAULT_INTERVAL
    # The sites are known before any check, so they show as "Checking…" at once.
    draws_before_first_refresh = True

    def __init__(self, options: WidgetOptions, context: WidgetContext, children: list[Widget] | None = None) -> None:
        super().__init__(options, context, children)
        # Seconds between a failed check and its retry; tests set it to 0.
        self.retry_delay = RETRY_DELAY
        widget_interval = self.monitor_options.interval or self.monitor_options.cache or DEFAULT_INTERVAL
        self.plans = [site_plan(site, self.monitor_options, widget_interval) for site in self.monitor_options.sites]

    @property
    def monitor_options(self) -> MonitorOptions:
        return self.options  # type: ignore[return-value]

    @property
    def interval(self) -> float:
        # A Glance file sets how often a monitor checks through `cache`; a site
        # with a shorter `interval` makes the widget refresh that often.
        options = self.monitor_options
        widget_interval = options.interval or options.cache or DEFAULT_INTERVAL
        return min([widget_interval, *(plan.interval for plan in self.plans)])

    @property
    def refresh_timeout(self) -> float:
        """Return the maximum time a round takes: every attempt of the slowest site timing out, plus retry delays.

        Beyond `MAX_CONCURRENT_CHECKS` sites the checks run in waves, and in the
        worst case every wave waits for a site that hangs.
        """

        longest = max(
            (plan.target.timeout * (plan.retries + 1) + self.retry_delay * plan.retries for plan in self.plans),
            default=0.0,
        )
        waves = max(-(-len(self.plans) // MAX_CONCURRENT_CHECKS), 1)
        return longest * waves + 5.0

    @staticmethod
    def site_key(result: CheckResult | None) -> tuple[Any, ...] | None:
        """What must differ between two results of one site for it to count as a change of state."""

        return result.change_key if result is not None else None

    @classmethod
    def changed_sites(cls, old: Sequence[CheckResult] | None, new: Sequence[CheckResult]) -> list[int]:
        """Indexes of the sites whose state changed; the first results after start or reload are a baseline."""

        if not old or len(old) != len(new):
            return []
        return [index for index, (before, after) in enumerate(zip(old, new)) if cls.site_key(before) != cls.site_key(after)]

    async def refresh(self, context: RefreshContext) -> tuple[CheckResult, ...]:
        previous = self._previous_results()
        limit = asyncio.Semaphore(MAX_CONCURRENT_CHECKS)
        now = context.clock.now()

        rounds = [
            self._check_site(plan, before, context, limit) if is_due(plan, before, now) else _kept(before)
            for plan, before in zip(self.plans, previous)
        ]
        results = tuple(await asyncio.gather(*rounds))

        self._log_changes(previous, results)
        return results

    def _previous_results(self) -> list[CheckResult | None]:
        data = self.state.data
        if isinstance(data, tuple) and len(data) == len(self.plans):
            return list(data)
        return [None] * len(self.plans)

    async def _check_site(
        self, plan: SitePlan, before: CheckResult | None, context: RefreshContext, limit: asyncio.Semaphore
    ) -> CheckResult:
        """Check once; a result worse than before is checked again up to `retries` times before it is shown."""

        attempts = 0
        while True:
            async with limit:
                result = await context.checker.check(plan.target, context.clock.now(), plan.max_response_time)
            attempts += 1
            if attempts > plan.retries or not is_worse(result, before):
                break
            logger.debug("monitor site %s: %s; retrying in %gs", _describe_target(plan), result.error, self.retry_delay)
            await context.clock.sleep(self.retry_delay)

        return with_streak(result, before, attempts)

    def _log_changes(self, previous: list[CheckResult | None], results: tuple[CheckResult, ...]) -> None:
        for site, before, after in zip(self.monitor_options.sites, previous, results):
            title = site.display_title
            if before is None:
                logger.debug('monitor "%s": first check %s', title, describe_result(after))
            elif self.site_key(before) != self.site_key(after):
                logger.info('monitor "%s": %s', title, describe_change(before, after))

    def change_events(self, old: WidgetState, new: WidgetState) -> list[Event]:
        views = self.sites()
        return [
            Event(SITE_CHANGED, self._site_event_data(views[index]), key=("site", self.id, index))
            for index in self.changed_sites(old.data, new.data or ())
        ]

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
        results = self._previous_results()
        return [SiteView(site, result) for site, result in zip(self.monitor_options.sites, results)]

    def template_context(self) -> dict[str, Any]:
        sites = self.sites()
        failing = [site for site in sites if site.result is not None and not site.result.is_up]
        shown = failing if self.monitor_options.show_failing_only else sites
        return {"sites": shown, "failing_count": len(failing), "compact": self.monitor_options.style == "compact"}

    def public_data(self) -> Any:
        return {"sites": [site.as_json() for site in self.sites()]}


def is_due(plan: SitePlan, before: CheckResult | None, now: float) -> bool:
    return before is None or now >= before.checked_at + plan.interval - DUE_SLACK


def is_worse(result: CheckResult, before: CheckResult | None) -> bool:
    """Return True when a result shows the site worse off than before; no earlier result counts as up."""

    baseline = before.status if before is not None else Status.UP
    return result.status.severity > baseline.severity


def with_streak(result: CheckResult, before: CheckResult | None, attempts: int) -> CheckResult:
    """Count failed checks in a row, across rounds and reloads, on the result."""

    if result.is_up:
        return result
    carried = before.failures if before is not None and before.failed else 0
    return result.with_failures(carried + attempts)


async def _kept(result: CheckResult | None) -> CheckResult:
    if result is None:
        raise RuntimeError("a site that was never checked is always due")
    return result


def describe_result(result: CheckResult) -> str:
    if result.is_up:
        return f"up ({_timing(result)})"
    return f"{result.status.name.lower()} ({result.error})"


def describe_change(before: CheckResult, after: CheckResult) -> str:
    """One log line's worth: "down after 2 failed checks (connection refused)" or "up again (200, 35 ms)"."""

    if after.is_up:
        again = " again" if before.failed else ""
        return f"up{again} ({_timing(after)})"
    if after.status is Status.DEGRADED:
        return f"degraded ({after.error})"
    if before.status is Status.DOWN:
        return f"still down, now {after.error}"
    checks = f" after {after.failures} failed checks" if after.failures > 1 else ""
    return f"down{checks} ({after.error})"


def _timing(result: CheckResult) -> str:
    parts = [str(result.code)] if result.code is not None else []
    if result.response_time_ms is not None:
        parts.append(f"{result.response_time_ms} ms")
    return ", ".join(parts) or "reachable"


def _describe_target(plan: SitePlan) -> str:
    target = plan.target
    if isinstance(target, HttpTarget):
        return target.url
    if isinstance(target, DnsTarget):
        return f"dns://{target.server}:{target.port}/{target.name or ''}"
    if isinstance(target, IcmpTarget):
        return f"icmp://{target.host}"
    return f"tcp://{target.host}:{target.port}"
