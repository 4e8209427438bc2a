"""Serving luna under `server.base-url`, behind proxies that strip the prefix and proxies that do not."""

from __future__ import annotations

import re
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
import pytest

from luna.checks.result import CheckResult, Status
from luna.clock import ManualClock
from luna.runtime import Runtime
from luna.web.app import create_app
from luna.web.rendering import render_with_ancestors
from luna.widgets.base import WidgetState
from tests.support.dashboards import load_text, running_dashboard
from tests.support.html import Element, emitted_urls, parse_html
from tests.support.servers import prefix_proxy_app, serve_in_thread, unused_url

BASE = "/luna"
ASSET_FILES = ["logo.png", "favicon.svg", "app.png", "custom.css", "clock.html", "nas.png", "down.html", "frame.html"]
# JavaScript module imports and CSS url() references, which the browser resolves against the file's own URL.
JS_IMPORT = re.compile(r"""\bfrom\s+["'](\.{1,2}/[^"']+)["']""")
CSS_URL = re.compile(r"""url\(\s*["']?([^"')]+)["']?\s*\)""")


def dashboard_config(tmp_path: Path) -> str:
    """A dashboard that uses every feature which puts a local URL into the page."""

    assets = tmp_path / "assets"
    assets.mkdir(exist_ok=True)
    for name in ASSET_FILES:
        (assets / name).write_bytes(b"asset " + name.encode())

    return f"""
server:
  base-url: {BASE}/
  assets-path: {assets}
branding:
  logo-url: /assets/logo.png
  favicon-url: /assets/favicon.svg
  app-icon-url: /assets/app.png
theme:
  custom-css-file: /assets/custom.css
  presets:
    paper:
      light: true
pages:
  - name: Home
    head-widgets:
      - type: search
    columns:
      - size: small
        widgets:
          - type: clock
            title-url: /assets/clock.html
      - size: full
        widgets:
          - type: bookmarks
            groups:
              - links:
                  - title: Manual
                    url: /assets/down.html
                    icon: /assets/nas.png
                  - title: Code
                    url: https://git.example.invalid/
                    icon: si:gitea
          - type: monitor
            title-url: /assets/clock.html
            sites:
              - title: NAS
                url: {unused_url()}
                icon: /assets/nas.png
                error-url: /assets/down.html
          - type: group
            widgets:
              - type: iframe
                source: /assets/frame.html
                title-url: /assets/clock.html
              - type: clock
          - type: split-column
            widgets:
              - type: html
                source: <p>plain text only</p>
              - type: clock
  - name: Second page
    columns:
      - size: full
        widgets:
          - type: clock
"""


def is_local(url: str) -> bool:
    """Whether the browser would resolve this URL against luna's own origin."""

    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc and url != "" and not url.startswith("#")


def local_urls(document: Element) -> list[str]:
    return [value for _, _, value in emitted_urls(document) if is_local(value)]


def unprefixed(document: Element) -> list[str]:
    """Local URLs in the markup that do not start with the base URL, as `attribute=value`."""

    found = []
    for element, attribute, value in emitted_urls(document):
        if is_local(value) and value != BASE and not value.startswith(BASE + "/"):
            found.append(f"<{element.tag} {attribute}={value!r}>")
    return found


def monitor_with_results(runtime: Runtime) -> None:
    """Give the monitor a down site, so its error-url and icon are in the page too."""

    monitor = next(widget for widget in runtime.dashboard.widgets.values() if widget.type == "monitor")
    result = CheckResult(Status.DOWN, 1_700_000_000.0, error="connection refused", label="Down")
    monitor.state = WidgetState().after_success((result,), 1_700_000_000.0)
    render_with_ancestors(monitor, runtime.renderer)


@pytest.mark.parametrize("prefix", [BASE, ""], ids=["proxy-keeps-prefix", "proxy-strips-prefix"])
@pytest.mark.parametrize("page", ["/", "/second-page", "/no-such-page"])
async def test_page_urls_carry_base_url(tmp_path: Path, prefix: str, page: str) -> None:
    async with running_dashboard(tmp_path, dashboard_config(tmp_path)) as (runtime, client):
        pending = parse_html((await client.get(prefix + page)).text)
        monitor_with_results(runtime)
        loaded = parse_html((await client.get(prefix + page)).text)

    assert local_urls(pending) != []
    assert unprefixed(pending) == []
    assert unprefixed(loaded) == []


async def test_every_url_kind_checked(tmp_path: Path) -> None:
    async with running_dashboard(tmp_path, dashboard_config(tmp_path)) as (runtime, client):
        pending = parse_html((await client.get("/")).text)
        monitor_with_results(runtime)
        loaded = parse_html((await client.get("/")).text)

    urls = set(local_urls(pending)) | set(local_urls(loaded))
    version = runtime.assets.version
    monitor_id = next(widget.id for widget in runtime.dashboard.widgets.values() if widget.type == "monitor")
    expected = {
        f"{BASE}/",
        f"{BASE}/second-page",
        f"{BASE}/manifest.json",
        f"{BASE}/static/{version}/css/bundle.css",
        f"{BASE}/static/{version}/js/page.js",
        f"{BASE}/api/pages/home/content/",
        f"{BASE}/api/widgets/{monitor_id}/content/",
        f"{BASE}/api/set-theme/default",
        f"{BASE}/api/set-theme/default-light",
        f"{BASE}/api/set-theme/paper",
        *(f"{BASE}/assets/{name}" for name in ASSET_FILES),
    }
    assert expected - urls == set()


async def test_body_names_base_url(tmp_path: Path) -> None:
    async with running_dashboard(tmp_path, dashboard_config(tmp_path)) as (runtime, client):
        document = parse_html((await client.get("/")).text)

    assert document.select_one("body")["data-base-url"] == BASE


@pytest.mark.parametrize("prefix", [BASE, ""], ids=["proxy-keeps-prefix", "proxy-strips-prefix"])
async def test_fragments_carry_base_url(tmp_path: Path, prefix: str) -> None:
    async with running_dashboard(tmp_path, dashboard_config(tmp_path)) as (runtime, client):
        monitor_with_results(runtime)
        page = parse_html((await client.get(f"{prefix}/api/pages/home/content/")).text)
        widgets = [
            parse_html((await client.get(f"{prefix}/api/widgets/{widget_id}/content/")).text)
            for widget_id in runtime.dashboard.widgets
        ]

    assert unprefixed(page) == []
    for widget in widgets:
        assert unprefixed(widget) == []


@pytest.mark.parametrize("prefix", [BASE, ""], ids=["proxy-keeps-prefix", "proxy-strips-prefix"])
async def test_manifest_carries_base_url(tmp_path: Path, prefix: str) -> None:
    async with running_dashboard(tmp_path, dashboard_config(tmp_path)) as (runtime, client):
        manifest = (await client.get(f"{prefix}/manifest.json")).json()

    assert manifest["start_url"] == f"{BASE}/"
    assert manifest["scope"] == f"{BASE}/"
    assert [icon["src"] for icon in manifest["icons"]] == [f"{BASE}/assets/app.png"]


async def test_manifest_default_icon_carries_base_url(tmp_path: Path) -> None:
    config = "server:\n  base-url: /luna\npages:\n  - name: Home\n    columns:\n      - size: full\n        widgets: []\n"
    async with running_dashboard(tmp_path, config) as (runtime, client):
        manifest = (await client.get("/manifest.json")).json()

    assert manifest["icons"][0]["src"] == f"{BASE}/static/{runtime.assets.version}/icons/app-icon.png"


@pytest.mark.parametrize("prefix", [BASE, ""], ids=["proxy-keeps-prefix", "proxy-strips-prefix"])
async def test_theme_cookie_path_carries_base_url(tmp_path: Path, prefix: str) -> None:
    async with running_dashboard(tmp_path, dashboard_config(tmp_path)) as (runtime, client):
        response = await client.post(f"{prefix}/api/set-theme/paper")

    assert response.status_code == 200
    assert SimpleCookie(response.headers["set-cookie"])["theme"]["path"] == f"{BASE}/"


def requests_to_try(runtime: Runtime) -> list[tuple[str, str]]:
    monitor_id = next(widget.id for widget in runtime.dashboard.widgets.values() if widget.type == "monitor")
    version = runtime.assets.version
    return [
        ("GET", "/"),
        ("GET", "/home"),
        ("GET", "/second-page"),
        ("GET", "/second-page/"),
        ("GET", "/manifest.json"),
        ("GET", f"/static/{version}/css/bundle.css"),
        ("GET", f"/static/{version}/js/page.js"),
        ("GET", "/assets/logo.png"),
        ("GET", "/api/healthz"),
        ("GET", "/api/pages/home/content/"),
        ("GET", f"/api/widgets/{monitor_id}/content/"),
        ("GET", f"/api/widgets/{monitor_id}/data"),
        ("POST", "/api/set-theme/paper"),
    ]


@pytest.mark.parametrize("prefix", [BASE, ""], ids=["proxy-keeps-prefix", "proxy-strips-prefix"])
async def test_requests_work_with_and_without_prefix(tmp_path: Path, prefix: str) -> None:
    async with running_dashboard(tmp_path, dashboard_config(tmp_path)) as (runtime, client):
        statuses = {
            f"{method} {prefix}{path}": (await client.request(method, prefix + path)).status_code
            for method, path in requests_to_try(runtime)
        }

    assert {request: status for request, status in statuses.items() if status != 200} == {}


async def test_bare_base_url_serves_first_page(tmp_path: Path) -> None:
    async with running_dashboard(tmp_path, dashboard_config(tmp_path)) as (runtime, client):
        response = await client.get(BASE)

    assert response.status_code == 200
    assert parse_html(response.text).select_one("body")["data-page-slug"] == "home"


async def test_lookalike_prefix_not_stripped(tmp_path: Path) -> None:
    async with running_dashboard(tmp_path, dashboard_config(tmp_path)) as (runtime, client):
        response = await client.get("/lunatic")

    assert response.status_code == 404


async def test_missing_api_path_json_under_prefix(tmp_path: Path) -> None:
    async with running_dashboard(tmp_path, dashboard_config(tmp_path)) as (runtime, client):
        response = await client.get(f"{BASE}/api/nothing-here")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"


def referenced_urls(client: httpx.Client, page_url: str) -> dict[str, str]:
    """Every same-origin URL a browser would request or follow from the page, with its method.

    Follows the page's markup, the manifest, JavaScript module imports and CSS
    `url()` references, resolving each against the URL of the file it is in.
    """

    page = client.get(page_url)
    page.raise_for_status()
    found = {urljoin(page_url, url): "GET" for url in local_urls(parse_html(page.text))}
    for element in parse_html(page.text).select("[data-theme-url]"):
        found[urljoin(page_url, element["data-theme-url"])] = "POST"

    pending = [url for url, method in found.items() if method == "GET"]
    while pending:
        url = pending.pop()
        path = urlsplit(url).path
        if path.endswith((".js", ".css", ".json")):
            body = client.get(url).text
            nested = JS_IMPORT.findall(body) + CSS_URL.findall(body)
            if path.endswith("manifest.json"):
                manifest = client.get(url).json()
                nested += [manifest["start_url"], *(icon["src"] for icon in manifest["icons"])]
            for reference in nested:
                absolute = urljoin(url, reference)
                if urlsplit(absolute).netloc == urlsplit(page_url).netloc and absolute not in found:
                    found[absolute] = "GET"
                    pending.append(absolute)
    return found


@pytest.mark.parametrize("strip", [True, False], ids=["proxy-strips-prefix", "proxy-keeps-prefix"])
def test_everything_reachable_through_proxy(tmp_path: Path, strip: bool) -> None:
    runtime = Runtime(load_text(tmp_path, dashboard_config(tmp_path)), clock=ManualClock())

    with serve_in_thread(create_app(runtime)) as luna, serve_in_thread(prefix_proxy_app(luna, BASE, strip)) as proxy:
        with httpx.Client() as client:
            urls = referenced_urls(client, f"{proxy}{BASE}/")
            statuses = {f"{method} {url}": client.request(method, url).status_code for url, method in urls.items()}

    assert len(urls) > 20
    assert any("/js/widgets.js" in url for url in urls)
    assert {request: status for request, status in statuses.items() if status != 200} == {}
