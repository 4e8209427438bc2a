"""The session check: every route with and without a session, cookies, ending sessions and cross-origin POSTs."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from luna.auth.sessions import RENEW_AFTER, SESSION_LIFETIME
from tests.support.auth import (
    OTHER_PASSWORD_HASH,
    OTHER_SECRET_KEY,
    AuthDashboard,
    auth_config,
    auth_dashboard,
    cookie_attributes,
    log_in,
)
from tests.support.dashboards import load_text, running_dashboard

DAY = 24 * 3600.0
# Tests that move the clock by days ping once a day, so the hub wakes a few times, not thousands.
DAILY_PINGS = "  events:\n    ping-interval: 1d\n"
BASE_URLS = ["", "/luna"]


def session_header(token: str) -> dict[str, str]:
    return {"Cookie": f"session_token={token}"}


def widget_id(dashboard: AuthDashboard) -> str:
    return next(iter(dashboard.runtime.dashboard.widgets))


def protected_pages(base: str) -> list[str]:
    return [f"{base}/", f"{base}/home", f"{base}/second", f"{base}/second/", f"{base}/no-such-page"]


def protected_api(dashboard: AuthDashboard, base: str) -> list[tuple[str, str]]:
    widget = widget_id(dashboard)
    return [
        ("GET", f"{base}/api/pages/home/content/"),
        ("GET", f"{base}/api/pages/no-such-page/content/"),
        ("GET", f"{base}/api/widgets/{widget}/content/"),
        ("GET", f"{base}/api/widgets/{widget}/data"),
        ("GET", f"{base}/api/widgets/000000000000/content/"),
        ("GET", f"{base}/api/events"),
        ("POST", f"{base}/api/set-theme/default-light"),
        ("GET", f"{base}/api/no-such-route"),
        ("GET", f"{base}/api"),
    ]


def open_routes(dashboard: AuthDashboard, base: str) -> list[str]:
    version = dashboard.runtime.assets.version
    return [
        f"{base}/api/healthz",
        f"{base}/static/{version}/css/bundle.css",
        f"{base}/static/{version}/js/login.js",
        f"{base}/manifest.json",
        f"{base}/login",
    ]


@pytest.mark.parametrize("base", BASE_URLS)
async def test_pages_without_session_redirect(tmp_path: Path, base: str) -> None:
    async with auth_dashboard(tmp_path, auth_config(base_url=base)) as dashboard:
        client = dashboard.client()
        for path in protected_pages(base):
            response = await client.get(path)

            assert response.status_code == 303, path
            location = urlsplit(response.headers["location"])
            assert location.path == f"{base}/login", path
            assert parse_qs(location.query)["next"] == [path], path


async def test_redirect_keeps_query(tmp_path: Path) -> None:
    async with auth_dashboard(tmp_path, auth_config(base_url="/luna")) as dashboard:
        response = await dashboard.client().get("/luna/second?view=compact")

    assert response.headers["location"] == "/luna/login?next=%2Fluna%2Fsecond%3Fview%3Dcompact"


async def test_stripped_prefix_redirect_keeps_base(tmp_path: Path) -> None:
    # A proxy that strips /luna forwards /second; the browser still lives under /luna.
    async with auth_dashboard(tmp_path, auth_config(base_url="/luna")) as dashboard:
        response = await dashboard.client().get("/second")

    assert response.headers["location"] == "/luna/login?next=%2Fluna%2Fsecond"


@pytest.mark.parametrize("base", BASE_URLS)
async def test_api_without_session_401(tmp_path: Path, base: str) -> None:
    async with auth_dashboard(tmp_path, auth_config(base_url=base)) as dashboard:
        client = dashboard.client()
        for method, path in protected_api(dashboard, base):
            response = await client.request(method, path)

            assert response.status_code == 401, path
            assert response.headers["content-type"] == "application/json", path
            assert "location" not in response.headers, path
            assert response.json()["error"] == "Not logged in, or the session has expired", path
            assert response.json()["login_url"] == f"{base}/login", path


@pytest.mark.parametrize("base", BASE_URLS)
async def test_open_routes_need_no_session(tmp_path: Path, base: str) -> None:
    async with auth_dashboard(tmp_path, auth_config(base_url=base)) as dashboard:
        client = dashboard.client()
        for path in open_routes(dashboard, base):
            response = await client.get(path)

            assert response.status_code == 200, path


async def test_user_assets_stay_open(tmp_path: Path) -> None:
    assets = tmp_path / "assets"
    assets.mkdir()
    (assets / "logo.png").write_bytes(b"logo")
    config = auth_config(server_extra=f"  assets-path: {assets}\n")
    async with auth_dashboard(tmp_path, config) as dashboard:
        response = await dashboard.client().get("/assets/logo.png")

    assert response.status_code == 200


@pytest.mark.parametrize("base", BASE_URLS)
async def test_routes_with_session_served(tmp_path: Path, base: str) -> None:
    async with auth_dashboard(tmp_path, auth_config(base_url=base)) as dashboard:
        client = dashboard.client()
        assert (await log_in(client, base_url=base)).status_code == 200

        widget = widget_id(dashboard)
        expected = {
            f"{base}/": 200,
            f"{base}/second": 200,
            f"{base}/no-such-page": 404,
            f"{base}/api/pages/home/content/": 200,
            f"{base}/api/widgets/{widget}/content/": 200,
            f"{base}/api/widgets/{widget}/data": 200,
            f"{base}/api/widgets/000000000000/content/": 404,
        }
        for path, status in expected.items():
            response = await client.get(path)

            assert response.status_code == status, path
        theme = await client.post(f"{base}/api/set-theme/default-light")
        assert theme.status_code == 200


async def test_unknown_widget_looks_forbidden(tmp_path: Path) -> None:
    async with auth_dashboard(tmp_path, auth_config()) as dashboard:
        client = dashboard.client()
        known = await client.get(f"/api/widgets/{widget_id(dashboard)}/content/")
        unknown = await client.get("/api/widgets/000000000000/content/")

    assert known.status_code == unknown.status_code
    assert known.content == unknown.content


async def test_login_page_without_users_missing(tmp_path: Path) -> None:
    text = "pages:\n  - name: Home\n    columns:\n      - size: full\n        widgets: [{type: clock}]\n"
    async with running_dashboard(tmp_path, text) as (_, client):
        login = await client.get("/login")
        logout = await client.get("/logout")
        authenticate = await client.post("/api/authenticate", json={"username": "alice", "password": "x"})
        home = await client.get("/")

    assert login.status_code == 404
    assert logout.status_code == 404
    assert authenticate.status_code == 404
    assert home.status_code == 200


@pytest.mark.parametrize("base", BASE_URLS)
async def test_login_page_when_logged_in_redirects(tmp_path: Path, base: str) -> None:
    async with auth_dashboard(tmp_path, auth_config(base_url=base)) as dashboard:
        client = dashboard.client()
        await log_in(client, base_url=base)
        to_next = await client.get(f"{base}/login", params={"next": f"{base}/second"})
        to_home = await client.get(f"{base}/login", params={"next": "https://evil.example/"})

    assert to_next.status_code == 303
    assert to_next.headers["location"] == f"{base}/second"
    assert to_home.headers["location"] == f"{base}/"


@pytest.mark.parametrize("base", BASE_URLS)
async def test_cookie_flags_over_plain_http(tmp_path: Path, base: str) -> None:
    async with auth_dashboard(tmp_path, auth_config(base_url=base)) as dashboard:
        response = await log_in(dashboard.client(), base_url=base)

    cookie = cookie_attributes(response.headers["set-cookie"])
    assert cookie[""].startswith("session_token=")
    assert "httponly" in cookie
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == (base or "/")
    assert cookie["max-age"] == str(int(SESSION_LIFETIME))
    assert "secure" not in cookie


async def test_cookie_secure_over_https(tmp_path: Path) -> None:
    async with auth_dashboard(tmp_path, auth_config()) as dashboard:
        response = await log_in(dashboard.client(scheme="https"))

    assert "secure" in cookie_attributes(response.headers["set-cookie"])


async def test_cookie_secure_through_trusted_proxy(tmp_path: Path) -> None:
    async with auth_dashboard(tmp_path, auth_config(server_extra="  proxied: true\n")) as dashboard:
        response = await log_in(dashboard.client("127.0.0.1"), headers={"X-Forwarded-Proto": "https"})

    assert "secure" in cookie_attributes(response.headers["set-cookie"])


async def test_cookie_plain_through_untrusted_proxy(tmp_path: Path) -> None:
    # The peer is a public address, not in the default trusted-proxies.
    async with auth_dashboard(tmp_path, auth_config(server_extra="  proxied: true\n")) as dashboard:
        response = await log_in(dashboard.client("203.0.113.9"), headers={"X-Forwarded-Proto": "https"})

    assert "secure" not in cookie_attributes(response.headers["set-cookie"])


async def test_forwarded_proto_ignored_unless_proxied(tmp_path: Path) -> None:
    async with auth_dashboard(tmp_path, auth_config()) as dashboard:
        response = await log_in(dashboard.client("127.0.0.1"), headers={"X-Forwarded-Proto": "https"})

    assert "secure" not in cookie_attributes(response.headers["set-cookie"])


async def test_logout_ends_session(tmp_path: Path) -> None:
    async with auth_dashboard(tmp_path, auth_config(base_url="/luna")) as dashboard:
        client = dashboard.client()
        await log_in(client, base_url="/luna")
        token = client.cookies["session_token"]

        response = await client.get("/luna/logout")
        replayed = await dashboard.client().get("/luna/api/pages/home/content/", headers=session_header(token))

    assert response.status_code == 303
    assert response.headers["location"] == "/luna/login"
    cleared = cookie_attributes(response.headers["set-cookie"])
    assert cleared[""] == "session_token="
    assert cleared["max-age"] == "0"
    assert cleared["path"] == "/luna"
    assert replayed.status_code == 401


async def test_head_logout_keeps_session(tmp_path: Path) -> None:
    async with auth_dashboard(tmp_path, auth_config()) as dashboard:
        client = dashboard.client()
        await log_in(client)
        token = client.cookies["session_token"]

        await client.head("/logout")
        response = await dashboard.client().get("/api/pages/home/content/", headers=session_header(token))

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("fetch_site", "status_after"), [("cross-site", 200), ("same-site", 200), ("same-origin", 401), ("none", 401)]
)
async def test_logout_only_from_own_pages(tmp_path: Path, fetch_site: str, status_after: int) -> None:
    async with auth_dashboard(tmp_path, auth_config()) as dashboard:
        client = dashboard.client()
        await log_in(client)
        token = client.cookies["session_token"]

        response = await client.get("/logout", headers={"Sec-Fetch-Site": fetch_site})
        after = await dashboard.client().get("/api/pages/home/content/", headers=session_header(token))

    assert response.status_code == 303
    assert after.status_code == status_after


@pytest.mark.parametrize(
    "changed",
    [
        auth_config(secret_key=OTHER_SECRET_KEY),
        auth_config(users=f'    alice:\n      password-hash: "{OTHER_PASSWORD_HASH}"\n'),
        auth_config(users=f'    bob:\n      password-hash: "{OTHER_PASSWORD_HASH}"\n'),
    ],
    ids=["secret key rotated", "password changed", "user removed"],
)
async def test_auth_change_ends_sessions(tmp_path: Path, changed: str) -> None:
    async with auth_dashboard(tmp_path, auth_config()) as dashboard:
        client = dashboard.client()
        await log_in(client)

        await dashboard.runtime.apply(load_text(tmp_path, changed))
        response = await client.get("/api/pages/home/content/")

    assert response.status_code == 401


async def test_reload_without_auth_change_keeps_sessions(tmp_path: Path) -> None:
    async with auth_dashboard(tmp_path, auth_config()) as dashboard:
        client = dashboard.client()
        await log_in(client)

        changed_page = auth_config().replace("name: Second", "name: Third")
        await dashboard.runtime.apply(load_text(tmp_path, changed_page))
        response = await client.get("/api/pages/home/content/")

    assert response.status_code == 200


async def test_session_expires_after_lifetime(tmp_path: Path) -> None:
    async with auth_dashboard(tmp_path, auth_config(server_extra=DAILY_PINGS)) as dashboard:
        client = dashboard.client()
        await log_in(client)
        token = client.cookies["session_token"]

        await dashboard.clock.advance(SESSION_LIFETIME - 1)
        before = await dashboard.client().get("/api/pages/home/content/", headers=session_header(token))
        await dashboard.clock.advance(1)
        after = await dashboard.client().get("/api/pages/home/content/", headers=session_header(token))

    assert before.status_code == 200
    assert after.status_code == 401


async def test_session_renewed_on_use(tmp_path: Path) -> None:
    async with auth_dashboard(tmp_path, auth_config(server_extra=DAILY_PINGS)) as dashboard:
        client = dashboard.client()
        await log_in(client)
        first_token = client.cookies["session_token"]

        await dashboard.clock.advance(10 * DAY)
        renewing = await client.get("/api/pages/home/content/")
        await dashboard.clock.advance(10 * DAY)
        later = await client.get("/api/pages/home/content/")

    assert renewing.status_code == 200
    renewed = cookie_attributes(renewing.headers["set-cookie"])
    assert renewed["max-age"] == str(int(SESSION_LIFETIME))
    assert client.cookies["session_token"] != first_token
    assert later.status_code == 200


async def test_fresh_session_sets_no_cookie(tmp_path: Path) -> None:
    async with auth_dashboard(tmp_path, auth_config(server_extra=DAILY_PINGS)) as dashboard:
        client = dashboard.client()
        await log_in(client)

        await dashboard.clock.advance(RENEW_AFTER - 60)
        response = await client.get("/api/pages/home/content/")

    assert "set-cookie" not in response.headers


async def test_renewed_session_still_ends_on_logout(tmp_path: Path) -> None:
    async with auth_dashboard(tmp_path, auth_config(server_extra=DAILY_PINGS)) as dashboard:
        client = dashboard.client()
        await log_in(client)
        first_token = client.cookies["session_token"]
        await dashboard.clock.advance(2 * DAY)
        await client.get("/api/pages/home/content/")

        await client.get("/logout")
        response = await dashboard.client().get("/api/pages/home/content/", headers=session_header(first_token))

    assert response.status_code == 401


async def test_invalid_cookie_cleared(tmp_path: Path) -> None:
    async with auth_dashboard(tmp_path, auth_config(base_url="/luna")) as dashboard:
        response = await dashboard.client().get("/luna/api/pages/home/content/", headers=session_header("forged.token"))

    assert response.status_code == 401
    cleared = cookie_attributes(response.headers["set-cookie"])
    assert cleared["max-age"] == "0"
    assert cleared["path"] == "/luna"


async def test_cookie_of_other_key_rejected(tmp_path: Path) -> None:
    async with auth_dashboard(tmp_path, auth_config(secret_key=OTHER_SECRET_KEY)) as other:
        client = other.client()
        await log_in(client)
        foreign = client.cookies["session_token"]

    async with auth_dashboard(tmp_path, auth_config()) as dashboard:
        response = await dashboard.client().get("/api/pages/home/content/", headers=session_header(foreign))

    assert response.status_code == 401


async def test_logout_link_shown_with_session(tmp_path: Path) -> None:
    async with auth_dashboard(tmp_path, auth_config(base_url="/luna")) as dashboard:
        client = dashboard.client()
        await log_in(client, base_url="/luna")
        page = await client.get("/luna/")

    assert 'href="/luna/logout"' in page.text


async def test_login_page_hides_page_names(tmp_path: Path) -> None:
    async with auth_dashboard(tmp_path, auth_config()) as dashboard:
        page = await dashboard.client().get("/login")

    assert "Second" not in page.text
    assert "data-theme-picker" not in page.text
    assert page.headers["cache-control"] == "no-store"


# ----- cross-origin POSTs


async def test_login_from_other_origin_rejected(tmp_path: Path) -> None:
    async with auth_dashboard(tmp_path, auth_config()) as dashboard:
        response = await log_in(dashboard.client(), headers={"Origin": "https://evil.example"})

    assert response.status_code == 403
    assert "set-cookie" not in response.headers
    assert response.json()["error"].startswith("Cross-origin request rejected")


async def test_login_from_own_origin_accepted(tmp_path: Path) -> None:
    async with auth_dashboard(tmp_path, auth_config()) as dashboard:
        response = await log_in(dashboard.client(), headers={"Origin": "http://luna.test"})

    assert response.status_code == 200


async def test_cross_site_fetch_rejected(tmp_path: Path) -> None:
    async with auth_dashboard(tmp_path, auth_config()) as dashboard:
        response = await log_in(dashboard.client(), headers={"Sec-Fetch-Site": "cross-site"})

    assert response.status_code == 403


async def test_same_origin_fetch_accepted_despite_host(tmp_path: Path) -> None:
    # A proxy that rewrites Host to the upstream's address; the browser still vouches for the origin.
    async with auth_dashboard(tmp_path, auth_config()) as dashboard:
        headers = {"Origin": "https://dash.example", "Host": "127.0.0.1:8080", "Sec-Fetch-Site": "same-origin"}
        response = await log_in(dashboard.client(), headers=headers)

    assert response.status_code == 200


async def test_foreign_referer_rejected(tmp_path: Path) -> None:
    async with auth_dashboard(tmp_path, auth_config()) as dashboard:
        response = await log_in(dashboard.client(), headers={"Referer": "https://evil.example/page"})

    assert response.status_code == 403


async def test_null_origin_rejected(tmp_path: Path) -> None:
    async with auth_dashboard(tmp_path, auth_config()) as dashboard:
        response = await log_in(dashboard.client(), headers={"Origin": "null"})

    assert response.status_code == 403


async def test_forwarded_host_matches_origin(tmp_path: Path) -> None:
    async with auth_dashboard(tmp_path, auth_config(server_extra="  proxied: true\n")) as dashboard:
        headers = {"Origin": "https://dash.example", "X-Forwarded-Host": "dash.example", "X-Forwarded-Proto": "https"}
        response = await log_in(dashboard.client("127.0.0.1"), headers=headers)

    assert response.status_code == 200


async def test_theme_change_from_other_origin_rejected(tmp_path: Path) -> None:
    async with auth_dashboard(tmp_path, auth_config()) as dashboard:
        client = dashboard.client()
        await log_in(client)
        response = await client.post("/api/set-theme/default-light", headers={"Origin": "https://evil.example"})

    assert response.status_code == 403
    assert "set-cookie" not in response.headers


async def test_stale_cookie_beside_valid_ignored(tmp_path: Path) -> None:
    # A cookie of the same name left by Glance, sent first because its path is longer.
    async with auth_dashboard(tmp_path, auth_config()) as dashboard:
        client = dashboard.client()
        await log_in(client)
        token = client.cookies["session_token"]

        header = {"Cookie": f"session_token=left-by-glance; session_token={token}"}
        response = await dashboard.client().get("/api/pages/home/content/", headers=header)

    assert response.status_code == 200


@pytest.mark.parametrize("host", ["dash.example.invalid", "127.0.0.1:8080", "[::1]:8080"])
async def test_any_host_logs_in(tmp_path: Path, host: str) -> None:
    # No host allow-list: a dashboard reached by name, by address and port, or over IPv6 all work.
    async with auth_dashboard(tmp_path, auth_config()) as dashboard:
        client = dashboard.client()
        login = await log_in(client, headers={"Host": host, "Origin": f"http://{host}"})
        page = await client.get("/", headers={"Host": host})

    assert login.status_code == 200
    assert page.status_code == 200


async def test_login_page_in_chosen_theme(tmp_path: Path) -> None:
    async with auth_dashboard(tmp_path, auth_config()) as dashboard:
        page = await dashboard.client().get("/login", headers={"Cookie": "theme=default-light"})

    assert 'data-theme="default-light"' in page.text
    assert 'data-scheme="light"' in page.text
