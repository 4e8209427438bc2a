"""Event types of the live-events protocol and the helpers that build them."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

WIDGET_UPDATED = "widget:updated"
SITE_CHANGED = "monitor:site_changed"
CUSTOM_API_CHANGED = "custom-api:data_changed"
PAGE_UPDATE = "page:update"
RESYNC = "resync"


@dataclass(frozen=True)
class Event:
    type: str
    data: dict[str, Any]
    # Events with the same key are coalesced; None sends every one.
    key: Hashable | None = None


def widget_updated(widget_id: str, version: str) -> Event:
    return Event(WIDGET_UPDATED, {"widget_id": widget_id, "version": version}, key=("widget", widget_id))


def page_update(slug: str, reload_document: bool = False) -> Event:
    data: dict[str, Any] = {"slug": slug}
    if reload_document:
        data["reload"] = True
    # Not coalesced: reloads come from saves the watcher already waits to
    # settle, and a second save soon after must show at once, not 5 s later.
    return Event(PAGE_UPDATE, data, key=None)
