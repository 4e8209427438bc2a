"""The running dashboard: current configuration, its widgets, their refreshes, and reloads."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from luna.clock import Clock, SystemClock
from luna.config.loader import LoadedConfig
from luna.dashboard import Dashboard, build_dashboard
from luna.scheduler import Scheduler
from luna.web.assets import StaticAssets, static_assets
from luna.web.rendering import Renderer, render_all, render_with_ancestors
from luna.widgets.base import Widget, WidgetState
from luna.widgets.refresh import RefreshContext

logger = logging.getLogger(__name__)

# Called after a refresh changed a widget's state, with the widgets whose HTML changed.
UpdateListener = Callable[[Widget, WidgetState, WidgetState, list[Widget]], Awaitable[None] | None]
ReloadListener = Callable[[Dashboard, Dashboard], Awaitable[None] | None]


class Runtime:
    """Owns the current dashboard and everything that runs for it.

    A reload builds the new dashboard completely before swapping it in, so a
    request always sees one whole configuration; the old refresh tasks are
    cancelled after the swap.
    """

    def __init__(self, loaded: LoadedConfig, clock: Clock | None = None, assets: StaticAssets | None = None) -> None:
        self.clock = clock or SystemClock()
        self.assets = assets or static_assets()
        self.dashboard, self.renderer = self._prepare(loaded, previous=None)
        self.update_listeners: list[UpdateListener] = []
        self.reload_listeners: list[ReloadListener] = []
        self.scheduler: Scheduler | None = None
        self.refresh_context: RefreshContext | None = None
        self._reload_lock = asyncio.Lock()

    def _prepare(self, loaded: LoadedConfig, previous: Dashboard | None) -> tuple[Dashboard, Renderer]:
        dashboard = build_dashboard(loaded)
        if previous is not None:
            for widget_id, widget in dashboard.widgets.items():
                old = previous.widgets.get(widget_id)
                if old is not None and type(old) is type(widget):
                    widget.adopt_state(old)

        renderer = Renderer(dashboard, self.assets)
        render_all(dashboard, renderer)
        return dashboard, renderer

    async def start(self) -> None:
        self.refresh_context = RefreshContext(self.clock)
        self.scheduler = self._new_scheduler(self.dashboard)
        self.scheduler.start()
        logger.info("dashboard started: %d pages, %d widgets", len(self.dashboard.pages), len(self.dashboard.widgets))

    async def stop(self) -> None:
        # The reload lock keeps a reload that is under way from starting a
        # scheduler after this stop.
        async with self._reload_lock:
            if self.scheduler is not None:
                await self.scheduler.stop()
                self.scheduler = None
            if self.refresh_context is not None:
                await self.refresh_context.aclose()
                self.refresh_context = None

    def _new_scheduler(self, dashboard: Dashboard) -> Scheduler:
        if self.refresh_context is None:
            raise RuntimeError("the runtime must be started before it schedules refreshes")
        return Scheduler(dashboard.all_widgets(), self.refresh_context, self.clock, on_state_change=self._state_changed)

    async def apply(self, loaded: LoadedConfig) -> None:
        """Swap in a new configuration, keeping the state of widgets that did not change."""

        async with self._reload_lock:
            old_dashboard, old_scheduler = self.dashboard, self.scheduler
            self._warn_about_restart_only_settings(old_dashboard, loaded)

            self.dashboard, self.renderer = self._prepare(loaded, previous=old_dashboard)
            if self.refresh_context is not None:
                self.scheduler = self._new_scheduler(self.dashboard)
                self.scheduler.start()
            if old_scheduler is not None:
                await old_scheduler.stop()

            kept = sum(1 for widget_id in self.dashboard.widgets if widget_id in old_dashboard.widgets)
            logger.info(
                "configuration reloaded: %d pages, %d widgets (%d unchanged)",
                len(self.dashboard.pages),
                len(self.dashboard.widgets),
                kept,
            )
            for listener in self.reload_listeners:
                await _call(listener, old_dashboard, self.dashboard)

    def _warn_about_restart_only_settings(self, old: Dashboard, loaded: LoadedConfig) -> None:
        before, after = old.config.server, loaded.config.server
        if (before.host, before.port) != (after.host, after.port):
            logger.warning(
                "server.host and server.port changed in the configuration; restart luna to listen on %s:%s",
                after.host or "all interfaces",
                after.port,
            )

    async def _state_changed(self, widget: Widget, old: WidgetState, new: WidgetState) -> None:
        # A refresh that finishes just after a reload belongs to the old
        # dashboard; its result must not reach the new pages.
        if self.dashboard.widgets.get(widget.id) is not widget:
            return

        changed = render_with_ancestors(widget, self.renderer)
        for listener in self.update_listeners:
            await _call(listener, widget, old, new, changed)


async def _call(listener: Callable[..., Awaitable[None] | None], *arguments: object) -> None:
    # One failing listener must not keep the others from hearing of the change,
    # nor make an applied reload look failed.
    try:
        result = listener(*arguments)
        if asyncio.iscoroutine(result):
            await result
    except Exception:
        logger.exception("listener %r failed, and the other listeners still run", listener)
