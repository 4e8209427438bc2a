"""Typed models of `luna.yml`, with Glance's keys and defaults."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from luna.config.fields import HSL, Duration, HSLColor, Link, parse_hsl


def kebab_case(name: str) -> str:
    return name.replace("_", "-")


class ConfigModel(BaseModel):
    """Base of every configuration model: kebab-case keys, unknown keys rejected."""

    model_config = ConfigDict(
        extra="forbid",
        alias_generator=kebab_case,
        populate_by_name=True,
        frozen=True,
        arbitrary_types_allowed=True,
        # Glance reads any scalar into a text field, so `title: 2048` is text;
        # numbers from luna.config.yaml_tree keep the digits as written.
        coerce_numbers_to_str=True,
    )


class EventsSettings(ConfigModel):
    """Live events over Server-Sent Events (`server.events`)."""

    enabled: bool = True
    ping_interval: Duration = Field(default=30.0, gt=0)
    coalesce_window: Duration = Field(default=5.0, ge=0)
    buffer_size: int = Field(default=1000, ge=1, le=1_000_000)
    client_queue: int = Field(default=256, ge=8, le=100_000)


class Server(ConfigModel):
    host: str = ""
    port: int = Field(default=8080, ge=1, le=65535)
    base_url: str = ""
    proxied: bool = False
    assets_path: Path | None = None
    events: EventsSettings = Field(default_factory=EventsSettings)

    @field_validator("base_url")
    @classmethod
    def _normalise_base_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not value:
            return ""
        if "://" in value:
            raise ValueError(
                f'base-url is a path such as /luna, not a full URL ("{value}"); keep only the part after the host'
            )
        if not value.startswith("/"):
            value = "/" + value
        if any(character in value for character in ' ?#"<>'):
            raise ValueError(f'base-url "{value}" may contain only path characters')
        return value

    @field_validator("assets_path")
    @classmethod
    def _assets_path_exists(cls, value: Path | None) -> Path | None:
        if value is None:
            return None
        if not value.is_dir():
            raise ValueError(f"assets-path {value} is not an existing folder")
        return value.resolve()


class Document(ConfigModel):
    head: str = ""


class Branding(ConfigModel):
    hide_footer: bool = False
    custom_footer: str = ""
    logo_text: str = ""
    logo_url: Link | None = None
    favicon_url: Link | None = None
    app_name: str = "Luna"
    app_icon_url: Link | None = None
    app_background_color: str = ""


DEFAULT_BACKGROUND = HSL(240, 8, 9)
DEFAULT_PRIMARY = HSL(43, 50, 70)
DEFAULT_NEGATIVE = HSL(0, 70, 70)


class ThemeProperties(ConfigModel):
    """The colours and contrast of one theme; the same keys as Glance's."""

    light: bool = False
    background_color: HSLColor | None = None
    primary_color: HSLColor | None = None
    positive_color: HSLColor | None = None
    negative_color: HSLColor | None = None
    contrast_multiplier: float = Field(default=1.0, gt=0, le=10)
    text_saturation_multiplier: float = Field(default=1.0, ge=0, le=10)

    def is_customised(self) -> bool:
        return self != ThemeProperties()


BUILT_IN_LIGHT = ThemeProperties(
    light=True,
    background_color=parse_hsl("240 13 95"),
    primary_color=parse_hsl("230 100 30"),
    negative_color=parse_hsl("0 70 50"),
    contrast_multiplier=1.3,
    text_saturation_multiplier=0.5,
)


class Theme(ThemeProperties):
    custom_css_file: Link | None = None
    disable_picker: bool = False
    presets: dict[str, ThemeProperties] = Field(default_factory=dict)

    @field_validator("presets")
    @classmethod
    def _preset_names(cls, value: dict[str, ThemeProperties]) -> dict[str, ThemeProperties]:
        for name in value:
            if name == "default":
                raise ValueError('the preset name "default" is taken by the base theme; choose another name')
            if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
                raise ValueError(f'preset name "{name}" may contain only letters, digits, - and _')
        return value

    def base_properties(self) -> ThemeProperties:
        return ThemeProperties(**{name: getattr(self, name) for name in ThemeProperties.model_fields})


PageWidth = Literal["", "default", "slim", "wide"]

# Paths luna serves itself; a page with one of these slugs could never be reached.
RESERVED_SLUGS = frozenset({"api", "static", "assets", "login", "logout", "manifest.json"})


def slug_from_name(name: str) -> str:
    """Derive a page slug the way Glance does: lower case, whitespace runs to `-`."""

    return re.sub(r"\s+", "-", name.strip().lower()).strip("-")


class Column(ConfigModel):
    size: Literal["small", "full"]
    widgets: list[Any] = Field(default_factory=list)


class Page(ConfigModel):
    name: str = Field(min_length=1)
    slug: str = ""
    width: PageWidth = ""
    desktop_navigation_width: PageWidth = ""
    center_vertically: bool = False
    hide_desktop_navigation: bool = False
    show_mobile_header: bool = False
    head_widgets: list[Any] = Field(default_factory=list)
    columns: list[Column] = Field(min_length=1)

    @model_validator(mode="after")
    def _derive_slug(self) -> Page:
        # Slug rules, column counts and duplicate slugs are checked on the raw
        # data in luna.config.validation, where each error can point at its key.
        if not self.slug:
            object.__setattr__(self, "slug", slug_from_name(self.name))
        return self

    @property
    def content_width(self) -> str:
        return self.width or "default"

    @property
    def navigation_width(self) -> str:
        return self.desktop_navigation_width or self.content_width

    @property
    def primary_column_index(self) -> int:
        """The column shown first on a phone: the first full one."""

        return next(index for index, column in enumerate(self.columns) if column.size == "full")


class Config(ConfigModel):
    server: Server = Field(default_factory=Server)
    document: Document = Field(default_factory=Document)
    branding: Branding = Field(default_factory=Branding)
    theme: Theme = Field(default_factory=Theme)
    pages: list[Page] = Field(min_length=1)
