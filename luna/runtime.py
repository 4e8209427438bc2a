"""The running dashboard: current configuration, its widgets, their refreshes, reloads and live events."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from luna.clock import Clock, SystemClock
from luna.config.loader import LoadedConfig
from luna.config.models import Config, EventsSettings
from luna.dashboard import Dashboard, build_dashboard
from luna.events.hub import EventHub, HubSettings
from luna.events.types import page_update, widget_updated
from luna.scheduler import START_SPREAD, Scheduler
from luna.web.assets import StaticAssets, static_assets
from luna.web.rendering import Renderer, render_all, render_with_ancestors
from luna.widgets.base import Widget, WidgetState
from luna.widgets.refresh import RefreshContext

logger = logging.getLogger(__name__)

# Called after a refresh changed a widget's state, with the widgets whose HTML changed.
UpdateListener = Callable[[Widget, WidgetState, WidgetState, list[Widget]], Awaitable[None] | None]
ReloadListener = Callable[[Dashboard, Dashboard], Awaitable[None] | None]


def hub_settings(events: EventsSettings) -> HubSettings:
    return HubSettings(
        coalesce_window=events.coalesce_window,
        ping_interval=events.ping_interval,
        buffer_size=events.buffer_size,
        client_queue=events.client_queue,
    )


class Runtime:
    """Owns the current dashboard and everything that runs for it.

    A reload builds the new dashboard completely before swapping it in, so a
    request always sees one whole configuration; the old refresh tasks are
    cancelled after the swap. The event hub outlives reloads, so open event
    streams stay connected and receive the `page:update` that follows.
    """

    def __init__(
        self,
        loaded: LoadedConfig,
        clock: Clock | None = None,
        assets: StaticAssets | None = None,
        start_spread: float = START_SPREAD,
    ) -> None:
        self.clock = clock or SystemClock()
        self.start_spread = start_spread
        self.assets = assets or static_assets()
        self.dashboard, self.renderer = self._prepare(loaded, previous=None)
        self.hub = EventHub(hub_settings(loaded.config.server.events), self.clock)
        self.update_listeners: list[UpdateListener] = []
        self.reload_listeners: list[ReloadListener] = []
        self.scheduler: Scheduler | None = None
        self.refresh_context: RefreshContext | None = None
        self._reload_lock = asyncio.Lock()
        # Where the server listens, as (host, port), when started by `luna serve`.
        self.listening: tuple[str, int] | None = None
        self.listening_from_command_line = False
        # The loop the runtime runs in, for code on other threads (tests, signal handlers).
        self.loop: asyncio.AbstractEventLoop | None = None

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
        self.loop = asyncio.get_running_loop()
        self.refresh_context = RefreshContext(self.clock)
        self.hub.start()
        self.scheduler = self._new_scheduler(self.dashboard)
        self.scheduler.start()
        logger.info("dashboard started: %s", _count_pages_and_widgets(self.dashboard))

    async def stop(self) -> None:
        # The reload lock keeps a reload that is under way from starting a
        # scheduler after this stop.
        async with self._reload_lock:
            if self.scheduler is not None:
                await self.scheduler.stop()
                self.scheduler = None
            await self.hub.stop()
            if self.refresh_context is not None:
                await self.refresh_context.aclose()
                self.refresh_context = None

    def _new_scheduler(self, dashboard: Dashboard) -> Scheduler:
        if self.refresh_context is None:
            raise RuntimeError("the runtime must be started before it schedules refreshes")
        return Scheduler(
            dashboard.all_widgets(),
            self.refresh_context,
            self.clock,
            on_state_change=self._state_changed,
            start_spread=self.start_spread,
        )

    async def apply(self, loaded: LoadedConfig) -> None:
        """Swap in a new configuration, keeping the state of widgets that did not change."""

        async with self._reload_lock:
            old_dashboard, old_scheduler = self.dashboard, self.scheduler
            self._warn_about_restart_only_settings(old_dashboard, loaded)

            self.dashboard, self.renderer = self._prepare(loaded, previous=old_dashboard)
            self.hub.configure(hub_settings(loaded.config.server.events))
            if self.refresh_context is not None:
                self.scheduler = self._new_scheduler(self.dashboard)
                self.scheduler.start()
            if old_scheduler is not None:
                await old_scheduler.stop()

            kept = sum(1 for widget_id in self.dashboard.widgets if widget_id in old_dashboard.widgets)
            logger.info(
                "configuration reloaded: %s (%d unchanged)",
                _count_pages_and_widgets(self.dashboard),
                kept,
            )
            self._announce_reload(old_dashboard, self.dashboard)
            for listener in self.reload_listeners:
                await _call(listener, old_dashboard, self.dashboard)

    def _announce_reload(self, old: Dashboard, new: Dashboard) -> None:
        """Tell open pages to fetch their content again, or the whole document when its frame changed."""

        reload_document = _document_frame(old.config) != _document_frame(new.config)
        slugs = [page.slug for page in old.pages] + [page.slug for page in new.pages if old.page(page.slug) is None]
        for slug in slugs:
            self.hub.publish(page_update(slug, reload_document))

    def _warn_about_restart_only_settings(self, old: Dashboard, loaded: LoadedConfig) -> None:
        # Compared with where the server listens, not with the previous file:
        # undoing a change needs no restart. Command-line options win over the file.
        if self.listening is None:
            return
        wanted = (loaded.config.server.host, loaded.config.server.port)
        if wanted == self.listening or self.listening_from_command_line:
            return
        changed = [name for name, now, then in zip(("host", "port"), wanted, self.listening) if now != then]
        logger.warning(
            "server.%s changed in the configuration; luna still listens on %s and needs a restart to use %s",
            " and server.".join(changed),
            _address(*self.listening),
            _address(*wanted),
        )

    async def _state_changed(self, widget: Widget, old: WidgetState, new: WidgetState) -> None:
        # A refresh that finishes just after a reload belongs to the old
        # dashboard; its result must not reach the new pages.
        if self.dashboard.widgets.get(widget.id) is not widget:
            return

        # Events go out only after the whole new state is rendered, so a
        # client that fetches at once never sees half an update.
        changed = render_with_ancestors(widget, self.renderer)
        if widget in changed and widget.rendered is not None:
            self.hub.publish(widget_updated(widget.id, widget.rendered.version))
        for event in widget.change_events(old, new):
            self.hub.publish(event)

        for listener in self.update_listeners:
            await _call(listener, widget, old, new, changed)


def _count_pages_and_widgets(dashboard: Dashboard) -> str:
    pages, widgets = len(dashboard.pages), len(dashboard.widgets)
    return f"{pages} page{'' if pages == 1 else 's'}, {widgets} widget{'' if widgets == 1 else 's'}"


def _address(host: str, port: int) -> str:
    return f"{host or 'all interfaces'}:{port}"


def _document_frame(config: Config) -> tuple[object, ...]:
    """The parts of the configuration that live outside the page content."""

    return (
        config.theme,
        config.branding,
        config.document,
        config.server.base_url,
        config.server.events.enabled,
        tuple(
            (
                page.name,
                page.slug,
                page.width,
                page.desktop_navigation_width,
                page.center_vertically,
                page.hide_desktop_navigation,
                page.show_mobile_header,
                tuple(column.size for column in page.columns),
            )
            for page in config.pages
        ),
    )


async def _call(listener: Callable[..., Awaitable[None] | None], *arguments: object) -> None:
    # One failing listener must not keep the others from hearing of the change,
    # nor make an applied reload look failed.
    try:
        result = listener(*arguments)
        if asyncio.iscoroutine(result):
            await result
    except Exception:
        logger.exception("listener %r failed, and the other listeners still run", listener)
