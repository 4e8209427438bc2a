"""Theme presets and the CSS custom properties each one compiles to.

The colours are worked out here rather than with CSS `calc()`, so the
stylesheet only reads finished values such as `--color-text-base`.
"""

from __future__ import annotations

from dataclasses import dataclass

from luna.config.fields import HSL
from luna.config.models import (
    BUILT_IN_LIGHT,
    DEFAULT_BACKGROUND,
    DEFAULT_NEGATIVE,
    DEFAULT_PRIMARY,
    Theme,
    ThemeProperties,
)

BASE_KEY = "default"


@dataclass(frozen=True)
class ThemeChoice:
    key: str
    properties: ThemeProperties

    @property
    def scheme(self) -> str:
        return "light" if self.properties.light else "dark"

    @property
    def css(self) -> str:
        return theme_css(self.properties)

    @property
    def swatches(self) -> tuple[str, str, str]:
        """Background, primary and positive colours, for the picker's preview."""

        colours = resolve_colours(self.properties)
        return colours.background.css(), colours.primary.css(), colours.positive.css()

    @property
    def label(self) -> str:
        return self.key.replace("-", " ").capitalize()


def theme_choices(theme: Theme) -> dict[str, ThemeChoice]:
    """Return the themes a user can pick, in picker order, keyed by name.

    As in Glance: the base theme is `default`; `default-light` is always
    offered, and `default-dark` only when the base theme is not already the
    plain dark one. A user preset with a built-in name replaces it.
    """

    base = theme.base_properties()
    choices = {BASE_KEY: ThemeChoice(BASE_KEY, base)}

    built_ins: dict[str, ThemeProperties] = {}
    if base.is_customised():
        built_ins["default-dark"] = ThemeProperties()
    built_ins["default-light"] = BUILT_IN_LIGHT

    for key, properties in {**built_ins, **theme.presets}.items():
        if key == "default-dark" and properties == base:
            continue
        choices[key] = ThemeChoice(key, properties)
    return choices


@dataclass(frozen=True)
class Colours:
    background: HSL
    primary: HSL
    positive: HSL
    negative: HSL


def resolve_colours(properties: ThemeProperties) -> Colours:
    # A light theme that leaves a colour unset takes the built-in light one:
    # the dark defaults (a dark background, a pale red) are unreadable on it.
    defaults = BUILT_IN_LIGHT if properties.light else ThemeProperties()
    primary = properties.primary_color or defaults.primary_color or DEFAULT_PRIMARY
    return Colours(
        background=properties.background_color or defaults.background_color or DEFAULT_BACKGROUND,
        primary=primary,
        positive=properties.positive_color or primary,
        negative=properties.negative_color or defaults.negative_color or DEFAULT_NEGATIVE,
    )


def theme_css(properties: ThemeProperties) -> str:
    colours = resolve_colours(properties)
    background = colours.background
    light = properties.light
    contrast = properties.contrast_multiplier
    text_saturation = min(background.saturation * properties.text_saturation_multiplier, 100)

    def shade(offset: float) -> str:
        """A surface colour `offset` lightness steps away from the background, towards the text."""

        lightness = background.lightness - offset if light else background.lightness + offset
        return HSL(background.hue, background.saturation, _clamp(lightness)).css()

    def text(distance: float) -> str:
        lightness = background.lightness - distance * contrast if light else background.lightness + distance * contrast
        return HSL(background.hue, text_saturation, _clamp(lightness)).css()

    values = {
        "--bgh": f"{background.hue:g}",
        "--bgs": f"{background.saturation:g}%",
        "--bgl": f"{background.lightness:g}%",
        "--cm": f"{contrast:g}",
        "--tsm": f"{properties.text_saturation_multiplier:g}",
        "--color-background": background.css(),
        "--color-widget-background": shade(-2 if light else 2.5),
        "--color-widget-background-highlight": shade(3 if light else 6),
        "--color-separator": shade(8 if light else 7),
        "--color-widget-content-border": shade(10 if light else 8),
        "--color-popover-background": shade(-3 if light else 4),
        "--color-popover-border": shade(14 if light else 14),
        # Subdued text carries facts (check times, descriptions), so it keeps a
        # contrast of at least 4:1 on widgets in the default dark theme and
        # 5.9:1 in the default light one.
        "--color-text-subdue": text(43),
        "--color-text-base": text(56),
        "--color-text-highlight": text(72),
        "--color-primary": colours.primary.css(),
        "--color-positive": colours.positive.css(),
        "--color-negative": colours.negative.css(),
        "--color-progress-border": shade(20),
        "--color-progress-value": text(38),
        "--scheme-shadow": "0 0 0 0 transparent" if light else "0 1px 2px 0 hsla(0, 0%, 0%, 0.35)",
    }
    body = "".join(f"{name}:{value};" for name, value in values.items())
    return f":root{{{body}color-scheme:{'light' if light else 'dark'};}}"


def _clamp(value: float) -> float:
    return round(max(0.0, min(100.0, value)), 1)


def background_hex(theme: Theme) -> str:
    """The theme background as hex, for the web app manifest."""

    return (theme.background_color or DEFAULT_BACKGROUND).hex()
