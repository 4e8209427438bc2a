"""The luna server the live-events benchmark drives, with a few routes for the driver.

Run by benchmarks/sse_bench.py as a separate process, so client load and
server load show up in different processes. The extra routes exist only
here: `POST /bench/publish?size=N` publishes one event of about N bytes and
stamps it with the publish time; `POST /bench/bump` refreshes a counter
widget, which renders once and publishes `widget:updated`; `GET /bench/stats`
reports the hub's counters, the number of renders and this process's memory.
"""

from __future__ import annotations

import gc
import json
import sys
import time
from pathlib import Path

import uvicorn
from jinja2 import ChoiceLoader, DictLoader
from starlette.types import Receive, Scope, Send

from luna.config.loader import load_config
from luna.events.types import Event
from luna.runtime import Runtime
from luna.server import LunaServer
from luna.web.app import create_app
from luna.web.rendering import Renderer
from luna.widgets.base import Widget, WidgetOptions
from luna.widgets.registry import register

CONFIG = Path(__file__).resolve().parent / "bench.yml"
RENDERS = {"count": 0}


@register
class CounterWidget(Widget):
    """A widget whose content changes on every refresh: a list of numbered rows."""

    type = "bench-counter"
    options_model = WidgetOptions
    default_title = "Counter"
    default_interval = 3600.0

    def __init__(self, *arguments, **keywords) -> None:
        super().__init__(*arguments, **keywords)
        self.count = 0

    async def refresh(self, context) -> int:
        self.count += 1
        return self.count


COUNTER_TEMPLATE = """{% extends "widget-base.html" %}
{% block body %}<ol class="bench-rows">{% for row in range(40) %}<li>row {{ row }} of refresh {{ data }}</li>{% endfor %}</ol>{% endblock %}"""

_original_environment = Renderer._environment


def _environment_with_counter(self: Renderer):
    environment = _original_environment(self)
    environment.loader = ChoiceLoader([DictLoader({"widgets/bench-counter.html": COUNTER_TEMPLATE}), environment.loader])
    return environment


Renderer._environment = _environment_with_counter  # type: ignore[method-assign]


_original_render = Renderer.render_widget


def _counting_render(self: Renderer, widget: Widget):
    RENDERS["count"] += 1
    return _original_render(self, widget)


Renderer.render_widget = _counting_render  # type: ignore[method-assign]


def resident_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class BenchRoutes:
    def __init__(self, app, runtime: Runtime) -> None:
        self.app = app
        self.runtime = runtime
        self.sequence = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith("/bench/"):
            await self.app(scope, receive, send)
            return

        if path == "/bench/publish":
            size = int(dict(part.split("=") for part in scope["query_string"].decode().split("&") if "=" in part).get("size", 300))
            self.sequence += 1
            padding = "x" * max(size - 120, 0)
            published = time.time()
            self.runtime.hub.publish(Event("bench", {"seq": self.sequence, "t": published, "pad": padding}))
            body = {"seq": self.sequence, "t": published}
        elif path == "/bench/bump":
            widget = next(w for w in self.runtime.dashboard.widgets.values() if w.type == "bench-counter")
            await self.runtime.scheduler.refresh_once(widget)
            body = {"version": widget.rendered.version, "html": widget.rendered.html}
        else:
            gc.collect()
            stats = self.runtime.hub.stats
            body = {
                "rss_kib": resident_kib(),
                "subscribers": len(self.runtime.hub.subscribers),
                "sent": stats.sent,
                "dropped_clients": stats.dropped_clients,
                "renders": RENDERS["count"],
            }
        payload = json.dumps(body).encode()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": payload})


def main() -> None:
    port = int(sys.argv[1])
    runtime = Runtime(load_config(CONFIG, environ={}), start_spread=0.0)
    app = BenchRoutes(create_app(runtime), runtime)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_config=None, access_log=False, backlog=4096, loop="uvloop", http="httptools"
    )
    LunaServer(config, runtime).run()


if __name__ == "__main__":
    main()
