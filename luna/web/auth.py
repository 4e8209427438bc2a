"""The session check in front of every route, and the session cookie.

With `auth.users` set, a request needs a valid session cookie except for the
login route, the health check, static files and the manifest. Pages without
one are redirected to the login page, which sends the user back to the page
afterwards. Every other `/api/` path returns 401 with a JSON body, never a
redirect, so scripts and the page's own fetches can tell an expired session
from a missing page. Unknown paths get the same responses as forbidden ones,
so an anonymous caller learns nothing about which pages and widgets exist.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import os
from collections.abc import Callable
from email.utils import formatdate
from urllib.parse import quote

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from luna.auth.passwords import PasswordBook, account_from_config, plain_password_rounds
from luna.auth.sessions import EndedSessions, Session, SessionCodec
from luna.auth.throttle import LoginThrottle, ThrottleSettings
from luna.config.models import Auth
from luna.dashboard import Dashboard
from luna.runtime import Runtime
from luna.web.csrf import cross_origin_reason
from luna.web.proxies import header_values, is_https

logger = logging.getLogger(__name__)

SESSION_COOKIE = "session_token"
OPEN_PATHS = frozenset({"/api/healthz", "/manifest.json", "/login", "/login/", "/logout", "/logout/", "/api/authenticate"})
OPEN_PREFIXES = ("/static/", "/assets/")
EVENTS_PATH = "/api/events"


def is_api_path(path: str) -> bool:
    """Return whether a path (below the base URL) is an API route, which returns JSON and never redirects."""

    return path == "/api" or path.startswith("/api/")
# Keys the gate adds to the ASGI scope for the handlers behind it.
SESSION_SCOPE_KEY = "luna.session"
EXTRA_HEADERS_SCOPE_KEY = "luna.response_headers"


class Authenticator:
    """The users, secret key and login limit of one `auth` section, ready to check logins and tokens."""

    def __init__(self, auth: Auth) -> None:
        self.auth = auth
        rounds = plain_password_rounds(user.password_hash for user in auth.users.values() if user.password_hash)
        accounts = {
            name: account_from_config(name, user.password, user.password_hash, rounds)
            for name, user in auth.users.items()
        }
        self.book = PasswordBook(accounts)
        self.key = auth.key_bytes
        self.codec = SessionCodec(self.key)
        self.throttle_settings = ThrottleSettings(auth.login_limit.failures, auth.login_limit.window)
        logger.info(
            "logins required: %d %s (%s)", len(accounts), "user" if len(accounts) == 1 else "users", ", ".join(sorted(accounts))
        )

    def start_session(self, user: str, now: float) -> Session:
        return self.codec.issue(user, self._fingerprint(user), now)

    def renew(self, session: Session, now: float) -> Session:
        return self.codec.issue(session.user, session.fingerprint, now, session_id=session.id)

    def session_of(self, token: str, now: float, ended: EndedSessions) -> Session | None:
        """Return the session of a token that is signed, unexpired, not ended and of a user whose password is unchanged."""

        session = self.codec.read(token, now)
        if session is None or session.id in ended:
            return None
        if session.fingerprint != self.book.fingerprint(self.key, session.user):
            return None
        return session

    def _fingerprint(self, user: str) -> str:
        fingerprint = self.book.fingerprint(self.key, user)
        if fingerprint is None:
            raise LookupError(f"no user {user!r} in the configuration")
        return fingerprint


class SessionGate:
    """Checks sessions and cross-origin POSTs in front of the app; one per app, kept across reloads.

    The login throttle and the ended sessions live here, so a reload does
    not reset them. The users and key come from the current configuration.
    """

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.throttle = LoginThrottle()
        self.ended = EndedSessions()
        self._authenticator: Authenticator | None = None
        # bcrypt is CPU-bound: more checks at once than cores only make each slower.
        self.verifications = asyncio.Semaphore(os.cpu_count() or 2)
        runtime.reload_listeners.append(self._after_reload)

    @property
    def authenticator(self) -> Authenticator | None:
        """Return the authenticator of the current `auth` section, or None when no users are configured."""

        auth = self.runtime.dashboard.config.auth
        if not auth.enabled:
            return None

        current = self._authenticator
        if current is not None and current.auth is auth:
            return current
        if current is not None and current.auth == auth:
            # A reload that left the section as it was keeps the checked users.
            current.auth = auth
            return current

        # Usually built ahead by `prepare`. Plain passwords are hashed once per
        # process, so only a password new to this process costs bcrypt work here.
        self._authenticator = Authenticator(auth)
        return self._authenticator

    async def prepare(self) -> None:
        """Build the authenticator of the current configuration in a thread, so no request waits on bcrypt."""

        await asyncio.to_thread(lambda: self.authenticator)

    def wrap(self, app: ASGIApp) -> ASGIApp:
        async def gated(scope: Scope, receive: Receive, send: Send) -> None:
            await self.check(scope, receive, send, app)

        return gated

    async def check(self, scope: Scope, receive: Receive, send: Send, app: ASGIApp) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return

        server = self.runtime.dashboard.config.server
        reason = cross_origin_reason(scope, server)
        if reason is not None:
            # Only a Host mismatch can come from the proxy's setup; what the
            # browser itself reported cannot be changed by any setting.
            advice = (
                ""
                if "Sec-Fetch-Site" in reason
                else "; behind a proxy that changes the Host header, set server.proxied "
                "and have the proxy send X-Forwarded-Host"
            )
            logger.warning("rejected a cross-origin %s %s: %s%s", scope["method"], scope["path"], reason, advice)
            await _send_json(send, 403, {"error": f"Cross-origin request rejected: {reason}"})
            return

        authenticator = self.authenticator
        path = relative_path(scope)
        if authenticator is None or _is_open(path):
            await app(scope, receive, send)
            return

        now = self.runtime.clock.now()
        session = self.session_from_cookie(scope, authenticator)
        if session is None:
            await self._refuse(scope, send, path)
            return

        scope = dict(scope)
        scope[SESSION_SCOPE_KEY] = session
        if session.renewal_due(now):
            session = authenticator.renew(session, now)
            scope[SESSION_SCOPE_KEY] = session
            cookie = (b"set-cookie", self.session_cookie(scope, session).encode("latin-1"))
            if path == EVENTS_PATH:
                # The stream writes its own headers, and wrapping its `send`
                # would slow every message it writes.
                scope[EXTRA_HEADERS_SCOPE_KEY] = [cookie]
            else:
                send = _with_header(send, cookie)
        await app(scope, receive, send)

    def session_from_cookie(self, scope: Scope, authenticator: Authenticator) -> Session | None:
        # A browser may hold two cookies of this name, such as one left by
        # Glance with another path; any valid one will do.
        now = self.runtime.clock.now()
        for token in cookie_values(scope, SESSION_COOKIE):
            session = authenticator.session_of(token, now, self.ended)
            if session is not None:
                return session
        return None

    async def _refuse(self, scope: Scope, send: Send, path: str) -> None:
        base = self.runtime.dashboard.config.server.base_url
        headers: list[tuple[bytes, bytes]] = [(b"cache-control", b"no-store")]
        if cookie_values(scope, SESSION_COOKIE):
            # A stale cookie would be sent with every request until it expires.
            headers.append((b"set-cookie", self.clearing_cookie(scope).encode("latin-1")))

        if is_api_path(path):
            body = {"error": "Not logged in, or the session has expired", "login_url": f"{base}/login"}
            await _send_json(send, 401, body, headers)
            return

        target = base + path
        query = scope.get("query_string", b"").decode("latin-1")
        if query:
            target += "?" + query
        location = f"{base}/login?next={quote(target, safe='')}"
        headers.append((b"location", location.encode("latin-1")))
        await _send_json(send, 303, {"error": "Log in to see this page", "login_url": location}, headers)

    def session_cookie(self, scope: Scope, session: Session) -> str:
        max_age = max(0, math.ceil(session.expires_at - self.runtime.clock.now()))
        return self._cookie(scope, session.token, max_age, session.expires_at)

    def clearing_cookie(self, scope: Scope) -> str:
        return self._cookie(scope, "", 0, 0)

    def _cookie(self, scope: Scope, value: str, max_age: int, expires_at: float) -> str:
        server = self.runtime.dashboard.config.server
        parts = [
            f"{SESSION_COOKIE}={value}",
            f"Path={server.base_url or '/'}",
            f"Max-Age={max_age}",
            f"Expires={formatdate(expires_at, usegmt=True)}",
            "HttpOnly",
            "SameSite=Lax",
        ]
        if is_https(scope, server):
            parts.append("Secure")
        return "; ".join(parts)

    def end_session(self, session: Session) -> None:
        """End a session for good and close the event streams it opened."""

        self.ended.end(session, self.runtime.clock.now())
        self._close_streams(lambda other: other.id == session.id)

    def _close_streams(self, should_close: Callable[[Session], bool]) -> None:
        for subscriber in list(self.runtime.hub.subscribers):
            session = subscriber.session
            if isinstance(session, Session) and should_close(session):
                self.runtime.hub.unsubscribe(subscriber)

    async def _after_reload(self, old: Dashboard, new: Dashboard) -> None:
        """Close the event streams of sessions the new configuration no longer accepts."""

        await self.prepare()
        authenticator = self.authenticator
        if authenticator is None:
            return

        now = self.runtime.clock.now()
        self._close_streams(lambda session: authenticator.session_of(session.token, now, self.ended) is None)


def relative_path(scope: Scope) -> str:
    """Return the request path below the base URL."""

    path: str = scope["path"]
    root = scope.get("root_path", "")
    if root and path.startswith(root):
        return path[len(root) :] or "/"
    return path


def _is_open(path: str) -> bool:
    return path in OPEN_PATHS or path.startswith(OPEN_PREFIXES)


def cookie_values(scope: Scope, name: str) -> list[str]:
    values = []
    for header in header_values(scope, b"cookie"):
        for pair in header.split(";"):
            key, _, value = pair.strip().partition("=")
            if key == name and value.strip().strip('"'):
                values.append(value.strip().strip('"'))
    return values


def _with_header(send: Send, header: tuple[bytes, bytes]) -> Send:
    async def send_with_header(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), header]}
        await send(message)

    return send_with_header


async def _send_json(send: Send, status: int, body: dict[str, str], headers: list[tuple[bytes, bytes]] | None = None) -> None:
    payload = json.dumps(body).encode()
    all_headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
        *(headers or []),
    ]
    await send({"type": "http.response.start", "status": status, "headers": all_headers})
    await send({"type": "http.response.body", "body": payload})
