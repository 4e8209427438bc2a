"""Widget types by the name the YAML `type` key uses."""

from __future__ import annotations

from luna.widgets.base import Widget

_types: dict[str, type[Widget]] = {}
_aliases: dict[str, str] = {}

# Types Glance offers that this version of luna does not, so a Glance file gets
# a clear answer instead of "unknown type".
GLANCE_ONLY_TYPES = frozenset(
    {
        "calendar-legacy",
        "change-detection",
        "dns-stats",
        "hacker-news",
        "lobsters",
        "markets",
        "stocks",
        "reddit",
        "releases",
        "repository",
        "rss",
        "twitch-channels",
        "twitch-top-games",
        "videos",
        "weather",
    }
)


class RegistryError(Exception):
    pass


def register(widget_class: type[Widget]) -> type[Widget]:
    """Register a widget class under its `type`; a second class with the same name is an error."""

    name = widget_class.type
    if name in _types or name in _aliases:
        raise RegistryError(f'widget type "{name}" is registered twice ({_types.get(name)} and {widget_class})')
    _types[name] = widget_class
    return widget_class


def register_alias(alias: str, name: str) -> None:
    if alias in _types or alias in _aliases:
        raise RegistryError(f'widget type alias "{alias}" is already taken')
    _aliases[alias] = name


def widget_class(name: str) -> type[Widget] | None:
    _load_built_ins()
    return _types.get(_aliases.get(name, name))


def type_names() -> list[str]:
    _load_built_ins()
    return sorted(_types)


def _load_built_ins() -> None:
    # Importing the package registers every built-in type, through the same
    # `register` call an extension would use.
    import luna.widgets.builtin  # noqa: F401
