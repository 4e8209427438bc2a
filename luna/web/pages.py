"""HTML documents: the pages of the dashboard and the not-found page."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from luna.web.requests import runtime_of, theme_key

HTML_HEADERS = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}


async def first_page(request: Request) -> Response:
    runtime = runtime_of(request)
    return _document(request, runtime.dashboard.first_page.slug)


async def page(request: Request) -> Response:
    return _document(request, request.path_params["slug"])


def _document(request: Request, slug: str) -> Response:
    runtime = runtime_of(request)
    view = runtime.dashboard.page(slug)
    if view is None:
        return _not_found_response(request, "page")

    hub = runtime.hub
    html = runtime.renderer.render_document(
        view, theme_key(request), live_last_id=str(hub.ids.last), live_retry_ms=hub.settings.retry_ms
    )
    return HTMLResponse(html, headers=HTML_HEADERS)


async def not_found(request: Request, what: str) -> Response:
    return _not_found_response(request, what)


def _not_found_response(request: Request, what: str) -> Response:
    runtime = runtime_of(request)
    html = runtime.renderer.render_not_found(theme_key(request), what)
    return HTMLResponse(html, status_code=404, headers=HTML_HEADERS)
