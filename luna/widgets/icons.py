"""Icon references as Glance writes them: a URL, or a prefix naming a public icon set."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BeforeValidator

from luna.config.fields import describe_value, parse_link

# Glance's prefixes and the jsDelivr paths of the icon sets they name.
ICON_SETS = {
    "si": ("https://cdn.jsdelivr.net/npm/simple-icons@latest/icons/{name}.svg", True),
    "mdi": ("https://cdn.jsdelivr.net/npm/@mdi/svg@latest/svg/{name}.svg", True),
    "sh": ("https://cdn.jsdelivr.net/gh/selfhst/icons/{extension}/{name}.{extension}", False),
    "di": ("https://cdn.jsdelivr.net/gh/homarr-labs/dashboard-icons/{extension}/{name}.{extension}", False),
}
AUTO_INVERT = "auto-invert "


@dataclass(frozen=True)
class Icon:
    """An icon's URL and whether it is a flat shape the theme should recolour."""

    url: str
    flat: bool = False

    def __str__(self) -> str:
        return ("auto-invert " if self.flat else "") + self.url


def parse_icon(value: Any) -> Icon:
    if isinstance(value, Icon):
        return value
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"an icon must be a URL or a name such as si:github, got {describe_value(value)}")

    text = value.strip()
    flat = text.startswith(AUTO_INVERT)
    if flat:
        text = text[len(AUTO_INVERT) :].strip()

    prefix, _, name = text.partition(":")
    if prefix in ICON_SETS and name and not name.startswith("//"):
        template, always_flat = ICON_SETS[prefix]
        extension = "png" if name.endswith(".png") else "svg"
        stem = name.removesuffix(".png").removesuffix(".svg")
        return Icon(template.format(name=stem, extension=extension), flat or always_flat)

    return Icon(parse_link(text), flat)


IconField = Annotated[Icon, BeforeValidator(parse_icon)]
