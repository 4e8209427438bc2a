"""Jinja2 rendering of documents, page content and single widgets."""

from __future__ import annotations

import datetime
import hashlib
import logging
from dataclasses import dataclass
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from luna import __version__
from luna.dashboard import Dashboard, PageView
from luna.web.assets import StaticAssets
from luna.web.theme import BASE_KEY, ThemeChoice, theme_choices
from luna.widgets.base import Rendered, Widget

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PageContent:
    """A page's rendered content, the widget versions it was rendered from, and its ETag."""

    key: tuple[str, ...]
    html: str
    etag: str


class Renderer:
    """Renders one dashboard; built again with each configuration."""

    def __init__(self, dashboard: Dashboard, assets: StaticAssets) -> None:
        self.dashboard = dashboard
        self.assets = assets
        self.config = dashboard.config
        self.base_url = self.config.server.base_url
        self.themes = theme_choices(self.config.theme)
        self.env = self._environment()
        self._page_cache: dict[str, PageContent] = {}

    def _environment(self) -> Environment:
        env = Environment(
            loader=PackageLoader("luna", "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        env.globals.update(
            url=self.url,
            static=self.static_url,
            asset_url=self.user_url,
            config=self.config,
            branding=self.config.branding,
            base_url=self.base_url,
            version=__version__,
            pages=self.dashboard.pages,
        )
        env.filters["page_url"] = lambda page: self.page_url(page.slug)
        env.filters["utc_iso"] = utc_iso
        return env

    def url(self, path: str) -> str:
        """Prefix a path on this server with the base URL."""

        return f"{self.base_url}{path}"

    def static_url(self, path: str) -> str:
        return self.assets.url(self.base_url, path)

    def user_url(self, link: str | None) -> str | None:
        """Give links to the user's `/assets/` folder the base URL, as Glance does."""

        if link and link.startswith("/assets/"):
            return self.url(link)
        return link

    def page_url(self, slug: str) -> str:
        if slug == self.dashboard.first_page.slug:
            return self.url("/")
        return self.url("/" + quote(slug))

    def theme(self, key: str | None) -> ThemeChoice:
        if self.config.theme.disable_picker or key not in self.themes:
            return self.themes[BASE_KEY]
        return self.themes[key]

    def render_widget(self, widget: Widget) -> Rendered:
        template = self.env.get_template(widget.template_name)
        children = [Markup(child.rendered.html) for child in widget.children if child.rendered]
        html = template.render(
            widget=widget,
            options=widget.options,
            state=widget.state,
            data=widget.state.data,
            children=children,
            **widget.template_context(),
        ).strip()
        version = hashlib.sha256(html.encode()).hexdigest()[:16]
        return Rendered(html, version)

    def render_page_content(self, view: PageView) -> str:
        return self.page_content(view).html

    def page_content(self, view: PageView) -> PageContent:
        """Return the page's content and its ETag, rendered again only when a widget on it changed."""

        key = tuple(widget.rendered.version if widget.rendered else "" for widget in view.top_level_widgets())
        cached = self._page_cache.get(view.slug)
        if cached is not None and cached.key == key:
            return cached

        html = self.env.get_template("page-content.html").render(page=view, widget_html=_widget_html)
        content = PageContent(key, html, '"' + hashlib.sha256(html.encode()).hexdigest()[:16] + '"')
        self._page_cache[view.slug] = content
        return content

    def render_document(self, view: PageView, theme_key: str | None, live_last_id: str = "", live_retry_ms: int = 2000) -> str:
        content = self.page_content(view)
        return self.env.get_template("document.html").render(
            page=view,
            content=Markup(content.html),
            page_etag=content.etag,
            theme=self.theme(theme_key),
            themes=list(self.themes.values()),
            widget_html=_widget_html,
            live_last_id=live_last_id,
            live_retry_ms=live_retry_ms,
        )

    def render_login(self, theme_key: str | None, next_url: str) -> str:
        # No page names and no theme picker: both are for logged-in users.
        return self.env.get_template("login.html").render(
            page=None, pages=[], theme=self.theme(theme_key), themes=[], next_url=next_url
        )

    def render_not_found(self, theme_key: str | None, what: str) -> str:
        return self.env.get_template("not-found.html").render(
            page=None, theme=self.theme(theme_key), themes=list(self.themes.values()), what=what
        )


def utc_iso(timestamp: float) -> str:
    """Seconds since the epoch as an ISO 8601 time in UTC, the same whatever the server's zone."""

    moment = datetime.datetime.fromtimestamp(timestamp, datetime.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _widget_html(widget: Widget) -> Markup:
    return Markup(widget.rendered.html) if widget.rendered else Markup("")


def render_all(dashboard: Dashboard, renderer: Renderer) -> None:
    """Render every widget, children before the containers that include them."""

    def render(widget: Widget) -> None:
        for child in widget.children:
            render(child)
        widget.rendered = renderer.render_widget(widget)

    for view in dashboard.pages:
        for widget in view.top_level_widgets():
            render(widget)


def render_with_ancestors(widget: Widget, renderer: Renderer) -> list[Widget]:
    """Render a widget and each container around it; return those whose HTML changed."""

    changed: list[Widget] = []
    current: Widget | None = widget
    while current is not None:
        before = current.rendered
        current.rendered = renderer.render_widget(current)
        if before is None or before.version != current.rendered.version:
            changed.append(current)
        current = current.parent
    return changed

