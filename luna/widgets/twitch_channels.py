"""`twitch-channels`: whether each listed Twitch channel is live, with viewers, category and uptime."""

from __future__ import annotations

import dataclasses
import functools
import logging
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import Field

from luna.feeds.fetch import FetchError, every_source_failed, fetch_each
from luna.feeds.options import ApiWidgetOptions, CollapseAfter
from luna.feeds.parsing import parse_time
from luna.feeds.text import plain_text, safe_link
from luna.feeds.twitch import CHANNEL_SHELL_QUERY, STREAM_METADATA_QUERY, operation, run_operations
from luna.widgets.base import Widget, WidgetError
from luna.widgets.refresh import RefreshContext
from luna.widgets.registry import register

logger = logging.getLogger(__name__)

# Channels asked about at once; Twitch throttles bursts from one address.
MAX_CONCURRENT = 10


class TwitchChannelsOptions(ApiWidgetOptions):
    channels: list[str] = Field(default_factory=list)
    collapse_after: CollapseAfter = 5
    sort_by: Literal["viewers", "live"] = "viewers"


@dataclass(frozen=True)
class Channel:
    login: str
    name: str
    exists: bool = False
    avatar: str | None = None
    is_live: bool = False
    viewers: int = 0
    stream_title: str = ""
    category: str = ""
    category_slug: str = ""
    # Seconds since the epoch when the stream started, if it is live.
    live_since: float | None = None

    @property
    def url(self) -> str:
        return f"https://www.twitch.tv/{self.login}"

    @property
    def category_url(self) -> str | None:
        return f"https://www.twitch.tv/directory/category/{self.category_slug}" if self.category_slug else None


@dataclass(frozen=True)
class ChannelList:
    channels: tuple[Channel, ...]
    # One line per channel that could not be fetched, shown under the list.
    notes: tuple[str, ...] = ()


@register
class TwitchChannelsWidget(Widget):
    type = "twitch-channels"
    options_model = TwitchChannelsOptions
    default_title = "Twitch Channels"
    default_interval = 600.0

    @property
    def channels_options(self) -> TwitchChannelsOptions:
        return self.options  # type: ignore[return-value]

    @property
    def default_title_url(self) -> str:
        return "https://www.twitch.tv/directory/following"

    @property
    def refresh_timeout(self) -> float:
        # Channels are asked about in waves of MAX_CONCURRENT, each wave at most one timeout.
        waves = max(-(-len(self.channels_options.channels) // MAX_CONCURRENT), 1)
        return self.channels_options.timeout * waves + 5.0

    async def refresh(self, context: RefreshContext) -> ChannelList:
        logins = [login.strip().lower() for login in self.channels_options.channels if login.strip()]
        fetch_one = functools.partial(self._channel, context)
        results = await fetch_each(logins, fetch_one, MAX_CONCURRENT, self.label)
        channels = [result for result in results if isinstance(result, Channel)]
        failures = [(login, result) for login, result in zip(logins, results) if isinstance(result, FetchError)]
        if logins and not channels:
            raise _all_failed(failures)

        notes = tuple(f"{login}: {error.reason}" for login, error in failures)
        return ChannelList(self._sorted(channels), notes)

    async def _channel(self, context: RefreshContext, login: str) -> Channel:
        options = self.channels_options
        operations = [
            operation("ChannelShell", CHANNEL_SHELL_QUERY, {"login": login}),
            operation("StreamMetadata", STREAM_METADATA_QUERY, {"channelLogin": login}),
        ]
        now = context.clock.now()
        answers = await run_operations(
            context.http,
            operations,
            api_base_url=options.api_base_url,
            timeout=options.timeout,
            max_bytes=options.max_response_size,
            now=now,
        )
        return _channel(login, answers.get("ChannelShell") or {}, answers.get("StreamMetadata") or {}, now)

    def _sorted(self, channels: list[Channel]) -> tuple[Channel, ...]:
        if self.channels_options.sort_by == "live":
            return tuple(sorted(channels, key=lambda channel: not channel.is_live))
        return tuple(sorted(channels, key=lambda channel: (not channel.is_live, -channel.viewers)))

    def is_partial(self, data: Any) -> bool:
        return isinstance(data, ChannelList) and bool(data.notes)

    def template_context(self) -> dict[str, Any]:
        data = self.state.data or ChannelList(())
        return {"channels": data.channels, "notes": data.notes}

    def public_data(self) -> Any:
        return dataclasses.asdict(self.state.data) if self.state.data else None


def _all_failed(failures: list[tuple[str, FetchError]]) -> WidgetError:
    if len(failures) == 1:
        error = failures[0][1]
        return WidgetError(f"no channel could be fetched: {error.reason}", error.detail, error.retry_after)
    return every_source_failed(failures, "channels")


def _channel(login: str, shell: dict[str, Any], metadata: dict[str, Any], now: float) -> Channel:
    user = shell.get("userOrError")
    if not isinstance(user, dict) or user.get("__typename") != "User":
        return Channel(login=login, name=login)

    channel = Channel(
        login=login,
        name=plain_text(str(user.get("displayName") or login), is_html=False),
        exists=True,
        avatar=safe_link(user.get("profileImageURL")),
    )
    stream = user.get("stream")
    if not isinstance(stream, dict):
        return channel

    details = metadata.get("user") if isinstance(metadata.get("user"), dict) else {}
    live = details.get("stream") if isinstance(details.get("stream"), dict) else {}
    game = live.get("game") if isinstance(live.get("game"), dict) else {}
    broadcast = details.get("lastBroadcast") if isinstance(details.get("lastBroadcast"), dict) else {}
    return dataclasses.replace(
        channel,
        is_live=True,
        viewers=stream["viewersCount"] if isinstance(stream.get("viewersCount"), int) else 0,
        stream_title=plain_text(str(broadcast.get("title") or ""), is_html=False),
        category=plain_text(str(game.get("name") or ""), is_html=False),
        category_slug=str(game.get("slug") or ""),
        live_since=parse_time(live.get("createdAt"), now),
    )
