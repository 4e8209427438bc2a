"""`bookmarks`: groups of links, each with an optional icon, colour and description."""

from __future__ import annotations

from pydantic import Field

from luna.config.fields import HSLColor, Link
from luna.config.models import ConfigModel
from luna.widgets.base import Widget, WidgetOptions
from luna.widgets.icons import IconField
from luna.widgets.registry import register


class BookmarkLink(ConfigModel):
    title: str
    url: Link
    description: str = ""
    icon: IconField | None = None
    same_tab: bool | None = None
    hide_arrow: bool | None = None
    target: str | None = None


class BookmarkGroup(ConfigModel):
    title: str = ""
    color: HSLColor | None = None
    same_tab: bool = False
    hide_arrow: bool = False
    target: str = ""
    links: list[BookmarkLink] = Field(default_factory=list)


class BookmarksOptions(WidgetOptions):
    groups: list[BookmarkGroup] = Field(default_factory=list)


class ResolvedLink:
    """A link with its group's settings applied where the link sets none."""

    def __init__(self, link: BookmarkLink, group: BookmarkGroup) -> None:
        self.title = link.title
        self.url = link.url
        self.description = link.description
        self.icon = link.icon
        self.hide_arrow = group.hide_arrow if link.hide_arrow is None else link.hide_arrow
        same_tab = group.same_tab if link.same_tab is None else link.same_tab
        # An explicit target wins over same-tab, on the link or its group.
        self.target = link.target or group.target or ("" if same_tab else "_blank")


@register
class BookmarksWidget(Widget):
    type = "bookmarks"
    options_model = BookmarksOptions
    default_title = "Bookmarks"

    def template_context(self) -> dict[str, object]:
        options: BookmarksOptions = self.options  # type: ignore[assignment]
        groups = [(group, [ResolvedLink(link, group) for link in group.links]) for group in options.groups]
        return {"groups": groups}
