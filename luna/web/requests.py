"""Helpers shared by the request handlers."""

from __future__ import annotations

from starlette.requests import Request

from luna.runtime import Runtime

THEME_COOKIE = "theme"


def runtime_of(request: Request) -> Runtime:
    return request.app.state.runtime


def theme_key(request: Request) -> str | None:
    return request.cookies.get(THEME_COOKIE)


def etag_matches(request: Request, etag: str) -> bool:
    """Whether the client's If-None-Match already names this version."""

    header = request.headers.get("if-none-match", "")
    candidates = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return etag in candidates or "*" in candidates
