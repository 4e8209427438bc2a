"""`extension`: content another server renders, with its title and display set by response headers.

As in Glance, the server responds to a GET with the content and may send
`Widget-Title`, `Widget-Title-URL`, `Widget-Content-Type` (only `html` is
known) and `Widget-Content-Frameless`. HTML is shown as HTML only when the
user allows it with `allow-potentially-dangerous-html`; otherwise, and for
any other content type, the text is shown escaped in a `<pre>` block.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import Field

from luna.config.fields import WebURL, parse_link
from luna.widgets.base import Widget, WidgetContext, WidgetError, WidgetOptions
from luna.widgets.refresh import RefreshContext
from luna.widgets.registry import register
from luna.widgets.upstream import (
    QUOTE_IN_LOG,
    Headers,
    Parameters,
    UpstreamRequest,
    UpstreamResponse,
    fetch,
    quote_body,
    replace_query,
)
from luna.widgets.user_html import HtmlBalancer

logger = logging.getLogger(__name__)

# Glance caches an extension's content for 30 minutes unless `cache` sets another duration.
DEFAULT_INTERVAL = 1800.0
TITLE_HEADER = "Widget-Title"
TITLE_URL_HEADER = "Widget-Title-URL"
CONTENT_TYPE_HEADER = "Widget-Content-Type"
FRAMELESS_HEADER = "Widget-Content-Frameless"
CONTENT_TYPES = ("html",)
TRUE_WORDS = ("true", "yes", "1")


class ExtensionOptions(WidgetOptions):
    url: WebURL
    headers: Headers = Field(default_factory=dict)
    parameters: Parameters = Field(default_factory=dict)
    fallback_content_type: Literal["html"] = "html"
    allow_potentially_dangerous_html: bool = False


@dataclass(frozen=True)
class ExtensionContent:
    """Content an extension sent, with the title, link and frame its headers set."""

    text: str
    # Whether `text` is shown as HTML rather than escaped.
    is_html: bool
    title: str = ""
    title_url: str | None = None
    frameless: bool = False


@register
class ExtensionWidget(Widget):
    type = "extension"
    options_model = ExtensionOptions
    default_title = "Extension"
    default_interval = DEFAULT_INTERVAL

    def __init__(self, options: WidgetOptions, context: WidgetContext, children: list[Widget] | None = None) -> None:
        super().__init__(options, context, children)
        # The unusable Widget-Title-URL value logged last. The server sends the
        # header on every refresh, so a value is logged again only when it changes.
        self._ignored_title_url: str | None = None
        self.html_balancer = HtmlBalancer("extension's response")

    @property
    def extension_options(self) -> ExtensionOptions:
        return self.options  # type: ignore[return-value]

    @property
    def content(self) -> ExtensionContent | None:
        data = self.state.data
        return data if isinstance(data, ExtensionContent) else None

    @property
    def title(self) -> str:
        # The configured title wins over the one the extension sends.
        if self.options.title is not None:
            return self.options.title
        content = self.content
        return content.title if content and content.title else self.default_title

    @property
    def title_url(self) -> str | None:
        if self.options.title_url is not None:
            return self.options.title_url
        content = self.content
        return content.title_url if content else None

    async def refresh(self, context: RefreshContext) -> ExtensionContent:
        options = self.extension_options
        request = UpstreamRequest("GET", replace_query(options.url, options.parameters), options.headers)
        response = await fetch(request, context)
        if not response.ok:
            reason = f"the extension answered {response.status}"
            raise WidgetError(reason, f"{request.label}: {reason}: {quote_body(response.text, QUOTE_IN_LOG)}")
        return self._content(response)

    def _content(self, response: UpstreamResponse) -> ExtensionContent:
        content_type = response.header(CONTENT_TYPE_HEADER).strip().lower()
        if content_type not in CONTENT_TYPES:
            content_type = self.extension_options.fallback_content_type

        is_html = content_type == "html" and self.extension_options.allow_potentially_dangerous_html
        return ExtensionContent(
            text=self.html_balancer.balance(response.text, self.label) if is_html else response.text,
            is_html=is_html,
            title=response.header(TITLE_HEADER).strip(),
            title_url=self._title_url(response.header(TITLE_URL_HEADER).strip()),
            frameless=response.header(FRAMELESS_HEADER).strip().lower() in TRUE_WORDS,
        )

    def _title_url(self, value: str) -> str | None:
        try:
            link = parse_link(value) if value else None
        except ValueError as error:
            if value != self._ignored_title_url:
                logger.warning("%s: ignoring the %s header: %s", self.label, TITLE_URL_HEADER, error)
            self._ignored_title_url = value
            return None

        self._ignored_title_url = None
        return link

    def public_data(self) -> Any:
        content = self.content
        if content is None:
            return None
        return {"title": self.title, "title_url": self.title_url, "html": content.is_html, "content": content.text}
