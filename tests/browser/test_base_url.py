"""A real browser behind a prefix-stripping proxy requests nothing outside `server.base-url`."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from luna.clock import ManualClock
from luna.runtime import Runtime
from luna.web.app import create_app
from tests.support.dashboards import load_text
from tests.support.servers import prefix_proxy_app, serve_in_thread, unused_url

pytest.importorskip("playwright")
from playwright.sync_api import Browser, Page, Request, Route  # noqa: E402

pytestmark = pytest.mark.browser

BASE = "/luna"


def config(assets: Path) -> str:
    assets.mkdir()
    for name in ("logo.svg", "custom.css", "frame.html", "nas.svg"):
        (assets / name).write_text("<svg xmlns='http://www.w3.org/2000/svg'/>" if name.endswith(".svg") else "", encoding="utf-8")
    return f"""
server:
  base-url: {BASE}
  assets-path: {assets}
branding:
  logo-url: /assets/logo.svg
theme:
  custom-css-file: /assets/custom.css
pages:
  - name: Home
    head-widgets:
      - type: search
    columns:
      - size: small
        widgets:
          - type: clock
      - size: full
        widgets:
          - type: monitor
            sites:
              - title: NAS
                url: {unused_url()}
                icon: /assets/nas.svg
          - type: group
            widgets:
              - type: iframe
                source: /assets/frame.html
              - type: bookmarks
                groups:
                  - links:
                      - title: Router
                        url: http://192.168.1.1/
"""


def keep_local(page: Page, host: str) -> None:
    """Abort any request that would leave the test's own servers."""

    def handle(route: Route) -> None:
        if urlsplit(route.request.url).netloc == host:
            route.continue_()
        else:
            route.abort()

    page.route("**/*", handle)


def test_browser_stays_under_base_url(tmp_path: Path, browser: Browser) -> None:
    runtime = Runtime(load_text(tmp_path, config(tmp_path / "assets")), clock=ManualClock())
    requested: list[Request] = []

    with serve_in_thread(create_app(runtime)) as luna, serve_in_thread(prefix_proxy_app(luna, BASE, strip=True)) as proxy:
        page = browser.new_page()
        keep_local(page, urlsplit(proxy).netloc)
        page.on("requestfinished", lambda request: requested.append(request))

        # The page opens its event stream once its scripts have run.
        with page.expect_response(lambda response: "/api/events" in response.url):
            page.goto(f"{proxy}{BASE}/")
        page.click("summary.theme-picker-button")
        with page.expect_response(lambda response: "/api/set-theme/default-light" in response.url):
            page.click("[data-theme-key=default-light]")
        # The script applies the theme after it has read the response body.
        page.wait_for_function("document.documentElement.dataset.scheme === 'light'", timeout=5000)
        scheme = page.get_attribute("html", "data-scheme")
        statuses = {request.url: request.response().status for request in requested}  # type: ignore[union-attr]
        page.close()

    paths = [urlsplit(url).path for url in statuses]
    assert [path for path in paths if not path.startswith(BASE + "/")] == []
    assert {url: status for url, status in statuses.items() if status != 200} == {}
    assert any(path.endswith("/js/widgets.js") for path in paths)
    assert f"{BASE}/assets/logo.svg" in paths
    assert scheme == "light"
