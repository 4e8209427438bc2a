"""Start luna: load the configuration (or the demo), build the app and run uvicorn."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from dataclasses import dataclass, field
from pathlib import Path

import uvicorn
from starlette.types import ASGIApp

from luna import __version__
from luna.config.errors import display_path
from luna.config.loader import LoadedConfig, load_config
from luna.config.watch import ConfigWatcher
from luna.demo.service import DemoService
from luna.runtime import Runtime
from luna.web.app import create_app

logger = logging.getLogger(__name__)

DEMO_CONFIG = Path(__file__).resolve().parent / "demo" / "demo.yml"


@dataclass
class Services:
    """Background helpers that live as long as the server: the watcher and the demo service."""

    watcher: ConfigWatcher | None = None
    demo: DemoService | None = None
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def start(self, runtime: Runtime) -> None:
        if self.demo is not None:
            await self.demo.start()
        if self.watcher is not None:
            self.tasks.append(asyncio.create_task(self.watcher.run(), name="config watcher"))

    async def stop(self, runtime: Runtime) -> None:
        for task in self.tasks:
            task.cancel()
        # A task that ended with an error must not keep the demo and the
        # runtime from stopping, so its error is logged here, not raised.
        results = await asyncio.gather(*self.tasks, return_exceptions=True)
        for task, result in zip(self.tasks, results, strict=True):
            if isinstance(result, Exception):
                logger.error("%s had stopped with an error: %r", task.get_name(), result)
        self.tasks.clear()
        if self.demo is not None:
            await self.demo.stop()


def load_demo(host: str, port: int, demo: DemoService | None = None) -> tuple[LoadedConfig, DemoService]:
    """Load the built-in demo configuration, pointing its monitor at `demo` and at luna itself.

    Tests pass a demo service with a manual clock so its flips are deterministic.
    """

    demo = demo or DemoService()
    self_host = "127.0.0.1" if host in ("", "0.0.0.0") else ("[::1]" if host == "::" else host)
    environ = {
        **os.environ,
        "LUNA_DEMO_SERVICE_URL": demo.url,
        "LUNA_DEMO_SELF_URL": f"http://{self_host}:{port}/api/healthz",
    }
    loaded = load_config(DEMO_CONFIG, environ=environ)
    # The demo is not the user's file: nothing to watch or reload.
    loaded.path = None
    return loaded, demo


def build_app(loaded: LoadedConfig, services: Services) -> tuple[ASGIApp, Runtime]:
    """Build the app for a loaded configuration, with a watcher that reloads it when its files change."""

    runtime = Runtime(loaded)
    if loaded.path is not None:
        config_path = loaded.path
        services.watcher = ConfigWatcher(loaded, lambda: load_config(config_path), runtime.apply)
    return create_app(runtime, on_startup=[services.start], on_shutdown=[services.stop]), runtime


def serve(path: Path | None, host: str | None = None, port: int | None = None) -> int:
    """Serve until interrupted; raise ConfigError if the configuration is invalid."""

    services = Services()
    if path is None:
        listen_host, listen_port = host or "", 8080 if port is None else port
        loaded, services.demo = load_demo(listen_host, listen_port)
        logger.info("no luna.yml here and no --config given: serving the built-in demo")
    else:
        loaded = load_config(path)
        server = loaded.config.server
        listen_host, listen_port = host if host is not None else server.host, server.port if port is None else port

    app, runtime = build_app(loaded, services)
    runtime.listening = (listen_host, listen_port)
    runtime.listening_from_command_line = host is not None or port is not None
    bind = listen_host or "0.0.0.0"
    if not _port_is_free(bind, listen_port):
        logger.error(
            "cannot listen on %s:%d: the port is already in use; stop the program using it or choose another "
            "port with --port or server.port",
            bind,
            listen_port,
        )
        return 1

    base = loaded.config.server.base_url
    source = display_path(loaded.path) if loaded.path else "built-in demo"
    if bind == "0.0.0.0":
        logger.info(
            "luna %s serving on all interfaces, port %d; on this machine open http://127.0.0.1:%d%s/ (configuration: %s)",
            __version__,
            listen_port,
            listen_port,
            base,
            source,
        )
    else:
        shown = f"[{bind}]" if ":" in bind else bind
        logger.info("luna %s serving http://%s:%d%s/ (configuration: %s)", __version__, shown, listen_port, base, source)

    config = uvicorn.Config(
        app,
        host=bind,
        port=listen_port,
        log_config=None,
        access_log=False,
        proxy_headers=False,
        timeout_graceful_shutdown=3,
        server_header=False,
    )
    LunaServer(config, runtime).run()
    return 0


def _port_is_free(host: str, port: int) -> bool:
    """Whether the address can be bound now, so a port in use gets a clear message instead of uvicorn's errno."""

    if port == 0:
        return True
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


class LunaServer(uvicorn.Server):
    """uvicorn's server, ending every event stream as soon as shutdown begins.

    uvicorn waits for open responses before it runs the lifespan shutdown,
    and an event stream never ends by itself, so without this every stop
    would wait out the graceful-shutdown timeout.
    """

    def __init__(self, config: uvicorn.Config, runtime: Runtime) -> None:
        super().__init__(config)
        self.runtime = runtime

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self.runtime.hub.close_all()
        await super().shutdown(sockets)
