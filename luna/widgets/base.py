"""The widget base: shared options, the state a refresh produces, and the class every type extends."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import Field

from luna.config.fields import Duration, Link
from luna.config.models import ConfigModel

if TYPE_CHECKING:
    from luna.events.types import Event
    from luna.widgets.refresh import RefreshContext

logger = logging.getLogger(__name__)


class WidgetOptions(ConfigModel):
    """Keys every widget accepts, as in Glance."""

    type: str
    title: str | None = None
    title_url: Link | None = None
    hide_header: bool = False
    css_class: str = ""
    cache: Duration | None = Field(default=None, gt=0)


class WidgetError(Exception):
    """A refresh failure with a short reason for the page and the full detail for the log."""

    def __init__(self, reason: str, detail: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail or reason


@dataclass(frozen=True)
class WidgetState:
    """What a widget shows: its last good data and how the latest refresh went.

    A state is replaced whole, never changed in place, so a render that runs
    while a refresh finishes sees either the old state or the new one.
    """

    data: Any = None
    loaded: bool = False
    error: str | None = None
    succeeded_at: float | None = None
    attempted_at: float | None = None
    failures: int = 0

    @property
    def stale(self) -> bool:
        """Whether the data on screen is older than the latest failed attempt."""

        return self.loaded and self.error is not None

    def after_success(self, data: Any, now: float) -> WidgetState:
        return WidgetState(data=data, loaded=True, succeeded_at=now, attempted_at=now)

    def after_failure(self, reason: str, now: float) -> WidgetState:
        return dataclasses.replace(self, error=reason, attempted_at=now, failures=self.failures + 1)


@dataclass(frozen=True)
class Rendered:
    html: str
    version: str


@dataclass
class WidgetContext:
    """What a widget learns about its place when it is built."""

    widget_id: str
    page_slug: str
    parent: Widget | None = None


class Widget:
    """One widget on a page; subclasses declare a type name and an options model.

    A static widget (no `default_interval`) renders once from its options. A
    widget with changing data implements `refresh`, which returns new data or
    raises `WidgetError`; the scheduler calls it on the widget's interval and
    never in the path of a page request.
    """

    type: ClassVar[str]
    options_model: ClassVar[type[WidgetOptions]] = WidgetOptions
    default_title: ClassVar[str] = ""
    default_interval: ClassVar[float | None] = None
    # Key of a list of child widgets, for containers such as group.
    children_key: ClassVar[str | None] = None
    # Child types a container refuses, by type name.
    forbidden_children: ClassVar[frozenset[str]] = frozenset()
    # Whether the template can draw something useful before the first refresh
    # instead of the loading placeholder.
    draws_before_first_refresh: ClassVar[bool] = False

    def __init__(self, options: WidgetOptions, context: WidgetContext, children: list[Widget] | None = None) -> None:
        self.options = options
        self.id = context.widget_id
        self.page_slug = context.page_slug
        self.parent = context.parent
        self.children: list[Widget] = children or []
        self.state = self.initial_state()
        self.rendered: Rendered | None = None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.id} {self.title!r}>"

    @property
    def title(self) -> str:
        return self.options.title if self.options.title is not None else self.default_title

    @property
    def title_url(self) -> str | None:
        """Where the title links; a type whose upstream sends a link may supply one."""

        return self.options.title_url

    @property
    def label(self) -> str:
        """How logs name this widget: its type and title."""

        return f'{self.type} "{self.title}"' if self.title else self.type

    @property
    def shows_header(self) -> bool:
        """Whether the frame draws a title; a group draws its children's titles as tabs instead."""

        if self.parent is not None and self.parent.type == "group":
            return False
        return not self.options.hide_header

    @property
    def is_static(self) -> bool:
        return self.default_interval is None

    @property
    def interval(self) -> float | None:
        """Seconds between refreshes, or None for a widget that never refreshes."""

        if self.is_static:
            return None
        return self.options.cache or self.default_interval

    @property
    def refresh_timeout(self) -> float:
        """Seconds a refresh may take before the scheduler abandons it."""

        return 30.0

    @property
    def template_name(self) -> str:
        return f"widgets/{self.type}.html"

    def walk(self) -> Iterator[Widget]:
        """Yield this widget and every widget nested in it."""

        yield self
        for child in self.children:
            yield from child.walk()

    def initial_state(self) -> WidgetState:
        """The state before the first refresh: loaded for static widgets, a placeholder for the rest."""

        return WidgetState(loaded=self.is_static)

    async def refresh(self, context: RefreshContext) -> Any:
        """Fetch fresh data; only widgets with a `default_interval` implement it."""

        raise NotImplementedError(f"{self.type} widgets do not refresh")

    def template_context(self) -> dict[str, Any]:
        """Extra values for this widget's template beyond `widget`, `options` and `data`."""

        return {}

    def public_data(self) -> Any:
        """The widget's current data as JSON-ready values, for `/api/widgets/{id}/data`."""

        return None

    def change_events(self, old: WidgetState, new: WidgetState) -> list[Event]:
        """Events beyond `widget:updated` that a refresh from `old` to `new` causes.

        Called after the new state is in place and rendered. The first data
        after start or reload (`old` not loaded) is a baseline, not a change.
        """

        return []

    def signature(self) -> str | None:
        """What the browser compares to decide whether an update is worth highlighting.

        None means every update is; a monitor returns its sites' states, so a
        new response time alone does not flash the widget.
        """

        return None

    def adopt_state(self, previous: Widget) -> None:
        """Take over the state of the same widget from the configuration before a reload."""

        self.state = previous.state

