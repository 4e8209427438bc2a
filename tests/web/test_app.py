from __future__ import annotations

import re
from pathlib import Path

from tests.support.dashboards import running_dashboard

CONFIG = """
pages:
  - name: Home
    columns:
      - size: small
        widgets:
          - type: clock
            timezones:
              - timezone: Europe/Berlin
      - size: full
        widgets:
          - type: bookmarks
            groups:
              - title: Tools
                links:
                  - title: Router
                    url: http://192.168.1.1/
  - name: Second page
    columns:
      - size: full
        widgets:
          - type: html
            source: <p id="second">second</p>
"""


async def test_first_page_served_at_root(tmp_path: Path) -> None:
    async with running_dashboard(tmp_path, CONFIG) as (runtime, client):
        response = await client.get("/")

    assert response.status_code == 200
    assert 'class="widget widget-type-clock' in response.text
    assert 'class="widget widget-type-bookmarks' in response.text


async def test_page_served_by_slug(tmp_path: Path) -> None:
    async with running_dashboard(tmp_path, CONFIG) as (runtime, client):
        response = await client.get("/second-page")

    assert response.status_code == 200
    assert '<p id="second">second</p>' in response.text


async def test_unknown_page_is_404_page(tmp_path: Path) -> None:
    async with running_dashboard(tmp_path, CONFIG) as (runtime, client):
        response = await client.get("/no-such-page")

    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]
    assert "does not exist" in response.text


async def test_widget_content_etag(tmp_path: Path) -> None:
    async with running_dashboard(tmp_path, CONFIG) as (runtime, client):
        widget_id = runtime.dashboard.pages[0].columns[0][1][0].id
        first = await client.get(f"/api/widgets/{widget_id}/content/")
        again = await client.get(f"/api/widgets/{widget_id}/content/", headers={"If-None-Match": first.headers["etag"]})

    assert first.status_code == 200
    assert first.text.startswith(f'<div class="widget widget-type-clock" data-widget-id="{widget_id}"')
    assert again.status_code == 304


async def test_widget_ids_stable_across_loads(tmp_path: Path) -> None:
    async with running_dashboard(tmp_path, CONFIG) as (runtime, client):
        first = re.findall(r'data-widget-id="([^"]+)"', (await client.get("/")).text)
    async with running_dashboard(tmp_path, CONFIG) as (runtime, client):
        second = re.findall(r'data-widget-id="([^"]+)"', (await client.get("/")).text)

    assert first
    assert first == second


async def test_healthz(tmp_path: Path) -> None:
    async with running_dashboard(tmp_path, CONFIG) as (runtime, client):
        response = await client.get("/api/healthz")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"
