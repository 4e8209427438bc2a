"""A dashboard with logins for tests: a fixed key, fast bcrypt hashes and a login helper."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import bcrypt
import httpx
from starlette.types import ASGIApp

from luna.clock import ManualClock
from luna.runtime import Runtime
from luna.web.app import create_app
from tests.support.dashboards import load_text

# 64 bytes, the size Glance's `secret:make` prints.
SECRET_KEY = base64.b64encode(bytes(range(64))).decode()
OTHER_SECRET_KEY = base64.b64encode(bytes(range(64, 128))).decode()
PASSWORD = "correct horse"
# Cost 4, bcrypt's minimum, keeps each login check around a millisecond.
PASSWORD_HASH = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(4)).decode()
OTHER_PASSWORD_HASH = bcrypt.hashpw(b"battery staple", bcrypt.gensalt(4)).decode()


def auth_config(
    base_url: str = "",
    server_extra: str = "",
    auth_extra: str = "",
    users: str | None = None,
    secret_key: str = SECRET_KEY,
) -> str:
    """A one-page dashboard with the user `alice`, whose password is PASSWORD."""

    users = users if users is not None else f'    alice:\n      password-hash: "{PASSWORD_HASH}"\n'
    return (
        "server:\n"
        f"  base-url: {base_url or '/'}\n"
        f"{server_extra}"
        "auth:\n"
        f"  secret-key: {secret_key}\n"
        f"{auth_extra}"
        "  users:\n"
        f"{users}"
        "pages:\n"
        "  - name: Home\n"
        "    columns:\n"
        "      - size: full\n"
        "        widgets:\n"
        "          - type: clock\n"
        "  - name: Second\n"
        "    columns:\n"
        "      - size: full\n"
        "        widgets:\n"
        "          - type: clock\n"
    )


async def log_in(
    client: httpx.AsyncClient,
    username: str = "alice",
    password: str = PASSWORD,
    base_url: str = "",
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """POST the credentials as the login page does."""

    return await client.post(f"{base_url}/api/authenticate", json={"username": username, "password": password}, headers=headers)


def cookie_attributes(header: str) -> dict[str, str]:
    """Split a Set-Cookie header into its attributes, lower-cased names; flags map to ""."""

    name_value, *attributes = [part.strip() for part in header.split(";")]
    parsed = {"": name_value}
    for attribute in attributes:
        key, _, value = attribute.partition("=")
        parsed[key.lower()] = value
    return parsed


class AuthDashboard:
    """A started runtime with logins, and in-process clients that connect from any address."""

    def __init__(self, runtime: Runtime, app: ASGIApp) -> None:
        self.runtime = runtime
        self.app = app
        self.clock: ManualClock = runtime.clock  # type: ignore[assignment]
        self._clients: list[httpx.AsyncClient] = []

    def client(self, address: str = "127.0.0.1", scheme: str = "http") -> httpx.AsyncClient:
        """A client whose requests come from `address`; each keeps its own cookies."""

        transport = httpx.ASGITransport(app=self.app, client=(address, 40000))
        client = httpx.AsyncClient(transport=transport, base_url=f"{scheme}://luna.test")
        self._clients.append(client)
        return client

    async def close(self) -> None:
        for client in self._clients:
            await client.aclose()


@asynccontextmanager
async def auth_dashboard(folder: Path, text: str) -> AsyncIterator[AuthDashboard]:
    runtime = Runtime(load_text(folder, text), clock=ManualClock())
    app = create_app(runtime)
    await runtime.start()
    dashboard = AuthDashboard(runtime, app)
    try:
        yield dashboard
    finally:
        await dashboard.close()
        await runtime.stop()
