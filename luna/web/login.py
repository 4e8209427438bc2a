"""The login page, `POST /api/authenticate` and `/logout`."""

from __future__ import annotations

import asyncio
import json
import logging
import posixpath
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from luna.web.auth import Authenticator, SessionGate
from luna.web.pages import HTML_HEADERS, not_found
from luna.web.proxies import client_address
from luna.web.requests import runtime_of, theme_key

logger = logging.getLogger(__name__)

# A login body contains two short strings, so anything bigger is not a login.
MAX_BODY_BYTES = 4096
WRONG_CREDENTIALS = "Wrong user name or password"


def gate_of(request: Request) -> SessionGate:
    return request.app.state.gate


async def login_page(request: Request) -> Response:
    gate = gate_of(request)
    authenticator = gate.authenticator
    if authenticator is None:
        return await not_found(request, "page")

    runtime = runtime_of(request)
    base = runtime.dashboard.config.server.base_url
    next_url = safe_next(request.query_params.get("next"), base)
    if gate.session_from_cookie(request.scope, authenticator) is not None:
        return RedirectResponse(next_url, status_code=303)

    html = runtime.renderer.render_login(theme_key(request), next_url)
    return HTMLResponse(html, headers={**HTML_HEADERS, "Cache-Control": "no-store"})


# Paths below the base URL that are never a page to return to.
RESERVED_PATHS = ("/api", "/login", "/logout", "/static")


def safe_next(value: str | None, base: str) -> str:
    """Return where to go after logging in: `value` when it is a page of this dashboard, else the first page.

    Only paths under the base URL count, so the login page cannot send
    anyone to another site (`//evil.example`, `https://…`, `/\\evil`).
    """

    home = f"{base}/"
    if not value or any(character in value for character in "\\\r\n\t") or value.startswith("//"):
        return home

    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return home

    # The browser resolves `..` before it sends the request, so check the path it will request.
    path = posixpath.normpath(parts.path) if parts.path else ""
    if parts.path.endswith("/") and not path.endswith("/"):
        path += "/"
    if not path or not (path == base or path.startswith(home)):
        return home

    below = path[len(base) :] or "/"
    if any(below == reserved or below.startswith(reserved + "/") for reserved in RESERVED_PATHS):
        return home
    return urlunsplit(("", "", path, parts.query, parts.fragment))


async def authenticate(request: Request) -> Response:
    gate = gate_of(request)
    authenticator = gate.authenticator
    if authenticator is None:
        return JSONResponse({"error": "Logins are off: the configuration has no auth.users"}, status_code=404)

    credentials = await _read_credentials(request)
    if isinstance(credentials, Response):
        return credentials
    username, password = credentials

    runtime = runtime_of(request)
    address = client_address(request.scope, runtime.dashboard.config.server)
    settings = authenticator.throttle_settings
    attempted_at = runtime.clock.now()
    wait = gate.throttle.attempt(address, username, attempted_at, settings)
    if wait is not None:
        logger.debug("login for user %.60r from %s rejected for %d s more: too many failures", username, address, wait)
        return _too_many(wait)

    async with gate.verifications:
        account = await asyncio.to_thread(authenticator.book.verify, username, password)

    now = runtime.clock.now()
    if account is None:
        return _failed(gate, authenticator, address, username, now)

    gate.throttle.succeeded(address, username, attempted_at, now)
    session = authenticator.start_session(account.name, now)
    logger.info("user %.60r logged in from %s", account.name, address)
    response = JSONResponse({"user": account.name}, headers={"Cache-Control": "no-store"})
    response.headers.append("set-cookie", gate.session_cookie(request.scope, session))
    return response


def _failed(gate: SessionGate, authenticator: Authenticator, address: str, username: str, now: float) -> Response:
    # `attempt` has already counted this try.
    settings = authenticator.throttle_settings
    logger.info("failed login for user %.60r from %s", username, address)

    wait = gate.throttle.wait(address, username, now, settings)
    if wait is not None:
        logger.warning(
            "login for user %.60r from %s blocked for %d s: %d failed logins within %g s (auth.login-limit)",
            username,
            address,
            wait,
            settings.limit,
            settings.window,
        )
    return JSONResponse({"error": WRONG_CREDENTIALS}, status_code=401, headers={"Cache-Control": "no-store"})


def _too_many(wait: int) -> Response:
    body = {"error": f"Too many failed logins; try again in {wait} seconds", "retry_after": wait}
    return JSONResponse(body, status_code=429, headers={"Retry-After": str(wait), "Cache-Control": "no-store"})


async def _read_credentials(request: Request) -> tuple[str, str] | Response:
    """Return the user name and password of a JSON login body, or a 400 response saying what is wrong."""

    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        return _bad_request("send the login as JSON with Content-Type: application/json")

    body = await _read_body(request)
    if body is None:
        return _bad_request(f"the login body is larger than {MAX_BODY_BYTES} bytes")

    try:
        fields: Any = json.loads(body)
    except ValueError:
        return _bad_request("the login body is not valid JSON")
    if not isinstance(fields, dict):
        return _bad_request('the login body must be a JSON object with "username" and "password"')

    username, password = fields.get("username"), fields.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        return _bad_request('"username" and "password" must both be given as text')
    return username, password


async def _read_body(request: Request) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _bad_request(message: str) -> Response:
    return JSONResponse({"error": f"Bad request: {message}"}, status_code=400)


async def logout(request: Request) -> Response:
    gate = gate_of(request)
    authenticator = gate.authenticator
    if authenticator is None:
        return await not_found(request, "page")

    session = gate.session_from_cookie(request.scope, authenticator)
    base = runtime_of(request).dashboard.config.server.base_url
    fetch_site = request.headers.get("sec-fetch-site", "").strip().lower()
    if session is not None and fetch_site in ("cross-site", "same-site"):
        # A link on another site must not be able to log the user out.
        logger.warning("kept the session of user %.60r: the logout link was followed from another site", session.user)
        return RedirectResponse(f"{base}/", status_code=303, headers={"Cache-Control": "no-store"})

    # A HEAD request (a link checker, a prefetch) must not end the session.
    if session is not None and request.method == "GET":
        gate.end_session(session)
        address = client_address(request.scope, runtime_of(request).dashboard.config.server)
        logger.info("user %.60r logged out from %s", session.user, address)

    response = RedirectResponse(f"{base}/login", status_code=303, headers={"Cache-Control": "no-store"})
    response.headers.append("set-cookie", gate.clearing_cookie(request.scope))
    return response
