"""A loaded configuration turned into pages of live widget objects."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from luna.config.loader import LoadedConfig
from luna.config.models import Column, Config, Page
from luna.widgets import registry
from luna.widgets.base import Widget, WidgetContext, WidgetOptions


@dataclass
class PageView:
    """One page with its widgets built."""

    page: Page
    head_widgets: list[Widget]
    columns: list[tuple[Column, list[Widget]]]

    @property
    def slug(self) -> str:
        return self.page.slug

    @property
    def name(self) -> str:
        return self.page.name

    def top_level_widgets(self) -> Iterator[Widget]:
        yield from self.head_widgets
        for _, widgets in self.columns:
            yield from widgets


@dataclass
class Dashboard:
    """Every page and widget of one configuration; replaced whole on reload."""

    loaded: LoadedConfig
    pages: list[PageView] = field(default_factory=list)
    widgets: dict[str, Widget] = field(default_factory=dict)

    @property
    def config(self) -> Config:
        return self.loaded.config

    @property
    def first_page(self) -> PageView:
        return self.pages[0]

    def page(self, slug: str) -> PageView | None:
        return next((page for page in self.pages if page.slug == slug), None)

    def all_widgets(self) -> Iterator[Widget]:
        yield from self.widgets.values()


def build_dashboard(loaded: LoadedConfig) -> Dashboard:
    dashboard = Dashboard(loaded)
    for page in loaded.config.pages:
        builder = _WidgetBuilder(page.slug)
        view = PageView(
            page=page,
            head_widgets=[builder.build(options) for options in page.head_widgets],
            columns=[(column, [builder.build(options) for options in column.widgets]) for column in page.columns],
        )
        dashboard.pages.append(view)
        for widget in view.top_level_widgets():
            for nested in widget.walk():
                dashboard.widgets[nested.id] = nested
    return dashboard


class _WidgetBuilder:
    """Builds the widgets of one page, giving each an id that survives restarts.

    The id is a hash of the page slug, the widget's options and its parent, so
    the same file gives the same ids every time, and moving a widget within
    its column keeps its id. Identical widgets on one page are numbered.
    """

    def __init__(self, page_slug: str) -> None:
        self.page_slug = page_slug
        self.seen: Counter[str] = Counter()

    def build(self, options: WidgetOptions, parent: Widget | None = None) -> Widget:
        widget_class = registry.widget_class(options.type)
        if widget_class is None:  # validation already rejected unknown types
            raise LookupError(f"unknown widget type {options.type!r}")

        context = WidgetContext(self._widget_id(options, parent), self.page_slug, parent)
        widget = widget_class(options, context)
        if widget_class.children_key:
            widget.children = [self.build(child, widget) for child in getattr(options, widget_class.children_key)]
        return widget

    def _widget_id(self, options: WidgetOptions, parent: Widget | None) -> str:
        canonical = json.dumps(options.model_dump(mode="json", by_alias=True), sort_keys=True, default=str)
        key = "\0".join([self.page_slug, parent.id if parent else "", canonical])
        self.seen[key] += 1
        digest = hashlib.sha256(f"{key}\0{self.seen[key]}".encode()).hexdigest()
        return digest[:12]
