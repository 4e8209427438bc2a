"""`html`: the user's own HTML, shown as written and without a frame."""

from __future__ import annotations

from luna.widgets.base import Widget, WidgetContext, WidgetOptions
from luna.widgets.registry import register
from luna.widgets.user_html import HtmlBalancer


class HtmlOptions(WidgetOptions):
    # Glance shows this widget bare, so its header is off unless asked for.
    hide_header: bool = True
    source: str = ""


@register
class HtmlWidget(Widget):
    type = "html"
    options_model = HtmlOptions
    default_title = ""

    def __init__(self, options: WidgetOptions, context: WidgetContext, children: list[Widget] | None = None) -> None:
        super().__init__(options, context, children)
        self.html_balancer = HtmlBalancer("source")

    @property
    def html_options(self) -> HtmlOptions:
        return self.options  # type: ignore[return-value]

    @property
    def source(self) -> str:
        """The configured source, balanced so that it cannot close or swallow the widgets after it."""

        return self.html_balancer.balance(self.html_options.source, self.label)
