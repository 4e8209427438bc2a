"""Build one widget from a YAML snippet and render it in any state, or run it in a dashboard the test refreshes by hand."""

from __future__ import annotations

import textwrap
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from luna.clock import ManualClock
from luna.runtime import Runtime
from luna.web.rendering import render_with_ancestors
from luna.widgets.base import Widget, WidgetState
from tests.support.dashboards import load_text, running_dashboard
from tests.support.html import Element, parse_html

# The smallest valid configuration of each built-in type. The widget frame
# tests run over every registered type, so a new type needs an entry here.
MINIMAL_WIDGETS = {
    "bookmarks": """
        type: bookmarks
        groups:
          - links:
              - title: Router
                url: http://192.168.1.1/
        """,
    "calendar": "type: calendar",
    "clock": "type: clock",
    "docker-containers": "type: docker-containers\nsock-path: /nonexistent/docker.sock",
    "custom-api": """
        type: custom-api
        url: http://127.0.0.1:9/api
        template: <p>{{ .JSON.String "name" }}</p>
        """,
    "extension": "type: extension\nurl: http://127.0.0.1:9/extension",
    "group": """
        type: group
        widgets:
          - type: clock
        """,
    "hacker-news": "type: hacker-news",
    "html": "type: html\nsource: <p>hello</p>",
    "iframe": "type: iframe\nsource: http://127.0.0.1:9/embedded",
    "lobsters": "type: lobsters",
    "monitor": """
        type: monitor
        sites:
          - title: Router
            url: http://127.0.0.1:9/
        """,
    "reddit": "type: reddit\nsubreddit: selfhosted",
    "rss": """
        type: rss
        feeds:
          - url: http://127.0.0.1:9/feed.xml
        """,
    "search": "type: search",
    "server-stats": "type: server-stats",
    "split-column": """
        type: split-column
        widgets:
          - type: clock
        """,
    "to-do": "type: to-do",
    "twitch-channels": "type: twitch-channels\nchannels: [someone]",
    "twitch-top-games": "type: twitch-top-games",
    "videos": "type: videos\nchannels: [UCabcdefghijklmnopqrstuv]",
}


def page_with_widget(widget_yaml: str, top: str = "") -> str:
    """A one-page configuration holding the widget; `top` adds top-level sections such as `server:`."""

    lines = textwrap.dedent(widget_yaml).strip("\n").splitlines()
    item = ["          - " + lines[0], *("            " + line for line in lines[1:])]
    page = ["pages:", "  - name: Test", "    columns:", "      - size: full", "        widgets:", *item]
    return textwrap.dedent(top).strip("\n") + "\n" + "\n".join(page) + "\n"


@dataclass
class StagedWidget:
    """A widget built from configuration, rendered the way the page renders it."""

    runtime: Runtime
    widget: Widget

    @property
    def html(self) -> str:
        rendered = self.widget.rendered
        if rendered is None:
            raise AssertionError(f"{self.widget!r} was never rendered")
        return rendered.html

    @property
    def element(self) -> Element:
        """The widget's outer `div.widget`."""

        return _outer_element(self.html)

    def show(self, state: WidgetState) -> Element:
        """Give the widget a state, render it again and return its outer element."""

        self.widget.state = state
        render_with_ancestors(self.widget, self.runtime.renderer)
        return self.element


def stage_widget(folder: Path, widget_yaml: str, top: str = "", clock: ManualClock | None = None) -> StagedWidget:
    runtime = Runtime(load_text(folder, page_with_widget(widget_yaml, top)), clock=clock or ManualClock())
    widget = runtime.dashboard.first_page.columns[0][1][0]
    return StagedWidget(runtime, widget)


def _outer_element(html: str) -> Element:
    elements = [child for child in parse_html(html).children if isinstance(child, Element)]
    if len(elements) != 1:
        raise AssertionError(f"a widget renders as one element, found {len(elements)}")
    return elements[0]


@asynccontextmanager
async def refreshed_by_test(folder: Path, widget_yaml: str) -> AsyncIterator[tuple[Runtime, httpx.AsyncClient, Widget]]:
    """A running dashboard holding one widget that only the test refreshes, with `refreshed_html`.

    The scheduler's own tasks are stopped, so moving the manual clock wakes no
    scheduled refresh that would race with the test's.
    """

    async with running_dashboard(folder, page_with_widget(widget_yaml)) as (runtime, client):
        widget = runtime.dashboard.first_page.columns[0][1][0]
        assert runtime.scheduler is not None
        await runtime.scheduler.stop()
        yield runtime, client, widget


async def refreshed_html(runtime: Runtime, client: httpx.AsyncClient, widget: Widget) -> str:
    """Refresh the widget once and return its HTML from the widget content endpoint."""

    assert runtime.scheduler is not None
    await runtime.scheduler.refresh_once(widget)
    response = await client.get(f"/api/widgets/{widget.id}/content/")
    return response.text
