"""`search`: a search box with engine shortcuts ("bangs"); the browser does the navigating."""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from luna.config.fields import describe_value
from luna.config.models import ConfigModel
from luna.widgets.base import Widget, WidgetOptions
from luna.widgets.registry import register

QUERY = "{QUERY}"
ENGINES = {
    "duckduckgo": "https://duckduckgo.com/?q={QUERY}",
    "google": "https://www.google.com/search?q={QUERY}",
    "bing": "https://www.bing.com/search?q={QUERY}",
    "perplexity": "https://www.perplexity.ai/search?q={QUERY}",
    "kagi": "https://kagi.com/search?q={QUERY}",
    "startpage": "https://www.startpage.com/search?query={QUERY}",
}


def _search_url(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"a search URL must be text containing {QUERY}, got {describe_value(value)}")

    text = value.strip()
    if QUERY not in text:
        raise ValueError(f'the search URL "{text}" must contain {QUERY} where the search terms go')
    if not text.startswith(("http://", "https://", "/")):
        raise ValueError(f'the search URL "{text}" must start with http://, https:// or /')
    return text


class Bang(ConfigModel):
    title: str = ""
    shortcut: str = Field(min_length=1)
    url: str

    _url = field_validator("url", mode="before")(lambda value: _search_url(value))

    @field_validator("shortcut")
    @classmethod
    def _single_word(cls, value: str) -> str:
        if any(character.isspace() for character in value):
            raise ValueError(f'a bang shortcut is one word without spaces, got "{value}"')
        return value


class SearchOptions(WidgetOptions):
    search_engine: str = "duckduckgo"
    new_tab: bool = False
    autofocus: bool = False
    target: str = "_blank"
    placeholder: str = "Type here to search…"
    bangs: list[Bang] = Field(default_factory=list)

    @field_validator("search_engine")
    @classmethod
    def _known_engine(cls, value: str) -> str:
        if value in ENGINES:
            return value
        if QUERY in value:
            return _search_url(value)
        names = ", ".join(ENGINES)
        raise ValueError(f'unknown search engine "{value}"; use one of {names}, or a URL containing {QUERY}')

    @property
    def search_url(self) -> str:
        return ENGINES.get(self.search_engine, self.search_engine)


@register
class SearchWidget(Widget):
    type = "search"
    options_model = SearchOptions
    default_title = "Search"
