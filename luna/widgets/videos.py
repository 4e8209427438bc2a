"""`videos`: the latest uploads of YouTube channels and playlists, from their public Atom feeds.

Each channel is fetched on its own. One whose fetch fails keeps its last
good videos on screen with a note, and the widget retries it on the
failure backoff.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import logging
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import parse_qs, urlencode, urlsplit

from pydantic import Field, field_validator

from luna.feeds.fetch import FEED_ACCEPT, FetchError, every_source_failed, fetch, fetch_each, raise_for_status, rebase_url
from luna.feeds.options import ApiWidgetOptions, CollapseAfter
from luna.feeds.parsing import TITLE_FROM_DESCRIPTION_LENGTH, NotAFeed, entry_time, load_document, not_a_feed_reason
from luna.feeds.posts import fill_template
from luna.feeds.text import link_label, plain_text, safe_link, shorten
from luna.widgets.base import Widget, WidgetError
from luna.widgets.refresh import RefreshContext
from luna.widgets.registry import register

logger = logging.getLogger(__name__)

FEED_URL = "https://www.youtube.com/feeds/videos.xml"
VIDEO_ID = "{VIDEO-ID}"
SERVICE = "YouTube"
MAX_CONCURRENT_FEEDS = 20


class VideosOptions(ApiWidgetOptions):
    channels: list[str] = Field(default_factory=list)
    playlists: list[str] = Field(default_factory=list)
    limit: int = Field(default=25, ge=1)
    style: Literal["", "horizontal-cards", "vertical-list", "grid-cards"] = "horizontal-cards"
    collapse_after: CollapseAfter = 7
    collapse_after_rows: CollapseAfter = 4
    include_shorts: bool = False
    # A watch URL with {VIDEO-ID}, for front ends such as Invidious or Piped.
    video_url_template: str | None = None
    sort_by: Literal["posted", "updated", "none"] = "posted"

    @field_validator("video_url_template")
    @classmethod
    def _has_video_id(cls, value: str | None) -> str | None:
        if value is not None and VIDEO_ID not in value:
            raise ValueError(f'video-url-template "{value}" must contain {VIDEO_ID} where the video\'s id goes')
        return value


@dataclass(frozen=True)
class Source:
    """One channel or playlist the widget follows."""

    id: str
    is_playlist: bool

    @property
    def label(self) -> str:
        return f"playlist {self.id}" if self.is_playlist else f"channel {self.id}"


@dataclass(frozen=True)
class Video:
    id: str
    title: str
    url: str | None
    thumbnail: str | None
    author: str
    author_url: str | None
    published: float | None
    updated: float | None


@dataclass(frozen=True)
class SourceResult:
    source: Source
    videos: tuple[Video, ...]


@dataclass(frozen=True)
class VideosData:
    videos: tuple[Video, ...]
    # The latest good list of each source, None for a source that never returned a feed.
    sources: tuple[SourceResult | None, ...]
    notes: tuple[str, ...] = ()


@register
class VideosWidget(Widget):
    type = "videos"
    options_model = VideosOptions
    default_title = "Videos"
    default_interval = 3600.0

    @property
    def videos_options(self) -> VideosOptions:
        return self.options  # type: ignore[return-value]

    @property
    def style(self) -> str:
        return self.videos_options.style or "horizontal-cards"

    @property
    def sources(self) -> list[Source]:
        options = self.videos_options
        channels = [Source(channel.strip(), False) for channel in options.channels if channel.strip()]
        return channels + [Source(playlist.strip(), True) for playlist in options.playlists if playlist.strip()]

    @property
    def refresh_timeout(self) -> float:
        # Feeds are fetched in waves of MAX_CONCURRENT_FEEDS, each wave at most one timeout.
        waves = max(-(-len(self.sources) // MAX_CONCURRENT_FEEDS), 1)
        return self.videos_options.timeout * waves + 30.0

    def feed_url(self, source: Source) -> str:
        """Build the feed URL of a channel or playlist; without Shorts, a channel is read through its "long videos" playlist (UULF…)."""

        if source.is_playlist:
            query = {"playlist_id": source.id}
        elif not self.videos_options.include_shorts and source.id.startswith("UC"):
            query = {"playlist_id": "UULF" + source.id[2:]}
        else:
            query = {"channel_id": source.id}
        return rebase_url(f"{FEED_URL}?{urlencode(query)}", self.videos_options.api_base_url)

    async def refresh(self, context: RefreshContext) -> VideosData:
        sources = self.sources
        previous = self._previous_results(sources)
        fetch_one = functools.partial(self._fetch_source, context)
        outcomes = await fetch_each(sources, fetch_one, MAX_CONCURRENT_FEEDS, self.label, lambda source: source.label)
        failures = [(source, outcome) for source, outcome in zip(sources, outcomes) if isinstance(outcome, FetchError)]
        if failures and len(failures) == len(outcomes):
            raise self._all_failed(failures)

        kept = tuple(outcome if isinstance(outcome, SourceResult) else before for outcome, before in zip(outcomes, previous))
        notes = tuple(f"{source.label}: {error.reason}" for source, error in failures)
        return VideosData(self._merged(kept), kept, notes)

    @staticmethod
    def _all_failed(failures: list[tuple[Source, FetchError]]) -> WidgetError:
        if len(failures) == 1:
            source, error = failures[0]
            return WidgetError(f"{source.label}: {error.reason}", error.detail, error.retry_after)
        return every_source_failed([(source.label, error) for source, error in failures], "feeds")

    def _previous_results(self, sources: list[Source]) -> list[SourceResult | None]:
        data = self.state.data
        if not isinstance(data, VideosData):
            return [None] * len(sources)
        known = {result.source: result for result in data.sources if result is not None}
        return [known.get(source) for source in sources]

    async def _fetch_source(self, context: RefreshContext, source: Source) -> SourceResult:
        options = self.videos_options
        url = self.feed_url(source)
        response = await fetch(context.http, url, headers={"Accept": FEED_ACCEPT}, timeout=options.timeout, max_bytes=options.max_response_size)
        raise_for_status(response, SERVICE, context.clock.now())

        try:
            document = await asyncio.to_thread(load_document, response.body, response.content_type)
        except NotAFeed as error:
            raise FetchError(not_a_feed_reason(response.content_type, response.status, response.body), f"{url}: {error}") from None
        now = context.clock.now()
        videos = tuple(video for video in (self._video(entry, document.feed, now) for entry in document.entries) if video)
        return SourceResult(source, videos)

    def _video(self, entry: Any, feed: Any, now: float) -> Video | None:
        """Read one entry, or return None for a Short or an entry with neither a title nor a link."""

        link = safe_link(entry.get("link"))
        if not self.videos_options.include_shorts and link and "/shorts/" in link:
            return None
        video_id = str(entry.get("yt_videoid") or _watch_id(link) or "")
        url = self._video_url(video_id, link)
        title = plain_text(entry.get("title"), is_html=False)
        if not title and not url:
            return None

        author = entry.get("author_detail") or feed.get("author_detail") or {}
        channel_url = safe_link(author.get("href"))
        thumbnails = entry.get("media_thumbnail") or ()
        return Video(
            id=video_id,
            title=title or _untitled_label(entry, video_id, url),
            url=url,
            thumbnail=safe_link(thumbnails[0].get("url")) if thumbnails else None,
            author=plain_text(author.get("name") or feed.get("title"), is_html=False),
            author_url=self._author_url(channel_url),
            published=entry_time({"published_parsed": dict.get(entry, "published_parsed")}, now),
            updated=entry_time({"updated_parsed": dict.get(entry, "updated_parsed")}, now),
        )

    def _video_url(self, video_id: str, link: str | None) -> str | None:
        template = self.videos_options.video_url_template
        if template and video_id:
            return safe_link(fill_template(template, {"VIDEO-ID": video_id}))
        return link

    def _author_url(self, channel_url: str | None) -> str | None:
        template = self.videos_options.video_url_template
        if channel_url is None:
            return None
        if template and "/watch" in template:
            # A front end such as Invidious serves channels under the same paths as YouTube.
            return safe_link(template.split("/watch", 1)[0] + urlsplit(channel_url).path)
        return channel_url + "/videos"

    def _merged(self, results: tuple[SourceResult | None, ...]) -> tuple[Video, ...]:
        options = self.videos_options
        videos = [video for result in results if result for video in result.videos]
        if options.sort_by != "none":
            key = "updated" if options.sort_by == "updated" else "published"
            dated = sorted((video for video in videos if getattr(video, key) is not None), key=lambda video: -getattr(video, key))
            videos = dated + [video for video in videos if getattr(video, key) is None]
        return tuple(videos[: options.limit])

    def is_partial(self, data: Any) -> bool:
        return isinstance(data, VideosData) and bool(data.notes)

    def template_context(self) -> dict[str, Any]:
        data = self.state.data or VideosData((), ())
        return {"videos": data.videos, "notes": data.notes, "style": self.style}

    def public_data(self) -> Any:
        data = self.state.data
        if not isinstance(data, VideosData):
            return None
        return {"videos": [dataclasses.asdict(video) for video in data.videos], "notes": list(data.notes)}


def _untitled_label(entry: Any, video_id: str, url: str | None) -> str:
    """Title a video the feed left untitled: the start of its description, else its id or link."""

    description = plain_text(entry.get("summary"), is_html=False)
    return shorten(description, TITLE_FROM_DESCRIPTION_LENGTH) or video_id or link_label(url)


def _watch_id(link: str | None) -> str | None:
    if not link:
        return None
    values = parse_qs(urlsplit(link).query).get("v")
    return values[0] if values else None
