from __future__ import annotations

from pathlib import Path

import httpx

from luna import __version__
from luna.checks.result import CheckResult, ErrorClass, Status
from luna.runtime import Runtime
from luna.web.rendering import render_with_ancestors
from luna.widgets.base import Widget, WidgetState
from tests.support.dashboards import running_dashboard

CHECKED_AT = 1_700_000_000.0
CONFIG = """
pages:
  - name: Home
    columns:
      - size: full
        widgets:
          - type: monitor
            title: Services
            sites:
              - title: Jellyfin
                url: https://jellyfin.lan/
              - title: NAS
                url: https://nas.lan/
              - url: https://wiki.lan/
          - type: group
            widgets:
              - type: clock
                title: Time
              - type: html
                source: <p>notes</p>
"""
RESULTS = (
    CheckResult(Status.UP, CHECKED_AT, code=200, response_time_ms=31, label="OK"),
    CheckResult(
        Status.DOWN,
        CHECKED_AT + 1,
        code=503,
        response_time_ms=12,
        error="HTTP 503 Service Unavailable",
        error_class=ErrorClass.HTTP,
        label="Service Unavailable",
    ),
    CheckResult(Status.DEGRADED, CHECKED_AT + 2, error="check could not run", label="Unknown"),
)


def monitor_of(runtime: Runtime) -> Widget:
    return runtime.dashboard.first_page.columns[0][1][0]


def group_of(runtime: Runtime) -> Widget:
    return runtime.dashboard.first_page.columns[0][1][1]


def give_state(runtime: Runtime, widget: Widget, state: WidgetState) -> None:
    widget.state = state
    render_with_ancestors(widget, runtime.renderer)


async def get_with_etag(client: httpx.AsyncClient, url: str, etag: str) -> httpx.Response:
    return await client.get(url, headers={"If-None-Match": etag})


async def test_widget_content_has_etag(tmp_path: Path) -> None:
    async with running_dashboard(tmp_path, CONFIG) as (runtime, client):
        widget = monitor_of(runtime)
        response = await client.get(f"/api/widgets/{widget.id}/content/")

    assert response.status_code == 200
    assert response.headers["etag"] == f'"{widget.rendered.version}"'  # type: ignore[union-attr]
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["content-type"].startswith("text/html")


async def test_widget_content_304_when_unchanged(tmp_path: Path) -> None:
    async with running_dashboard(tmp_path, CONFIG) as (runtime, client):
        url = f"/api/widgets/{monitor_of(runtime).id}/content/"
        first = await client.get(url)
        again = await get_with_etag(client, url, first.headers["etag"])

    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == first.headers["etag"]


async def test_widget_content_304_for_weak_and_listed_tags(tmp_path: Path) -> None:
    async with running_dashboard(tmp_path, CONFIG) as (runtime, client):
        url = f"/api/widgets/{monitor_of(runtime).id}/content/"
        etag = (await client.get(url)).headers["etag"]
        weak = await get_with_etag(client, url, f"W/{etag}")
        listed = await get_with_etag(client, url, f'"0000", {etag}')

    assert weak.status_code == 304
    assert listed.status_code == 304


async def test_widget_content_200_after_change(tmp_path: Path) -> None:
    async with running_dashboard(tmp_path, CONFIG) as (runtime, client):
        widget = monitor_of(runtime)
        url = f"/api/widgets/{widget.id}/content/"
        before = await client.get(url)
        give_state(runtime, widget, WidgetState().after_success(RESULTS, CHECKED_AT))
        after = await get_with_etag(client, url, before.headers["etag"])

    assert after.status_code == 200
    assert after.headers["etag"] != before.headers["etag"]
    assert "Jellyfin" in after.text


async def test_nested_widget_content_served(tmp_path: Path) -> None:
    async with running_dashboard(tmp_path, CONFIG) as (runtime, client):
        child = group_of(runtime).children[0]
        response = await client.get(f"/api/widgets/{child.id}/content/")

    assert response.status_code == 200
    assert f'data-widget-id="{child.id}"' in response.text


async def test_unknown_widget_content_json_404(tmp_path: Path) -> None:
    async with running_dashboard(tmp_path, CONFIG) as (runtime, client):
        response = await client.get("/api/widgets/ffffffffffff/content/")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert "error" in response.json()


async def test_page_content_has_etag(tmp_path: Path) -> None:
    async with running_dashboard(tmp_path, CONFIG) as (runtime, client):
        first = await client.get("/api/pages/home/content/")
        again = await get_with_etag(client, "/api/pages/home/content/", first.headers["etag"])

    assert first.status_code == 200
    assert first.headers["cache-control"] == "no-cache"
    assert 'class="page-columns"' in first.text
    assert "<html" not in first.text
    assert again.status_code == 304
    assert again.content == b""


async def test_page_content_etag_follows_widgets(tmp_path: Path) -> None:
    async with running_dashboard(tmp_path, CONFIG) as (runtime, client):
        before = await client.get("/api/pages/home/content/")
        give_state(runtime, monitor_of(runtime), WidgetState().after_success(RESULTS, CHECKED_AT))
        after = await get_with_etag(client, "/api/pages/home/content/", before.headers["etag"])

    assert after.status_code == 200
    assert after.headers["etag"] != before.headers["etag"]


async def test_unknown_page_content_json_404(tmp_path: Path) -> None:
    async with running_dashboard(tmp_path, CONFIG) as (runtime, client):
        response = await client.get("/api/pages/nowhere/content/")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"


async def test_monitor_data_lists_sites(tmp_path: Path) -> None:
    async with running_dashboard(tmp_path, CONFIG) as (runtime, client):
        widget = monitor_of(runtime)
        give_state(runtime, widget, WidgetState().after_success(RESULTS, CHECKED_AT))
        response = await client.get(f"/api/widgets/{widget.id}/data")

    sites = response.json()["data"]["sites"]
    assert response.status_code == 200
    assert [site["title"] for site in sites] == ["Jellyfin", "NAS", "wiki.lan"]
    assert [site["url"] for site in sites] == ["https://jellyfin.lan/", "https://nas.lan/", "https://wiki.lan/"]
    assert [site["status"] for site in sites] == [0, 1, 2]
    assert [site["code"] for site in sites] == [200, 503, None]
    assert [site["response_time_ms"] for site in sites] == [31, 12, None]
    assert [site["error"] for site in sites] == [None, "HTTP 503 Service Unavailable", "check could not run"]
    assert [site["checked_at"] for site in sites] == [CHECKED_AT, CHECKED_AT + 1, CHECKED_AT + 2]


async def test_widget_data_describes_widget(tmp_path: Path) -> None:
    async with running_dashboard(tmp_path, CONFIG) as (runtime, client):
        widget = monitor_of(runtime)
        give_state(runtime, widget, WidgetState().after_success(RESULTS, CHECKED_AT))
        body = (await client.get(f"/api/widgets/{widget.id}/data")).json()

    assert body["id"] == widget.id
    assert body["type"] == "monitor"
    assert body["title"] == "Services"
    assert body["page"] == "home"
    assert body["loaded"] is True
    assert body["stale"] is False
    assert body["error"] is None
    assert body["updated_at"] == "2023-11-14T22:13:20+00:00"
    assert body["version"] == widget.rendered.version  # type: ignore[union-attr]


async def test_widget_data_reports_stale_refresh(tmp_path: Path) -> None:
    async with running_dashboard(tmp_path, CONFIG) as (runtime, client):
        widget = monitor_of(runtime)
        good = WidgetState().after_success(RESULTS, CHECKED_AT)
        give_state(runtime, widget, good.after_failure("timed out after 10s", CHECKED_AT + 60))
        body = (await client.get(f"/api/widgets/{widget.id}/data")).json()

    assert body["stale"] is True
    assert body["error"] == "timed out after 10s"
    assert body["attempted_at"] == "2023-11-14T22:14:20+00:00"
    assert len(body["data"]["sites"]) == 3


async def test_monitor_data_before_first_check(tmp_path: Path) -> None:
    async with running_dashboard(tmp_path, CONFIG) as (runtime, client):
        body = (await client.get(f"/api/widgets/{monitor_of(runtime).id}/data")).json()

    assert body["loaded"] is False
    assert body["updated_at"] is None
    assert [site["status"] for site in body["data"]["sites"]] == [None, None, None]


async def test_static_widget_data_null(tmp_path: Path) -> None:
    async with running_dashboard(tmp_path, CONFIG) as (runtime, client):
        child = group_of(runtime).children[0]
        body = (await client.get(f"/api/widgets/{child.id}/data")).json()

    assert body["type"] == "clock"
    assert body["loaded"] is True
    assert body["data"] is None


async def test_unknown_widget_data_json_404(tmp_path: Path) -> None:
    async with running_dashboard(tmp_path, CONFIG) as (runtime, client):
        response = await client.get("/api/widgets/ffffffffffff/data")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"


async def test_healthz_reports_version(tmp_path: Path) -> None:
    async with running_dashboard(tmp_path, CONFIG) as (runtime, client):
        response = await client.get("/api/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": __version__}


async def test_healthz_answers_head(tmp_path: Path) -> None:
    async with running_dashboard(tmp_path, CONFIG) as (runtime, client):
        response = await client.head("/api/healthz")

    assert response.status_code == 200


async def test_unknown_api_path_json_404(tmp_path: Path) -> None:
    async with running_dashboard(tmp_path, CONFIG) as (runtime, client):
        response = await client.get("/api/no/such/thing")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"error": "Not found"}


async def test_unknown_api_post_json_404(tmp_path: Path) -> None:
    async with running_dashboard(tmp_path, CONFIG) as (runtime, client):
        response = await client.post("/api/no/such/thing")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
