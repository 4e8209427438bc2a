"""The ASGI application: routes, the base-URL prefix and the lifespan."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from luna.runtime import Runtime
from luna.web import api, login, pages, static
from luna.web.auth import SessionGate
from luna.web.events import EventStream

logger = logging.getLogger(__name__)

LifespanHook = Callable[[Runtime], Awaitable[None]]

ANY_METHOD = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def create_app(
    runtime: Runtime,
    on_startup: list[LifespanHook] | None = None,
    on_shutdown: list[LifespanHook] | None = None,
) -> ASGIApp:
    """Build the application around a runtime; the hooks run after start and before stop."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await runtime.start()
        await gate.prepare()
        for hook in on_startup or []:
            await hook(runtime)
        try:
            yield
        finally:
            for hook in on_shutdown or []:
                await hook(runtime)
            await runtime.stop()

    # The gate stands in front of the event stream too, which skips Starlette.
    gate = SessionGate(runtime)

    routes = [
        Route("/", pages.first_page, methods=["GET", "HEAD"]),
        Route("/manifest.json", static.manifest, methods=["GET", "HEAD"]),
        Route("/static/{version}/{path:path}", static.built_in_file, methods=["GET", "HEAD"]),
        Route("/assets/{path:path}", static.user_file, methods=["GET", "HEAD"]),
        Route("/api/healthz", api.healthz, methods=["GET", "HEAD"]),
        Route("/api/authenticate", login.authenticate, methods=["POST"]),
        Route("/login", login.login_page, methods=["GET", "HEAD"]),
        Route("/login/", login.login_page, methods=["GET", "HEAD"]),
        Route("/logout", login.logout, methods=["GET", "HEAD"]),
        Route("/logout/", login.logout, methods=["GET", "HEAD"]),
        Route("/api/pages/{slug}/content/", api.page_content, methods=["GET", "HEAD"]),
        Route("/api/widgets/{widget_id}/content/", api.widget_content, methods=["GET", "HEAD"]),
        Route("/api/widgets/{widget_id}/data", api.widget_data, methods=["GET", "HEAD"]),
        Route("/api/set-theme/{key}", api.set_theme, methods=["POST"]),
        # Any method, so a POST to a mistyped API path gets the JSON 404 and not a bare 405.
        Route("/api/{rest:path}", api.not_found, methods=ANY_METHOD),
        Route("/{slug}", pages.page, methods=["GET", "HEAD"]),
        Route("/{slug}/", pages.page, methods=["GET", "HEAD"]),
    ]
    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={404: _not_found})
    # Starlette's slash redirects build an absolute URL from the Host header,
    # which behind a proxy names the wrong host or drops the base URL. Every
    # page route accepts both forms already, so a miss is a plain 404.
    app.router.redirect_slashes = False
    app.state.runtime = runtime
    app.state.gate = gate
    return BaseURLMiddleware(gate.wrap(app), runtime, gate.wrap(EventStream(runtime)))


async def _not_found(request: Request, exc: Exception) -> Response:
    if request.url.path.startswith("/api/"):
        return await api.not_found(request)
    return await pages.not_found(request, "page")


class BaseURLMiddleware:
    """Serve the app under `server.base-url`, whether or not the proxy strips it.

    Behind a proxy that forwards `/luna/api/...` unchanged, the prefix is
    removed here; behind one that strips it (Glance's expectation), requests
    arrive without it and pass through. Every URL luna emits carries the prefix.
    """

    def __init__(self, app: ASGIApp, runtime: Runtime, events: ASGIApp) -> None:
        self.app = app
        self.runtime = runtime
        self.events = events

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return

        base = self.runtime.dashboard.config.server.base_url
        path: str = scope["path"]
        if base and path == base:
            # `/luna` alone is the first page, like `/luna/`: a redirect to the
            # slash would need the public host name, which a proxy may hide.
            path = base + "/"
            scope = dict(scope, path=path, raw_path=path.encode())
        if base and path.startswith(base + "/"):
            # ASGI paths include the root path; Starlette routes on what follows it.
            scope = dict(scope, root_path=base)
            path = path[len(base) :]

        # The event stream skips Starlette's routing and middleware: a stream
        # lives for hours, and every layer would keep its frame per client.
        if path == "/api/events" and scope["type"] == "http" and scope["method"] == "GET":
            await self.events(scope, receive, send)
            return
        await self.app(scope, receive, send)
