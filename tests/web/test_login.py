"""`POST /api/authenticate`: answers, malformed bodies, the throttle and client addresses behind proxies."""

from __future__ import annotations

import asyncio
from pathlib import Path

import bcrypt
import pytest

from luna.auth import passwords
from luna.auth.passwords import bcrypt_rounds
from luna.web.login import MAX_BODY_BYTES, safe_next
from tests.support.auth import OTHER_PASSWORD_HASH, PASSWORD, auth_config, auth_dashboard, log_in

PROXIED = "  proxied: true\n"
TWO_USERS = (
    f'    alice:\n      password-hash: "{passwords.bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(4)).decode()}"\n'
    f'    bob:\n      password-hash: "{OTHER_PASSWORD_HASH}"\n'
)


async def test_right_password_starts_session(tmp_path: Path) -> None:
    async with auth_dashboard(tmp_path, auth_config()) as dashboard:
        client = dashboard.client()
        response = await log_in(client)
        page = await client.get("/")

    assert response.status_code == 200
    assert response.json() == {"user": "alice"}
    assert page.status_code == 200


async def test_wrong_password_and_unknown_user_alike(tmp_path: Path) -> None:
    async with auth_dashboard(tmp_path, auth_config()) as dashboard:
        wrong = await log_in(dashboard.client(), password="wrong password")
        unknown = await log_in(dashboard.client("127.0.0.2"), username="mallory")

    assert wrong.status_code == 401
    assert unknown.status_code == 401
    assert wrong.json() == unknown.json() == {"error": "Wrong user name or password"}
    assert "set-cookie" not in wrong.headers
    assert "set-cookie" not in unknown.headers


async def test_unknown_user_costs_same_bcrypt_work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    checked: list[bytes] = []
    real_check = bcrypt.checkpw

    def recording_check(password: bytes, hashed: bytes) -> bool:
        checked.append(hashed)
        return real_check(password, hashed)

    monkeypatch.setattr(passwords.bcrypt, "checkpw", recording_check)
    async with auth_dashboard(tmp_path, auth_config()) as dashboard:
        await log_in(dashboard.client(), password="wrong password")
        await log_in(dashboard.client("127.0.0.2"), username="mallory")
        await log_in(dashboard.client("127.0.0.3"), password="x" * 90)

    assert len(checked) == 3
    assert bcrypt_rounds(checked[1]) == bcrypt_rounds(checked[0])
    assert bcrypt_rounds(checked[2]) == bcrypt_rounds(checked[0])


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b'{"username": "alice", "password": "correct horse"}', "text/plain"),
        (b"username=alice&password=x", "application/x-www-form-urlencoded"),
        (b"{not json", "application/json"),
        (b'["alice", "correct horse"]', "application/json"),
        (b'{"username": "alice"}', "application/json"),
        (b'{"username": "alice", "password": 123456}', "application/json"),
        (b'{"username": null, "password": "correct horse"}', "application/json"),
    ],
)
async def test_malformed_body_400(tmp_path: Path, content: bytes, content_type: str) -> None:
    async with auth_dashboard(tmp_path, auth_config()) as dashboard:
        response = await dashboard.client().post("/api/authenticate", content=content, headers={"Content-Type": content_type})

    assert response.status_code == 400
    assert response.json()["error"].startswith("Bad request: ")


async def test_oversized_body_400(tmp_path: Path) -> None:
    async with auth_dashboard(tmp_path, auth_config()) as dashboard:
        response = await log_in(dashboard.client(), password="x" * MAX_BODY_BYTES)

    assert response.status_code == 400


async def test_malformed_body_not_counted(tmp_path: Path) -> None:
    async with auth_dashboard(tmp_path, auth_config()) as dashboard:
        client = dashboard.client()
        for _ in range(10):
            await client.post("/api/authenticate", content=b"{", headers={"Content-Type": "application/json"})
        response = await log_in(client)

    assert response.status_code == 200


async def test_json_charset_accepted(tmp_path: Path) -> None:
    async with auth_dashboard(tmp_path, auth_config()) as dashboard:
        body = f'{{"username": "alice", "password": "{PASSWORD}"}}'.encode()
        headers = {"Content-Type": "application/json; charset=utf-8"}
        response = await dashboard.client().post("/api/authenticate", content=body, headers=headers)

    assert response.status_code == 200


# ----- the throttle


async def test_address_blocked_after_limit(tmp_path: Path) -> None:
    async with auth_dashboard(tmp_path, auth_config()) as dashboard:
        client = dashboard.client()
        failures = [await log_in(client, password=f"guess {n}") for n in range(5)]
        blocked = await log_in(client)

    assert [response.status_code for response in failures] == [401] * 5
    assert blocked.status_code == 429
    assert blocked.headers["retry-after"] == "300"
    assert blocked.json()["retry_after"] == 300
    assert "set-cookie" not in blocked.headers


async def test_block_covers_every_user_name(tmp_path: Path) -> None:
    async with auth_dashboard(tmp_path, auth_config(users=TWO_USERS)) as dashboard:
        client = dashboard.client()
        for n in range(5):
            await log_in(client, username=f"name{n}", password="guess")
        response = await log_in(client, username="bob", password="battery staple")

    assert response.status_code == 429


async def test_block_lifts_after_window(tmp_path: Path) -> None:
    async with auth_dashboard(tmp_path, auth_config()) as dashboard:
        client = dashboard.client()
        for n in range(5):
            await log_in(client, password=f"guess {n}")
            await dashboard.clock.advance(10)

        await dashboard.clock.advance(240)
        still_blocked = await log_in(client)
        await dashboard.clock.advance(10)
        allowed = await log_in(client)

    assert still_blocked.status_code == 429
    assert still_blocked.headers["retry-after"] == "10"
    assert allowed.status_code == 200


async def test_simultaneous_tries_limited(tmp_path: Path) -> None:
    async with auth_dashboard(tmp_path, auth_config()) as dashboard:
        client = dashboard.client()
        responses = await asyncio.gather(*(log_in(client, password=f"guess {n}") for n in range(12)))

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [401] * 5 + [429] * 7


async def test_blocked_tries_cost_no_bcrypt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    async with auth_dashboard(tmp_path, auth_config()) as dashboard:
        client = dashboard.client()
        for n in range(5):
            await log_in(client, password=f"guess {n}")

        calls: list[bytes] = []
        monkeypatch.setattr(passwords.bcrypt, "checkpw", lambda password, hashed: calls.append(hashed) or False)
        await log_in(client)

    assert calls == []


async def test_success_clears_address_failures(tmp_path: Path) -> None:
    async with auth_dashboard(tmp_path, auth_config()) as dashboard:
        client = dashboard.client()
        for n in range(4):
            await log_in(client, password=f"guess {n}")
        await log_in(client)
        after = [await log_in(client, password=f"typo {n}") for n in range(4)]
        response = await log_in(client)

    assert [reply.status_code for reply in after] == [401] * 4
    assert response.status_code == 200


async def test_configured_limit_applies(tmp_path: Path) -> None:
    limit = "  login-limit:\n    failures: 2\n    window: 1m\n"
    async with auth_dashboard(tmp_path, auth_config(auth_extra=limit)) as dashboard:
        client = dashboard.client()
        await log_in(client, password="guess 1")
        await log_in(client, password="guess 2")
        blocked = await log_in(client)

    assert blocked.status_code == 429
    assert blocked.headers["retry-after"] == "60"


async def test_user_name_blocked_across_addresses(tmp_path: Path) -> None:
    async with auth_dashboard(tmp_path, auth_config(users=TWO_USERS)) as dashboard:
        for n in range(5):
            await log_in(dashboard.client(f"198.51.100.{n + 1}"), password="guess")
        alice = await log_in(dashboard.client("198.51.100.50"))
        bob = await log_in(dashboard.client("198.51.100.51"), username="bob", password="battery staple")

    assert alice.status_code == 429
    assert bob.status_code == 200


async def test_known_address_skips_user_block(tmp_path: Path) -> None:
    async with auth_dashboard(tmp_path, auth_config()) as dashboard:
        owner = dashboard.client("198.51.100.7")
        await log_in(owner)
        for n in range(5):
            await log_in(dashboard.client(f"203.0.113.{n + 1}"), password="guess")

        response = await log_in(owner)

    assert response.status_code == 200


async def test_spoofed_forwarded_for_ignored_unless_proxied(tmp_path: Path) -> None:
    async with auth_dashboard(tmp_path, auth_config(users=TWO_USERS)) as dashboard:
        client = dashboard.client("198.51.100.20")
        for n in range(5):
            headers = {"X-Forwarded-For": f"192.0.2.{n + 1}"}
            await log_in(client, username=f"name{n}", password="guess", headers=headers)

        response = await log_in(client, username="bob", password="battery staple", headers={"X-Forwarded-For": "192.0.2.99"})

    assert response.status_code == 429


async def test_household_behind_proxy_not_locked_out(tmp_path: Path) -> None:
    async with auth_dashboard(tmp_path, auth_config(server_extra=PROXIED, users=TWO_USERS)) as dashboard:
        proxy = dashboard.client("127.0.0.1")
        attacker = {"X-Forwarded-For": "203.0.113.5"}
        for n in range(5):
            await log_in(proxy, username="bob", password=f"guess {n}", headers=attacker)

        blocked = await log_in(proxy, username="alice", headers=attacker)
        owner = await log_in(proxy, username="alice", headers={"X-Forwarded-For": "198.51.100.7"})

    assert blocked.status_code == 429
    assert owner.status_code == 200


async def test_owner_keeps_access_when_guessed(tmp_path: Path) -> None:
    async with auth_dashboard(tmp_path, auth_config(server_extra=PROXIED)) as dashboard:
        proxy = dashboard.client("127.0.0.1")
        owner = {"X-Forwarded-For": "198.51.100.7"}
        await log_in(proxy, headers=owner)
        for n in range(5):
            await log_in(proxy, password=f"guess {n}", headers={"X-Forwarded-For": "203.0.113.5"})

        response = await log_in(proxy, headers=owner)

    assert response.status_code == 200


async def test_client_spoof_behind_proxy_fails(tmp_path: Path) -> None:
    # The attacker writes its own X-Forwarded-For; the proxy appends the real address.
    async with auth_dashboard(tmp_path, auth_config(server_extra=PROXIED, users=TWO_USERS)) as dashboard:
        proxy = dashboard.client("127.0.0.1")
        for n in range(5):
            spoofed = {"X-Forwarded-For": f"192.0.2.{n + 1}, 203.0.113.5"}
            await log_in(proxy, username=f"name{n}", password="guess", headers=spoofed)

        response = await log_in(
            proxy, username="bob", password="battery staple", headers={"X-Forwarded-For": "192.0.2.99, 203.0.113.5"}
        )

    assert response.status_code == 429


# ----- where the login page sends the user afterwards


@pytest.mark.parametrize(
    ("value", "base", "expected"),
    [
        ("/second", "", "/second"),
        ("/second?view=compact", "", "/second?view=compact"),
        ("/luna/second", "/luna", "/luna/second"),
        ("/luna", "/luna", "/luna"),
        (None, "/luna", "/luna/"),
        ("", "", "/"),
        ("https://evil.example/", "", "/"),
        ("//evil.example/", "", "/"),
        ("/\\evil.example/", "", "/"),
        ("javascript:alert(1)", "", "/"),
        ("/other-app/", "/luna", "/luna/"),
        ("/lunatic/", "/luna", "/luna/"),
        ("/luna/api/events", "/luna", "/luna/"),
        ("/luna/login?next=/luna/", "/luna", "/luna/"),
        ("/luna/logout", "/luna", "/luna/"),
        ("/second\r\nSet-Cookie: x=1", "", "/"),
        ("/luna/api", "/luna", "/luna/"),
        ("/luna/../etc/", "/luna", "/luna/"),
        ("/luna/a/../second", "/luna", "/luna/second"),
        ("/luna/second/", "/luna", "/luna/second/"),
        ("?view=compact", "", "/"),
    ],
)
def test_next_only_same_dashboard(value: str | None, base: str, expected: str) -> None:
    assert safe_next(value, base) == expected


async def test_login_page_carries_safe_next(tmp_path: Path) -> None:
    async with auth_dashboard(tmp_path, auth_config(base_url="/luna")) as dashboard:
        good = await dashboard.client().get("/luna/login", params={"next": "/luna/second"})
        bad = await dashboard.client().get("/luna/login", params={"next": "//evil.example/"})

    assert 'data-next="/luna/second"' in good.text
    assert 'data-next="/luna/"' in bad.text
    assert 'action="/luna/api/authenticate"' in good.text
