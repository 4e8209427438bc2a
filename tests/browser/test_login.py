"""Logging in with a real browser, under a base URL behind a proxy, and a session that expires on an open page."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from luna.auth.sessions import SESSION_LIFETIME
from luna.clock import ManualClock
from luna.runtime import Runtime
from luna.web.app import create_app
from tests.browser.support import LiveDashboard, PageProblems, load
from tests.support.auth import PASSWORD, auth_config
from tests.support.dashboards import load_text
from tests.support.servers import prefix_proxy_app, serve_in_thread

pytest.importorskip("playwright")
from playwright.sync_api import Browser, Page, Request  # noqa: E402

pytestmark = pytest.mark.browser

DAY = 24 * 3600.0
# Pings once a simulated day, so moving the server's clock by two weeks wakes the hub a few times, not thousands.
DAILY_PINGS = "  events:\n    ping-interval: 1d\n"
NO_LIVE_EVENTS = "  events:\n    enabled: false\n"


def fill_login(page: Page, password: str) -> None:
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", password)
    page.click("[data-login-button]")


def log_in_at(page: Page, url: str) -> None:
    """Open a page, which sends the browser to the login page, and log in there."""

    page.goto(url)
    page.wait_for_selector("[data-login-form]")
    with page.expect_navigation():
        fill_login(page, PASSWORD)
    page.wait_for_selector("html.page-ready", state="attached")


def watch_for_error_text(page: Page) -> None:
    """Note in sessionStorage, which outlives the navigation to the login page, if an error body reaches the page."""

    page.evaluate(
        """() => {
          const content = document.getElementById("page-content");
          new MutationObserver(() => {
            if (content.textContent.includes('"error"')) {
              sessionStorage.setItem("painted-error", content.textContent.slice(0, 200));
            }
          }).observe(content, { childList: true, subtree: true, characterData: true });
        }"""
    )


def test_login_flow_returns_to_page(
    serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page], page_problems: PageProblems
) -> None:
    dashboard = serve_dashboard(auth_config())
    page = new_page()

    page.goto(f"{dashboard.url}/second")
    page.wait_for_selector("[data-login-form]")
    redirected_to = urlsplit(page.url)
    fill_login(page, "wrong password")
    page.wait_for_function("document.querySelector('[data-login-message]').textContent !== ''")
    message = page.text_content("[data-login-message]")
    with page.expect_navigation():
        fill_login(page, PASSWORD)
    page.wait_for_selector("[data-live-indicator][data-state=live]")

    assert redirected_to.path == "/login"
    assert parse_qs(redirected_to.query)["next"] == ["/second"]
    assert message == "Wrong user name or password"
    assert urlsplit(page.url).path == "/second"
    assert page.is_visible("a.logout-link")
    cookie = next(c for c in page.context.cookies() if c["name"] == "session_token")
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Lax"
    assert cookie["secure"] is False
    assert cookie["path"] == "/"
    assert [error for error in page_problems.console_errors if "401" not in error] == []


def test_session_survives_reload(serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page]) -> None:
    dashboard = serve_dashboard(auth_config())
    page = new_page()
    log_in_at(page, f"{dashboard.url}/")

    load(page, f"{dashboard.url}/second")

    assert urlsplit(page.url).path == "/second"


def test_logout_returns_to_login(serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page]) -> None:
    dashboard = serve_dashboard(auth_config())
    page = new_page()
    log_in_at(page, f"{dashboard.url}/")

    with page.expect_navigation():
        page.click("a.logout-link")
    page.goto(f"{dashboard.url}/second")

    assert urlsplit(page.url).path == "/login"
    assert [c for c in page.context.cookies() if c["name"] == "session_token"] == []


def test_login_under_base_url_behind_proxy(tmp_path: Path, browser: Browser) -> None:
    runtime = Runtime(load_text(tmp_path, auth_config(base_url="/luna")), clock=ManualClock())
    requested: list[Request] = []

    with serve_in_thread(create_app(runtime)) as luna, serve_in_thread(prefix_proxy_app(luna, "/luna", strip=True)) as proxy:
        context = browser.new_context()
        context.route("**/*", lambda route: route.continue_() if urlsplit(route.request.url).hostname == "127.0.0.1" else route.abort())
        page = context.new_page()
        page.on("request", lambda request: requested.append(request))
        page.goto(f"{proxy}/luna/second")
        page.wait_for_selector("[data-login-form]")
        login_url = urlsplit(page.url)
        with page.expect_navigation():
            fill_login(page, PASSWORD)
        page.wait_for_selector("html.page-ready", state="attached")
        final_path = urlsplit(page.url).path
        cookie = next(c for c in context.cookies() if c["name"] == "session_token")
        context.close()

    assert login_url.path == "/luna/login"
    assert parse_qs(login_url.query)["next"] == ["/luna/second"]
    assert final_path == "/luna/second"
    assert cookie["path"] == "/luna"
    outside = [request.url for request in requested if not urlsplit(request.url).path.startswith("/luna")]
    assert outside == []


def test_expired_session_stream_goes_to_login(
    serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page]
) -> None:
    dashboard = serve_dashboard(auth_config(server_extra=DAILY_PINGS))
    page = new_page()
    log_in_at(page, f"{dashboard.url}/second?view=compact")
    page.wait_for_selector("[data-live-indicator][data-state=live]")
    after_expiry: list[str] = []
    logins: list[str] = []
    page.on("request", lambda request: after_expiry.append(request.url))
    page.on("framenavigated", lambda frame: logins.append(frame.url) if "/login" in frame.url else None)
    watch_for_error_text(page)

    # The hub's next ping after the expiry ends the stream; the page finds out why and leaves.
    with page.expect_navigation(url="**/login?**"):
        dashboard.run(dashboard.clock.advance(SESSION_LIFETIME + DAY))
    page.wait_for_selector("[data-login-form]")

    assert parse_qs(urlsplit(page.url).query)["next"] == ["/second?view=compact"]
    api_requests = [url for url in after_expiry if "/api/" in urlsplit(url).path]
    assert len(api_requests) <= 3
    assert len(logins) == 1
    assert page.evaluate("sessionStorage.getItem('painted-error')") is None


def test_expired_session_fetch_goes_to_login(
    serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page]
) -> None:
    dashboard = serve_dashboard(auth_config(server_extra=NO_LIVE_EVENTS))
    page = new_page()
    page.clock.install()
    log_in_at(page, f"{dashboard.url}/second")
    watch_for_error_text(page)

    dashboard.run(dashboard.clock.advance(SESSION_LIFETIME))
    with page.expect_navigation(url="**/login?**"):
        # Without live events the page polls its content every 15 s.
        page.clock.run_for(16_000)
    page.wait_for_selector("[data-login-form]")

    assert parse_qs(urlsplit(page.url).query)["next"] == ["/second"]
    assert page.evaluate("sessionStorage.getItem('painted-error')") is None
