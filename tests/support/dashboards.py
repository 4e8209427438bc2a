"""Build a configured runtime and an HTTP client for it, without a real server."""

from __future__ import annotations

import textwrap
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx

from luna.clock import ManualClock
from luna.config.loader import LoadedConfig, load_config
from luna.runtime import Runtime
from luna.web.app import create_app


def write_config(folder: Path, text: str, name: str = "luna.yml") -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def load_text(folder: Path, text: str, environ: dict[str, str] | None = None) -> LoadedConfig:
    return load_config(write_config(folder, text), environ=environ or {})


@asynccontextmanager
async def running_dashboard(
    folder: Path, text: str, environ: dict[str, str] | None = None, clock: ManualClock | None = None
) -> AsyncIterator[tuple[Runtime, httpx.AsyncClient]]:
    """A started runtime with a manual clock, and a client that talks to its app in-process.

    Nothing refreshes until the test advances the clock or calls the
    scheduler itself.
    """

    runtime = Runtime(load_text(folder, text, environ), clock=clock or ManualClock())
    app = create_app(runtime)
    await runtime.start()
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://luna.test") as client:
            yield runtime, client
    finally:
        await runtime.stop()
