"""The JSON and HTML-fragment API under `/api/`."""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from luna import __version__
from luna.web.requests import THEME_COOKIE, etag_matches, runtime_of

# Two years, as Glance keeps the theme choice.
THEME_COOKIE_AGE = 2 * 365 * 24 * 3600


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok", "version": __version__})


async def not_found(request: Request) -> Response:
    return JSONResponse({"error": "Not found"}, status_code=404)


async def page_content(request: Request) -> Response:
    runtime = runtime_of(request)
    view = runtime.dashboard.page(request.path_params["slug"])
    if view is None:
        return JSONResponse({"error": "Page not found"}, status_code=404)

    content = runtime.renderer.page_content(view)
    return _fragment(request, content.html, content.etag)


async def widget_content(request: Request) -> Response:
    runtime = runtime_of(request)
    widget = runtime.dashboard.widgets.get(request.path_params["widget_id"])
    if widget is None or widget.rendered is None:
        return JSONResponse({"error": "Widget not found"}, status_code=404)

    rendered = widget.rendered
    return _fragment(request, rendered.html, f'"{rendered.version}"')


def _fragment(request: Request, html: str, etag: str) -> Response:
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if etag_matches(request, etag):
        return Response(status_code=304, headers=headers)
    return HTMLResponse(html, headers=headers)


async def widget_data(request: Request) -> Response:
    runtime = runtime_of(request)
    widget = runtime.dashboard.widgets.get(request.path_params["widget_id"])
    if widget is None:
        return JSONResponse({"error": "Widget not found"}, status_code=404)

    state = widget.state
    body = {
        "id": widget.id,
        "type": widget.type,
        "title": widget.title,
        "page": widget.page_slug,
        "loaded": state.loaded,
        "error": state.error,
        "stale": state.stale,
        "updated_at": _iso(state.succeeded_at),
        "attempted_at": _iso(state.attempted_at),
        "version": widget.rendered.version if widget.rendered else None,
        "data": widget.public_data(),
    }
    return JSONResponse(body, headers={"Cache-Control": "no-cache"})


def _iso(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")


async def set_theme(request: Request) -> Response:
    runtime = runtime_of(request)
    key = request.path_params["key"]
    renderer = runtime.renderer
    if runtime.dashboard.config.theme.disable_picker or key not in renderer.themes:
        return JSONResponse({"error": f"Unknown theme {key!r}"}, status_code=404)

    choice = renderer.themes[key]
    response = Response(choice.css, media_type="text/css", headers={"X-Scheme": choice.scheme})
    response.set_cookie(
        THEME_COOKIE,
        key,
        max_age=THEME_COOKIE_AGE,
        path=renderer.url("/"),
        samesite="lax",
        httponly=False,
    )
    return response
