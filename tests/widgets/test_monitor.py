"""How the monitor widget renders its sites; the checks themselves are tested in tests/checks/."""

from __future__ import annotations

from pathlib import Path

import pytest

from luna.checks.result import CheckResult, ErrorClass, Status
from luna.config.errors import ConfigError
from luna.widgets.base import WidgetState
from tests.support.dashboards import running_dashboard
from tests.support.html import Element, nesting_problems, parse_html
from tests.support.servers import serve_in_thread, status_app, unused_url
from tests.support.widgets import StagedWidget, page_with_widget, stage_widget

CHECKED_AT = 1_700_000_000.0
SITES = """
type: monitor
sites:
  - title: Jellyfin
    url: https://jellyfin.lan/
    icon: si:jellyfin
  - title: NAS
    url: https://nas.lan/
    error-url: https://status.lan/nas
    icon: /assets/nas.png
  - url: https://wiki.lan:8443/start
"""
BASE_URL = "server:\n  base-url: /luna\n"


def up(milliseconds: int = 42) -> CheckResult:
    return CheckResult(Status.UP, CHECKED_AT, code=200, response_time_ms=milliseconds, label="OK")


def not_found() -> CheckResult:
    return CheckResult(
        Status.DOWN,
        CHECKED_AT,
        code=404,
        response_time_ms=8,
        error="HTTP 404 Not Found",
        error_class=ErrorClass.HTTP,
        label="Not Found",
    )


def connection_refused() -> CheckResult:
    return CheckResult(
        Status.DOWN, CHECKED_AT, error="connection refused", error_class=ErrorClass.CONNECT, label="Down"
    )


def timed_out() -> CheckResult:
    return CheckResult(
        Status.DOWN,
        CHECKED_AT,
        error="timed out after 5s waiting for the response",
        error_class=ErrorClass.TIMEOUT,
        timed_out=True,
        label="Timed out",
    )


def show(staged: StagedWidget, *results: CheckResult) -> Element:
    return staged.show(WidgetState().after_success(tuple(results), CHECKED_AT))


def sites_of(element: Element) -> list[Element]:
    return element.select("li.monitor-site")


def test_pending_before_first_check(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, SITES)

    element = staged.element

    assert element.select(".widget-placeholder") == []
    assert len(element.select(".monitor-site-pending")) == 3
    assert [label.text for label in element.select(".monitor-site-label")] == ["Checking…"] * 3


def test_sites_listed_in_order(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, SITES)

    element = show(staged, up(), up(), up())

    titles = [site.select_one("a.monitor-site-title").text for site in sites_of(element)]
    assert titles == ["Jellyfin", "NAS", "wiki.lan"]


def test_name_accepted_as_title(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, "type: monitor\nsites:\n  - name: Router\n    url: http://192.168.1.1/")

    element = show(staged, up())

    assert element.select_one("a.monitor-site-title").text == "Router"


def test_up_site_shows_label_and_time(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, SITES)

    site = sites_of(show(staged, up(42), up(), up()))[0]

    assert site.has_class("monitor-site-up")
    assert site["data-site-status"] == "0"
    assert site.select_one(".monitor-site-label").text == "OK"
    assert site.select_one(".monitor-site-label")["title"] == "HTTP 200"
    assert site.select_one(".monitor-site-time").text == "42 ms"
    assert site.select_one(".monitor-site-checked")["data-relative-time"] == str(int(CHECKED_AT))


def test_http_error_site_shows_status_text(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, SITES)

    site = sites_of(show(staged, not_found(), up(), up()))[0]

    assert site.has_class("monitor-site-down")
    assert site["data-site-status"] == "1"
    assert site.select_one(".monitor-site-label").text == "Not Found"
    assert site.select_one(".monitor-site-label")["title"] == "HTTP 404 Not Found"
    assert site.select_one(".monitor-site-status")["title"] == "Not Found: HTTP 404 Not Found"


def test_unreachable_site_shows_reason(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, SITES)

    site = sites_of(show(staged, up(), connection_refused(), up()))[1]

    assert site.has_class("monitor-site-down")
    assert site.select_one(".monitor-site-label").text == "Down"
    assert site.select_one(".monitor-site-label")["title"] == "connection refused"
    assert site.select(".monitor-site-time") == []


def test_timed_out_site_labelled(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, SITES)

    site = sites_of(show(staged, timed_out(), up(), up()))[0]

    assert site.select_one(".monitor-site-label").text == "Timed out"
    assert "timed out after 5s" in site.select_one(".monitor-site-status")["title"]


def test_degraded_site_marked(tmp_path: Path) -> None:
    degraded = CheckResult(Status.DEGRADED, CHECKED_AT, error="check could not run", label="Unknown")
    staged = stage_widget(tmp_path, SITES)

    site = sites_of(show(staged, degraded, up(), up()))[0]

    assert site.has_class("monitor-site-degraded")
    assert site["data-site-status"] == "2"


def test_error_url_used_while_unreachable(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, SITES)

    site = sites_of(show(staged, up(), connection_refused(), up()))[1]

    assert site.select_one("a.monitor-site-title")["href"] == "https://status.lan/nas"


def test_error_url_used_on_http_error(tmp_path: Path) -> None:
    # Any failing state links the error page, not only an unreachable host.
    staged = stage_widget(tmp_path, SITES)

    site = sites_of(show(staged, up(), not_found(), up()))[1]

    assert site.select_one("a.monitor-site-title")["href"] == "https://status.lan/nas"


def test_error_url_unused_while_up(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, SITES)

    site = sites_of(show(staged, up(), up(), up()))[1]

    assert site.select_one("a.monitor-site-title")["href"] == "https://nas.lan/"


def test_error_url_assets_path_gets_base_url(tmp_path: Path) -> None:
    text = "type: monitor\nsites:\n  - title: NAS\n    url: https://nas.lan/\n    error-url: /assets/nas-down.html"
    staged = stage_widget(tmp_path, text, top=BASE_URL)

    site = sites_of(show(staged, connection_refused()))[0]

    assert site.select_one("a.monitor-site-title")["href"] == "/luna/assets/nas-down.html"


def test_links_open_new_tab_by_default(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, SITES)

    link = sites_of(show(staged, up(), up(), up()))[0].select_one("a.monitor-site-title")

    assert link["target"] == "_blank"
    assert link["rel"] == "noreferrer"


def test_same_tab_site_link(tmp_path: Path) -> None:
    text = "type: monitor\nsites:\n  - title: NAS\n    url: https://nas.lan/\n    same-tab: true"
    staged = stage_widget(tmp_path, text)

    link = show(staged, up()).select_one("a.monitor-site-title")

    assert not link.has("target")


def test_site_target_beats_same_tab(tmp_path: Path) -> None:
    text = "type: monitor\nsites:\n  - title: NAS\n    url: https://nas.lan/\n    same-tab: true\n    target: ops"
    staged = stage_widget(tmp_path, text)

    link = show(staged, up()).select_one("a.monitor-site-title")

    assert link["target"] == "ops"


def test_icons_rendered(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, SITES, top=BASE_URL)

    sites = sites_of(show(staged, up(), up(), up()))

    jellyfin = sites[0].select_one("img.monitor-site-icon")
    nas = sites[1].select_one("img.monitor-site-icon")
    assert jellyfin["src"] == "https://cdn.jsdelivr.net/npm/simple-icons@latest/icons/jellyfin.svg"
    assert jellyfin.has_class("flat-icon")
    assert nas["src"] == "/luna/assets/nas.png"
    assert not nas.has_class("flat-icon")
    assert sites[2].select("img") == []


def test_status_icons_differ_by_state(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, SITES)

    sites = sites_of(show(staged, up(), connection_refused(), up()))

    up_icon = sites[0].select_one(".monitor-site-status svg path")["d"]
    down_icon = sites[1].select_one(".monitor-site-status svg path")["d"]
    assert up_icon != down_icon
    assert up_icon == sites[2].select_one(".monitor-site-status svg path")["d"]


def test_site_title_escaped(tmp_path: Path) -> None:
    text = "type: monitor\nsites:\n  - title: <script>alert(1)</script>\n    url: https://nas.lan/"
    staged = stage_widget(tmp_path, text)

    element = show(staged, up())

    assert element.select("script") == []
    assert element.select_one("a.monitor-site-title").text == "<script>alert(1)</script>"


def test_compact_style_drops_icons_and_details(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, SITES + "style: compact\n")

    element = show(staged, up(42), connection_refused(), up(7))

    assert element.select_one("ul.monitor-sites").has_class("monitor-compact")
    assert element.select("img") == []
    assert element.select(".monitor-site-details") == []
    assert len(sites_of(element)) == 3


def test_compact_style_times_only_up_sites(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, SITES + "style: compact\n")

    sites = sites_of(show(staged, up(42), connection_refused(), up(7)))

    assert sites[0].select_one(".monitor-site-time").text == "42 ms"
    assert sites[1].select(".monitor-site-time") == []
    assert sites[1].select_one(".monitor-site-status")["title"] == "Down: connection refused"


def test_default_style_not_compact(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, SITES + "style: default\n")

    element = show(staged, up(), up(), up())

    assert not element.select_one("ul.monitor-sites").has_class("monitor-compact")
    assert len(element.select(".monitor-site-details")) == 3


def test_unknown_style_rejected(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="style"):
        stage_widget(tmp_path, SITES + "style: dense\n")


def test_failing_only_all_up_message(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, SITES + "show-failing-only: true\n")

    element = show(staged, up(), up(), up())

    assert element.select_one(".monitor-all-up").text == "All sites are online"
    assert sites_of(element) == []


def test_failing_only_lists_failing_sites(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, SITES + "show-failing-only: true\n")

    element = show(staged, up(), connection_refused(), not_found())

    titles = [site.select_one("a.monitor-site-title").text for site in sites_of(element)]
    assert titles == ["NAS", "wiki.lan"]
    assert element.select(".monitor-all-up") == []


def test_all_up_message_only_when_asked(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, SITES)

    element = show(staged, up(), up(), up())

    assert element.select(".monitor-all-up") == []
    assert len(sites_of(element)) == 3


def test_no_sites_renders_empty_list(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, "type: monitor")

    element = staged.show(WidgetState().after_success((), CHECKED_AT))

    assert sites_of(element) == []
    assert element.select(".widget-error") == []


async def test_refresh_against_real_servers(tmp_path: Path) -> None:
    with serve_in_thread(status_app()) as upstream:
        # No retries: the dashboard's manual clock would never end the retry delay.
        text = f"""
            type: monitor
            retries: 0
            sites:
              - title: Healthy
                url: {upstream}/status/200
              - title: Missing
                url: {upstream}/status/404
              - title: Offline
                url: {unused_url()}
                error-url: https://status.lan/offline
            """
        async with running_dashboard(tmp_path, page_with_widget(text)) as (runtime, client):
            widget = runtime.dashboard.first_page.columns[0][1][0]
            assert runtime.scheduler is not None
            await runtime.scheduler.refresh_once(widget)
            response = await client.get(f"/api/widgets/{widget.id}/content/")

    sites = parse_html(response.text).select("li.monitor-site")
    labels = [site.select_one(".monitor-site-label").text for site in sites]
    assert labels == ["OK", "Not Found", "Down"]
    assert [site["data-site-status"] for site in sites] == ["0", "1", "1"]
    assert sites[2].select_one("a.monitor-site-title")["href"] == "https://status.lan/offline"
    assert sites[2].select_one(".monitor-site-label")["title"] == "connection refused"
    assert sites[0].select_one(".monitor-site-time").text.endswith(" ms")


@pytest.mark.parametrize("options", ["", "style: compact\n", "show-failing-only: true\n"])
@pytest.mark.parametrize("all_up", [True, False])
def test_markup_well_nested(tmp_path: Path, options: str, all_up: bool) -> None:
    staged = stage_widget(tmp_path, SITES + options)
    results = (up(), up(), up()) if all_up else (up(), connection_refused(), timed_out())

    show(staged, *results)

    assert nesting_problems(staged.html) == []


def test_redirected_site_names_final_url(tmp_path: Path) -> None:
    redirected = CheckResult(
        Status.UP, CHECKED_AT, code=200, response_time_ms=5, final_url="https://jellyfin.lan/web/", label="OK"
    )
    staged = stage_widget(tmp_path, SITES)

    site = sites_of(show(staged, redirected, up(), up()))[0]

    assert site.select_one(".monitor-site-label")["title"] == "HTTP 200, redirected to https://jellyfin.lan/web/"
