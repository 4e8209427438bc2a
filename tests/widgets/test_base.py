"""The frame every widget shares: header options, escaping, and the loading, error and stale states."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from luna.checks.result import CheckResult, Status
from luna.widgets import registry
from luna.widgets.base import Widget, WidgetError, WidgetState
from luna.widgets.docker_containers import Container
from luna.widgets.docker_status import parse_status
from luna.widgets.custom_api import CustomApiOutput
from luna.widgets.extension import ExtensionContent
from luna.widgets.refresh import RefreshContext
from luna.widgets.server_stats import Gauge, ServerView
from tests.support.dashboards import running_dashboard
from tests.support.html import Element, nesting_problems, parse_html
from tests.support.widgets import MINIMAL_WIDGETS, page_with_widget, stage_widget

NOW = 1_700_000_000.0
ALL_TYPES = registry.type_names()
# Types that draw a header unless `hide-header: true`.
HEADED_TYPES = [
    "bookmarks",
    "calendar",
    "clock",
    "custom-api",
    "docker-containers",
    "extension",
    "iframe",
    "monitor",
    "search",
    "server-stats",
    "to-do",
]
# Types whose header is off unless `hide-header: false`.
HEADLESS_TYPES = ["html", "split-column"]


def minimal(widget_type: str, extra: str = "") -> str:
    if widget_type not in MINIMAL_WIDGETS:
        pytest.fail(f"add a minimal configuration for {widget_type!r} to MINIMAL_WIDGETS in tests/support/widgets.py")
    return MINIMAL_WIDGETS[widget_type].strip("\n") + "\n" + extra


def with_options(widget_type: str, options: str) -> str:
    """The minimal widget with more keys, indented to match however the sample is written."""

    sample = MINIMAL_WIDGETS[widget_type].strip("\n")
    indent = sample[: len(sample) - len(sample.lstrip())]
    extra = "".join(indent + line + "\n" for line in options.strip("\n").splitlines())
    return minimal(widget_type, extra)


def good_data(widget: Widget) -> Any:
    """Data a successful refresh of this widget would store."""

    if widget.is_static:
        return None
    if widget.type == "monitor":
        return (CheckResult(Status.UP, NOW, code=200, response_time_ms=12, label="OK"),)
    if widget.type == "docker-containers":
        return (Container("abc123", "web", "nginx:1.27", parse_status("running", "Up 3 minutes")),)
    if widget.type == "server-stats":
        return (ServerView(name="nas", load1=5, load15=10, memory=Gauge(40, 3200.0, 8000.0)),)
    if widget.type == "custom-api":
        return CustomApiOutput("<p>NAS is up</p>", baseline=True)
    if widget.type == "extension":
        return ExtensionContent("<p>from the extension</p>", is_html=False)
    pytest.fail(f"add sample data for the refreshing type {widget.type!r} to good_data()")


def good_state(widget: Widget) -> WidgetState:
    return WidgetState().after_success(good_data(widget), NOW)


def own_header(element: Element) -> Element | None:
    """The header of this widget itself, not of a widget nested inside it."""

    headers = [child for child in element.children if isinstance(child, Element) and child.has_class("widget-header")]
    return headers[0] if headers else None


def own_content(element: Element) -> Element:
    return next(c for c in element.children if isinstance(c, Element) and c.has_class("widget-content"))


def test_every_type_has_minimal_sample() -> None:
    assert sorted(MINIMAL_WIDGETS) == ALL_TYPES


@pytest.mark.parametrize("widget_type", ALL_TYPES)
def test_frame_names_type_and_id(tmp_path: Path, widget_type: str) -> None:
    staged = stage_widget(tmp_path, minimal(widget_type))

    element = staged.element

    assert element.has_class("widget")
    assert element.has_class(f"widget-type-{widget_type}")
    assert element["data-widget-id"] == staged.widget.id


@pytest.mark.parametrize("widget_type", HEADED_TYPES)
def test_header_shows_default_title(tmp_path: Path, widget_type: str) -> None:
    staged = stage_widget(tmp_path, minimal(widget_type))

    header = own_header(staged.element)

    assert header is not None
    assert header.select_one("h2.widget-title").text == staged.widget.default_title


@pytest.mark.parametrize("widget_type", HEADED_TYPES)
def test_title_replaces_default(tmp_path: Path, widget_type: str) -> None:
    staged = stage_widget(tmp_path, with_options(widget_type, "title: Office links"))

    header = own_header(staged.element)

    assert header is not None
    assert header.select_one(".widget-title").text == "Office links"


@pytest.mark.parametrize("widget_type", HEADED_TYPES)
def test_hide_header_removes_header(tmp_path: Path, widget_type: str) -> None:
    staged = stage_widget(tmp_path, with_options(widget_type, "hide-header: true"))

    assert own_header(staged.element) is None


@pytest.mark.parametrize("widget_type", HEADLESS_TYPES)
def test_headless_type_has_no_header(tmp_path: Path, widget_type: str) -> None:
    staged = stage_widget(tmp_path, with_options(widget_type, "title: Notes"))

    assert own_header(staged.element) is None


@pytest.mark.parametrize("widget_type", HEADLESS_TYPES)
def test_hide_header_false_shows_title(tmp_path: Path, widget_type: str) -> None:
    staged = stage_widget(tmp_path, with_options(widget_type, "title: Notes\nhide-header: false"))

    header = own_header(staged.element)

    assert header is not None
    assert header.select_one(".widget-title").text == "Notes"


def test_group_never_draws_own_header(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, with_options("group", "title: Tabs\nhide-header: false"))

    assert own_header(staged.element) is None


@pytest.mark.parametrize("widget_type", HEADED_TYPES)
def test_title_url_links_title(tmp_path: Path, widget_type: str) -> None:
    options = "title: Router\ntitle-url: https://router.example.invalid/admin"
    staged = stage_widget(tmp_path, with_options(widget_type, options))

    link = own_header(staged.element).select_one("a.widget-title")  # type: ignore[union-attr]

    assert link["href"] == "https://router.example.invalid/admin"
    assert link["target"] == "_blank"
    assert link["rel"] == "noreferrer"
    assert link.text == "Router"


def test_title_url_assets_path_gets_base_url(tmp_path: Path) -> None:
    top = "server:\n  base-url: /luna\n"
    staged = stage_widget(tmp_path, "type: clock\ntitle-url: /assets/clock-help.html", top=top)

    link = staged.element.select_one("a.widget-title")

    assert link["href"] == "/luna/assets/clock-help.html"


def test_title_url_other_local_path_kept(tmp_path: Path) -> None:
    top = "server:\n  base-url: /luna\n"
    staged = stage_widget(tmp_path, "type: clock\ntitle-url: /grafana/", top=top)

    link = staged.element.select_one("a.widget-title")

    assert link["href"] == "/grafana/"


@pytest.mark.parametrize("widget_type", ALL_TYPES)
def test_css_class_added_to_frame(tmp_path: Path, widget_type: str) -> None:
    staged = stage_widget(tmp_path, with_options(widget_type, "css-class: kitchen-wall"))

    element = staged.element

    assert element.has_class("kitchen-wall")
    assert element.has_class(f"widget-type-{widget_type}")


def test_css_class_cannot_add_attributes(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, """type: clock\ncss-class: 'wide" onclick="alert(1)'""")

    element = staged.element

    assert not element.has("onclick")
    assert 'onclick="alert(1)' in element["class"]


@pytest.mark.parametrize("widget_type", ALL_TYPES)
def test_title_escaped(tmp_path: Path, widget_type: str) -> None:
    options = "title: <script>alert(1)</script>\nhide-header: false"
    staged = stage_widget(tmp_path, with_options(widget_type, options))

    document = parse_html(staged.html)

    assert document.select("script") == []
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in staged.html


@pytest.mark.parametrize("widget_type", ALL_TYPES)
def test_pending_widget_shows_placeholder(tmp_path: Path, widget_type: str) -> None:
    staged = stage_widget(tmp_path, minimal(widget_type))

    element = staged.show(WidgetState())

    assert element.has_class("widget-is-pending")
    assert element["data-widget-pending"] == f"/api/widgets/{staged.widget.id}/content/"
    assert own_content(element).select(".widget-error") == []
    if staged.widget.draws_before_first_refresh:
        # Such a widget draws its own waiting state (a monitor lists its sites as "Checking…").
        assert own_content(element).select(".widget-placeholder") == []
    else:
        assert own_content(element).select_one(".widget-placeholder")["role"] == "status"


@pytest.mark.parametrize("widget_type", ALL_TYPES)
def test_first_load_failure_shows_reason(tmp_path: Path, widget_type: str) -> None:
    staged = stage_widget(tmp_path, minimal(widget_type))

    element = staged.show(WidgetState().after_failure("connection refused", NOW))

    error = own_content(element).select_one(".widget-error")
    assert error.select_one(".widget-error-reason").text == "connection refused"
    assert error["title"] == "connection refused"
    assert own_content(element).select(".widget-placeholder") == []
    assert not element.has("data-widget-pending")
    assert not element.has_class("widget-is-stale")


@pytest.mark.parametrize("widget_type", ALL_TYPES)
def test_failed_refresh_keeps_data_marked_stale(tmp_path: Path, widget_type: str) -> None:
    staged = stage_widget(tmp_path, with_options(widget_type, "title: Wall\nhide-header: false"))
    good = good_state(staged.widget)
    fresh_body = own_content(staged.show(good)).raw_text

    element = staged.show(good.after_failure("timed out after 5s", NOW + 60))

    assert element.has_class("widget-is-stale")
    assert own_content(element).raw_text == fresh_body
    assert own_content(element).select(".widget-error") == []


@pytest.mark.parametrize("widget_type", HEADED_TYPES + HEADLESS_TYPES)
def test_stale_marker_gives_reason(tmp_path: Path, widget_type: str) -> None:
    staged = stage_widget(tmp_path, with_options(widget_type, "title: Wall\nhide-header: false"))
    good = good_state(staged.widget)

    element = staged.show(good.after_failure("timed out after 5s", NOW + 60))

    marker = own_header(element).select_one(".widget-stale-marker")  # type: ignore[union-attr]
    assert "timed out after 5s" in marker["title"]
    assert "timed out after 5s" in marker["aria-label"]


def test_fresh_widget_has_no_stale_marker(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, minimal("monitor"))

    element = staged.show(good_state(staged.widget))

    assert not element.has_class("widget-is-stale")
    assert element.select(".widget-stale-marker") == []


def test_error_reason_escaped(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, minimal("monitor"))

    element = staged.show(WidgetState().after_failure("<img src=x onerror=alert(1)>", NOW))

    assert element.select("img") == []
    assert element.select_one(".widget-error-reason").text == "<img src=x onerror=alert(1)>"


class ScriptedRefresh:
    """Stands in for a widget's `refresh`: each call raises or returns the next scripted outcome."""

    def __init__(self, *outcomes: Callable[[], Any]) -> None:
        self.outcomes = list(outcomes)

    async def __call__(self, context: RefreshContext) -> Any:
        return self.outcomes.pop(0)()


def fail(reason: str) -> Callable[[], Any]:
    def raise_error() -> Any:
        raise WidgetError(reason, f"{reason} (full upstream reply)")

    return raise_error


async def test_served_widget_goes_through_states(tmp_path: Path) -> None:
    data = (CheckResult(Status.UP, NOW, code=200, response_time_ms=12, label="OK"),)
    async with running_dashboard(tmp_path, page_with_widget(MINIMAL_WIDGETS["monitor"])) as (runtime, client):
        widget = runtime.dashboard.first_page.columns[0][1][0]
        url = f"/api/widgets/{widget.id}/content/"
        widget.refresh = ScriptedRefresh(fail("upstream answered 503"), lambda: data, fail("timed out after 5s"))  # type: ignore[method-assign]
        assert runtime.scheduler is not None

        pending = parse_html((await client.get(url)).text)
        await runtime.scheduler.refresh_once(widget)
        failed = parse_html((await client.get(url)).text)
        await runtime.scheduler.refresh_once(widget)
        loaded = parse_html((await client.get(url)).text)
        await runtime.scheduler.refresh_once(widget)
        stale = parse_html((await client.get(url)).text)

    assert pending.select_one(".monitor-site-label").text == "Checking…"
    assert failed.select_one(".widget-error-reason").text == "upstream answered 503"
    assert loaded.select(".widget-error") == []
    assert loaded.select_one(".monitor-site-label").text == "OK"
    assert stale.select_one(".widget").has_class("widget-is-stale")
    assert stale.select_one(".monitor-site-label").text == "OK"
    assert "timed out after 5s" in stale.select_one(".widget-stale-marker")["title"]


STATES = {
    "pending": lambda widget: WidgetState(),
    "failed": lambda widget: WidgetState().after_failure("connection refused", NOW),
    "loaded": good_state,
    "stale": lambda widget: good_state(widget).after_failure("timed out after 5s", NOW + 60),
}


@pytest.mark.parametrize("state_name", STATES)
@pytest.mark.parametrize("widget_type", ALL_TYPES)
def test_markup_well_nested(tmp_path: Path, widget_type: str, state_name: str) -> None:
    staged = stage_widget(tmp_path, with_options(widget_type, "title-url: /assets/help.html\nhide-header: false"))

    staged.show(STATES[state_name](staged.widget))

    assert nesting_problems(staged.html) == []
