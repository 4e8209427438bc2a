"""Built-in assets, the user's `/assets/` folder and the web app manifest."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

from luna.web.requests import runtime_of
from luna.web.theme import background_hex

IMMUTABLE = "public, max-age=31536000, immutable"
# Glance caches the user's assets for two hours.
USER_ASSET_CACHE = "public, max-age=7200"


async def built_in_file(request: Request) -> Response:
    runtime = runtime_of(request)
    asset = runtime.assets.get(request.path_params["path"])
    if asset is None:
        return Response("Not found", status_code=404, media_type="text/plain")

    # A page from before an upgrade may still ask for the old hash: serve the
    # current file, but do not let the browser keep it under that name.
    current = request.path_params["version"] == runtime.assets.version
    cache = IMMUTABLE if current else "no-cache"
    return Response(asset.body, media_type=asset.media_type, headers={"Cache-Control": cache})


async def user_file(request: Request) -> Response:
    runtime = runtime_of(request)
    folder = runtime.dashboard.config.server.assets_path
    if folder is None:
        return Response("Not found", status_code=404, media_type="text/plain")

    path = _inside(folder, request.path_params["path"])
    if path is None or not path.is_file():
        return Response("Not found", status_code=404, media_type="text/plain")
    return FileResponse(path, headers={"Cache-Control": USER_ASSET_CACHE})


def _inside(folder: Path, relative: str) -> Path | None:
    """Resolve a requested path, refusing anything that leaves the assets folder."""

    candidate = (folder / relative).resolve()
    if candidate != folder and folder not in candidate.parents:
        return None
    return candidate


async def manifest(request: Request) -> Response:
    runtime = runtime_of(request)
    renderer = runtime.renderer
    config = runtime.dashboard.config
    branding = config.branding

    icon = renderer.user_url(branding.app_icon_url) or renderer.static_url("icons/app-icon.png")
    body = {
        "name": branding.app_name,
        "short_name": branding.app_name,
        "display": "standalone",
        "background_color": branding.app_background_color or background_hex(config.theme),
        "theme_color": branding.app_background_color or background_hex(config.theme),
        "scope": renderer.url("/"),
        "start_url": renderer.url("/"),
        "icons": [{"src": icon, "type": _icon_type(icon), "sizes": "512x512"}],
    }
    return JSONResponse(body, media_type="application/manifest+json", headers={"Cache-Control": "no-cache"})


def _icon_type(url: str) -> str:
    path = url.split("?", 1)[0].lower()
    if path.endswith(".svg"):
        return "image/svg+xml"
    if path.endswith((".jpg", ".jpeg")):
        return "image/jpeg"
    return "image/png"
