"""Import every built-in widget module so each registers its type."""

from luna.widgets import (  # noqa: F401
    bookmarks,
    clock,
    group,
    hacker_news,
    html,
    iframe,
    lobsters,
    monitor,
    reddit,
    rss,
    search,
    split_column,
    twitch_channels,
    twitch_top_games,
    videos,
)
