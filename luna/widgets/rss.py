"""`rss`: items of several RSS, Atom, RSS 1.0 or JSON feeds, merged into one list or row of cards.

Each feed is fetched on its own, with conditional GET, so one slow or
broken feed neither blocks nor blanks the others: a feed that fails keeps
its last good items and gets a note under the list. Only when every feed
fails does the widget show an error.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import httpx
from pydantic import AfterValidator, Field

from luna.config.fields import Duration, WebURL
from luna.config.models import ConfigModel
from luna.feeds.fetch import FEED_ACCEPT, FetchError, every_source_failed, fetch, fetch_each, raise_for_status
from luna.feeds.options import CollapseAfter, FeedWidgetOptions
from luna.feeds.parsing import FeedItem, NotAFeed, not_a_feed_reason, parse_feed
from luna.feeds.text import host_of, link_label
from luna.widgets.base import Widget, WidgetError
from luna.widgets.refresh import RefreshContext
from luna.widgets.registry import register

logger = logging.getLogger(__name__)

SERVICE = "the feed server"
# Feeds fetched at once; a widget with more waits for a free slot.
MAX_CONCURRENT_FEEDS = 20


class FeedSource(ConfigModel):
    url: WebURL
    title: str | None = None
    hide_categories: bool = False
    hide_description: bool = False
    # Items taken from this feed before merging; 0 or less means all, as in Glance.
    limit: Annotated[int, AfterValidator(lambda limit: max(limit, 0))] = 0
    # Put before each item's link as written in the feed, for feeds whose links are relative or need a proxy.
    item_link_prefix: str = ""
    headers: dict[str, str] = Field(default_factory=dict)
    timeout: Duration | None = Field(default=None, gt=0)


class RssOptions(FeedWidgetOptions):
    feeds: list[FeedSource] = Field(default_factory=list)
    style: Literal["", "vertical-list", "detailed-list", "horizontal-cards", "horizontal-cards-2"] = "vertical-list"
    # In rem, as in Glance.
    thumbnail_height: float = Field(default=10.0, gt=0)
    card_height: float = Field(default=27.0, gt=0)
    limit: int = Field(default=25, ge=1)
    collapse_after: CollapseAfter = 5
    single_line_titles: bool = False
    preserve_order: bool = False


@dataclass(frozen=True)
class RssItem:
    """One item as the widget shows it: the feed's item plus where it came from."""

    item: FeedItem
    source_title: str
    source_url: str | None
    feed_index: int

    def __getattr__(self, name: str) -> Any:
        # Templates read `entry.title`, `entry.link` and so on straight from the feed item.
        # `item` itself is excluded, so a half-built copy raises instead of recursing.
        if name == "item":
            raise AttributeError(name)
        return getattr(self.item, name)


@dataclass(frozen=True)
class FeedResult:
    """The last good response of one feed, kept for conditional GET and for when the feed next fails."""

    url: str
    # Only the items that can reach the merged list: the feed's first `limit` in the widget's order.
    items: tuple[RssItem, ...]
    # The settings `items` were built with: the widget's limit and preserve-order,
    # the feed's position and its own settings. A 304 response reuses the items only when all match.
    shaped_by: tuple[int, bool, int, FeedSource]
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class RssData:
    items: tuple[RssItem, ...]
    # The latest good result of each configured feed, None for a feed that never returned items.
    feeds: tuple[FeedResult | None, ...]
    # One line per feed that failed this time.
    notes: tuple[str, ...] = ()


@register
class RssWidget(Widget):
    type = "rss"
    options_model = RssOptions
    default_title = "RSS Feed"
    default_interval = 2 * 3600.0

    @property
    def rss_options(self) -> RssOptions:
        return self.options  # type: ignore[return-value]

    @property
    def style(self) -> str:
        return self.rss_options.style or "vertical-list"

    @property
    def refresh_timeout(self) -> float:
        # Feeds run in waves of MAX_CONCURRENT_FEEDS, each wave at most its slowest timeout.
        options = self.rss_options
        slowest = max((feed.timeout or options.timeout for feed in options.feeds), default=options.timeout)
        waves = max(-(-len(options.feeds) // MAX_CONCURRENT_FEEDS), 1)
        return slowest * waves + 30.0

    async def refresh(self, context: RefreshContext) -> RssData:
        options = self.rss_options
        previous = self._previous_results()
        indexed = list(enumerate(options.feeds))

        async def fetch_one(entry: tuple[int, FeedSource]) -> FeedResult:
            index, source = entry
            return await self._fetch_feed(context, index, source, previous[index])

        outcomes = await fetch_each(indexed, fetch_one, MAX_CONCURRENT_FEEDS, self.label, lambda entry: entry[1].url)
        failures = [(source, outcome) for source, outcome in zip(options.feeds, outcomes) if isinstance(outcome, FetchError)]
        if failures and len(failures) == len(outcomes):
            raise self._all_failed(failures)

        kept = tuple(outcome if isinstance(outcome, FeedResult) else before for outcome, before in zip(outcomes, previous))
        notes = tuple(f"{_feed_name(source)}: {error.reason}" for source, error in failures)
        items = merge_items([result.items for result in kept if result], options.preserve_order, options.limit)
        return RssData(items, kept, notes)

    def _previous_results(self) -> list[FeedResult | None]:
        data = self.state.data
        feeds = self.rss_options.feeds
        if not isinstance(data, RssData) or len(data.feeds) != len(feeds):
            return [None] * len(feeds)
        # A reload may have changed a feed's URL at the same position.
        return [result if result and result.url == source.url else None for result, source in zip(data.feeds, feeds)]

    @staticmethod
    def _all_failed(failures: list[tuple[FeedSource, FetchError]]) -> WidgetError:
        if len(failures) == 1:
            error = failures[0][1]
            return WidgetError(error.reason, error.detail, error.retry_after)
        return every_source_failed([(_feed_name(source), error) for source, error in failures], "feeds")

    async def _fetch_feed(self, context: RefreshContext, index: int, source: FeedSource, before: FeedResult | None) -> FeedResult:
        options = self.rss_options
        shaped_by = (options.limit, options.preserve_order, index, source)
        # Items kept under other settings (before a reload) may have another title, hide
        # other parts or lack items these settings show, so the feed is fetched whole.
        if before is not None and before.shaped_by != shaped_by:
            before = None
        headers = httpx.Headers({"Accept": FEED_ACCEPT, **_conditional_headers(before)})
        # Header names are compared without case, so `accept:` replaces luna's Accept.
        headers.update(source.headers)
        response = await fetch(
            context.http, source.url, headers=headers, timeout=source.timeout or options.timeout, max_bytes=options.max_response_size
        )
        if response.status == 304 and before is not None:
            logger.debug("rss %s: not modified", source.url)
            return before
        raise_for_status(response, SERVICE, context.clock.now())

        try:
            # Relative links resolve against where the feed was found, after redirects.
            parsed = await asyncio.to_thread(
                parse_feed, response.body, response.url, response.content_type, source.item_link_prefix, now=context.clock.now()
            )
        except NotAFeed as error:
            reason = not_a_feed_reason(response.content_type, response.status, response.body)
            raise FetchError(reason, f"{source.url}: {error}", status=response.status) from None

        feed_items = parsed.items[: source.limit] if source.limit else parsed.items
        title = source.title or parsed.title or host_of(source.url)
        items = tuple(RssItem(_shown(item, source), title, parsed.link, index) for item in feed_items)
        # Only the feed's first `limit` items in the widget's order are kept, so an 8 MB feed of 5,000 items
        # does not stay in memory for the 25 it shows. No item past the cut can reach the merged list:
        # the cut contains `limit` distinct links that all rank before it, whichever feed's copy of a link wins.
        candidates = merge_items([items], options.preserve_order, options.limit)
        return FeedResult(source.url, candidates, shaped_by, response.headers.get("etag"), response.headers.get("last-modified"))

    def is_partial(self, data: Any) -> bool:
        return isinstance(data, RssData) and bool(data.notes)

    def template_context(self) -> dict[str, Any]:
        data = self.state.data or RssData((), ())
        return {"items": data.items, "notes": data.notes, "style": self.style}

    def public_data(self) -> Any:
        data = self.state.data
        if not isinstance(data, RssData):
            return None
        items = [{**dataclasses.asdict(entry.item), "source": entry.source_title} for entry in data.items]
        return {"items": items, "notes": list(data.notes)}


def _conditional_headers(before: FeedResult | None) -> dict[str, str]:
    headers: dict[str, str] = {}
    if before is not None and before.etag:
        headers["If-None-Match"] = before.etag
    if before is not None and before.last_modified:
        headers["If-Modified-Since"] = before.last_modified
    return headers


def _shown(item: FeedItem, source: FeedSource) -> FeedItem:
    """Drop what the feed's settings hide, so the template has nothing to decide."""

    if source.hide_categories:
        item = dataclasses.replace(item, categories=())
    if source.hide_description:
        item = dataclasses.replace(item, description="", summary="")
    return item


def _feed_name(source: FeedSource) -> str:
    """Name a feed in failure notes: its `title`, else its host and path, since several feeds often share a host."""

    return source.title or link_label(source.url) or source.url


def merge_items(feeds: Iterable[Sequence[RssItem]], preserve_order: bool, limit: int) -> tuple[RssItem, ...]:
    """Merge items of several feeds, newest first, without duplicate links.

    Undated items follow every dated one, in feed and document order, so a
    feed without dates never pushes news down. With `preserve_order` the
    feeds' own order is kept.
    """

    seen: set[str] = set()
    merged: list[RssItem] = []
    for items in feeds:
        for entry in items:
            key = entry.item.link or f"{entry.feed_index}:{entry.item.title}"
            if key not in seen:
                seen.add(key)
                merged.append(entry)

    if not preserve_order:
        dated = sorted((entry for entry in merged if entry.item.published is not None), key=lambda entry: -entry.item.published)
        undated = [entry for entry in merged if entry.item.published is None]
        merged = dated + undated
    return tuple(merged[:limit])
