"""Typed models of `luna.yml`, with Glance's keys and defaults."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from luna.auth.passwords import hash_problem, password_problem
from luna.auth.sessions import decode_secret_key
from luna.config.fields import HSL, Duration, HSLColor, Link, Network, parse_hsl, parse_network


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


# Proxies whose X-Forwarded-* headers luna believes when `server.proxied` is
# true: loopback and the private ranges, where a reverse proxy in front of a
# self-hosted dashboard usually runs.
DEFAULT_TRUSTED_PROXIES = tuple(
    parse_network(text) for text in ("127.0.0.0/8", "::1", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")
)


class Server(ConfigModel):
    host: str = ""
    port: int = Field(default=8080, ge=1, le=65535)
    base_url: str = ""
    proxied: bool = False
    trusted_proxies: tuple[Network, ...] = DEFAULT_TRUSTED_PROXIES
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


class LoginLimit(ConfigModel):
    """How many failed logins an address or a user name may have in a sliding window (`auth.login-limit`)."""

    failures: int = Field(default=5, ge=1, le=1000)
    window: Duration = Field(default=300.0, gt=0)


MISSING_CREDENTIAL = "the user needs a `password-hash` (make one with `luna password hash`) or a `password`"


class User(ConfigModel):
    """One login (`auth.users.NAME`): a bcrypt `password-hash`, or a plain `password`."""

    # Left out of repr so a logged model never shows them.
    password: str | None = Field(default=None, repr=False)
    password_hash: str | None = Field(default=None, repr=False)

    @model_validator(mode="before")
    @classmethod
    def _not_empty(cls, value: Any) -> Any:
        if value is None:
            raise ValueError(MISSING_CREDENTIAL)
        return value

    @field_validator("password")
    @classmethod
    def _password_rules(cls, value: str | None) -> str | None:
        problem = password_problem(value) if value is not None else None
        if problem is not None:
            raise ValueError(problem)
        return value

    @field_validator("password_hash")
    @classmethod
    def _hash_format(cls, value: str | None) -> str | None:
        problem = hash_problem(value.strip()) if value is not None else None
        if problem is not None:
            raise ValueError(problem)
        return value.strip() if value is not None else None

    @model_validator(mode="after")
    def _one_credential(self) -> User:
        if self.password is None and self.password_hash is None:
            raise ValueError(MISSING_CREDENTIAL)
        if self.password is not None and self.password_hash is not None:
            raise ValueError("the user has both `password` and `password-hash`; keep only `password-hash`")
        return self


class Auth(ConfigModel):
    """Logins (`auth`); without users the dashboard is open to everyone who can reach it."""

    secret_key: str = Field(default="", repr=False)
    users: dict[str, User] = Field(default_factory=dict)
    login_limit: LoginLimit = Field(default_factory=LoginLimit)

    @field_validator("secret_key")
    @classmethod
    def _key_decodes(cls, value: str) -> str:
        if value:
            decode_secret_key(value)
        return value.strip()

    @model_validator(mode="after")
    def _key_with_users(self) -> Auth:
        # User-name rules are checked in luna.config.validation, which can point at each name.
        if self.users and not self.secret_key:
            raise ValueError("`auth.users` needs `secret-key` to sign sessions; make one with `luna secret make`")
        return self

    @property
    def enabled(self) -> bool:
        return bool(self.users)

    @property
    def key_bytes(self) -> bytes:
        return decode_secret_key(self.secret_key)


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
    auth: Auth = Field(default_factory=Auth)
    document: Document = Field(default_factory=Document)
    branding: Branding = Field(default_factory=Branding)
    theme: Theme = Field(default_factory=Theme)
    pages: list[Page] = Field(min_length=1)
