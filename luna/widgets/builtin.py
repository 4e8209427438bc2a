"""Import every built-in widget module so each registers its type."""

from luna.widgets import (  # noqa: F401
    bookmarks,
    calendar,
    clock,
    custom_api,
    docker_containers,
    extension,
    group,
    html,
    iframe,
    monitor,
    search,
    server_stats,
    split_column,
    to_do,
)
