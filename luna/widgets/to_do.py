"""`to-do`: a task list kept in the browser's localStorage under `todo-{id}`, as in Glance."""

from __future__ import annotations

from luna.widgets.base import Widget, WidgetOptions
from luna.widgets.registry import register


class ToDoOptions(WidgetOptions):
    # Widgets with the same id share one list, in every tab of a browser.
    id: str = ""


@register
class ToDoWidget(Widget):
    type = "to-do"
    options_model = ToDoOptions
    default_title = "To-do"
