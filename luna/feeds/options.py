"""Configuration keys the feed widgets share: collapsing, request limits and `api-base-url`."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from luna.config.fields import Duration, WebURL, describe_value
from luna.feeds.fetch import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, MEGABYTE
from luna.widgets.base import WidgetOptions

SIZE = re.compile(r"^\s*(?P<amount>\d+(?:\.\d+)?)\s*(?P<unit>b|kb|mb|gb)?\s*$", re.IGNORECASE)
SIZE_UNITS = {"b": 1, "kb": 1024, "mb": MEGABYTE, "gb": 1024 * MEGABYTE}
# Values that Glance's widgets replace with their default when they start
# (glanceapp/glance, internal/glance/widget-*.go, `initialize`): a `limit` of
# 0 or less, a `collapse-after` of 0 or below -1 (-1 turns collapsing off)
# and card sizes of 0 or less.
GLANCE_DEFAULT_WHEN: dict[str, Callable[[float], bool]] = {
    "limit": lambda value: value <= 0,
    "collapse_after": lambda value: value == 0 or value < -1,
    "collapse_after_rows": lambda value: value == 0 or value < -1,
    "thumbnail_height": lambda value: value <= 0,
    "card_height": lambda value: value <= 0,
}


def parse_size(value: Any) -> int:
    """Read `10MB`, `512KB` or a number of bytes; KB and MB are 1,024 and 1,048,576 bytes."""

    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError(f"a size must be text such as 10MB or 512KB, got {describe_value(value)}")

    match = SIZE.match(str(value))
    if match is None:
        raise ValueError(f'invalid size "{value}": write a number followed by KB or MB, for example 10MB')
    size = int(float(match["amount"]) * SIZE_UNITS[(match["unit"] or "b").lower()])
    if size < 1024:
        raise ValueError(f'the size "{value}" is below 1KB; no feed fits in it')
    return size


ByteSize = Annotated[int, BeforeValidator(parse_size)]
CollapseAfter = Annotated[int, Field(ge=-1)]


def at_most(maximum: int) -> AfterValidator:
    """Lower a larger number to `maximum`, for limits where Glance shows what the service returns."""

    return AfterValidator(lambda value: min(value, maximum))


class FeedWidgetOptions(WidgetOptions):
    """Keys of every widget that fetches a feed or a public API."""

    timeout: Duration = Field(default=DEFAULT_TIMEOUT, gt=0)
    max_response_size: ByteSize = DEFAULT_MAX_BYTES

    @model_validator(mode="before")
    @classmethod
    def _glance_defaults(cls, data: Any) -> Any:
        """Drop the values Glance replaces with the widget's default, so the field's own default applies."""

        if not isinstance(data, dict):
            return data
        return {key: value for key, value in data.items() if not _means_default(cls, str(key), value)}


def _means_default(model: type[FeedWidgetOptions], key: str, value: Any) -> bool:
    name = key.replace("-", "_")
    # A key the widget does not declare stays, so it is still reported as unknown.
    if name not in model.model_fields or name not in GLANCE_DEFAULT_WHEN:
        return False
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return GLANCE_DEFAULT_WHEN[name](value)


class ApiWidgetOptions(FeedWidgetOptions):
    """Keys of a widget that calls a fixed public API, which `api-base-url` can point elsewhere."""

    # Replaces the scheme and host of every request, for mirrors, proxies and tests.
    api_base_url: WebURL | None = None
