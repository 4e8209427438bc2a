from __future__ import annotations

from pathlib import Path

import pytest

from luna.checks.result import CheckResult, Status
from luna.config.errors import ConfigError
from luna.web.rendering import render_with_ancestors
from luna.widgets.base import WidgetState
from tests.support.widgets import StagedWidget, stage_widget

GROUP = """
type: group
title: Feeds
widgets:
  - type: clock
    title: Time
    title-url: /assets/clocks.html
  - type: bookmarks
    groups:
      - links:
          - title: Router
            url: http://192.168.1.1/
  - type: html
    source: <p id="raw">raw</p>
"""
BASE_URL = "server:\n  base-url: /luna\n"


def staged_group(tmp_path: Path, text: str = GROUP) -> StagedWidget:
    return stage_widget(tmp_path, text, top=BASE_URL)


def test_one_tab_per_child(tmp_path: Path) -> None:
    staged = staged_group(tmp_path)

    tabs = staged.element.select(".group-tabs [role=tab]")

    assert [tab.text for tab in tabs] == ["Time", "Bookmarks", "html"]


def test_tab_list_named_after_group(tmp_path: Path) -> None:
    staged = staged_group(tmp_path)

    assert staged.element.select_one("[role=tablist]")["aria-label"] == "Feeds"


def test_first_tab_selected(tmp_path: Path) -> None:
    staged = staged_group(tmp_path)

    tabs = staged.element.select("[role=tab]")

    assert [tab["aria-selected"] for tab in tabs] == ["true", "false", "false"]
    assert [tab["tabindex"] for tab in tabs] == ["0", "-1", "-1"]


def test_only_first_panel_visible(tmp_path: Path) -> None:
    staged = staged_group(tmp_path)

    panels = staged.element.select("[role=tabpanel]")

    assert [panel.has("hidden") for panel in panels] == [False, True, True]


def test_tabs_control_their_panels(tmp_path: Path) -> None:
    staged = staged_group(tmp_path)
    tabs = staged.element.select("[role=tab]")
    panels = staged.element.select("[role=tabpanel]")

    for tab, panel in zip(tabs, panels, strict=True):
        assert tab["aria-controls"] == panel["id"]
        assert panel["aria-labelledby"] == tab["id"]


def test_panels_hold_child_widgets(tmp_path: Path) -> None:
    staged = staged_group(tmp_path)
    children = staged.widget.children

    panels = staged.element.select("[role=tabpanel]")

    for child, panel in zip(children, panels, strict=True):
        assert panel.select_one(".widget")["data-widget-id"] == child.id
    assert panels[2].select_one("p#raw").text == "raw"


def test_child_headers_hidden(tmp_path: Path) -> None:
    staged = staged_group(tmp_path)

    assert staged.element.select(".widget-header") == []


def test_child_title_url_on_tab(tmp_path: Path) -> None:
    staged = staged_group(tmp_path)

    tabs = staged.element.select("[role=tab]")

    assert tabs[0]["data-title-url"] == "/luna/assets/clocks.html"
    assert not tabs[1].has("data-title-url")


def test_child_title_escaped_in_tab(tmp_path: Path) -> None:
    text = "type: group\nwidgets:\n  - type: clock\n    title: <em>Time</em>"
    staged = staged_group(tmp_path, text)

    tab = staged.element.select_one("[role=tab]")

    assert tab.text == "<em>Time</em>"
    assert tab.select("em") == []


def test_child_update_rerenders_group(tmp_path: Path) -> None:
    text = "type: group\nwidgets:\n  - type: clock\n  - type: monitor\n    sites:\n      - title: NAS\n        url: http://127.0.0.1:9/"
    staged = staged_group(tmp_path, text)
    monitor = staged.widget.children[1]
    pending = staged.element.select_one(f"[data-widget-id={monitor.id}]")

    monitor.state = WidgetState().after_success((CheckResult(Status.UP, 0.0, code=200, label="OK"),), 0.0)
    changed = render_with_ancestors(monitor, staged.runtime.renderer)
    loaded = staged.element.select_one(f"[data-widget-id={monitor.id}]")

    assert pending.has_class("widget-is-pending")
    assert not loaded.has_class("widget-is-pending")
    assert changed == [monitor, staged.widget]


@pytest.mark.parametrize("inner", ["group", "split-column"])
def test_nested_container_rejected(tmp_path: Path, inner: str) -> None:
    text = f"type: group\nwidgets:\n  - type: {inner}\n    widgets:\n      - type: clock"

    with pytest.raises(ConfigError, match=inner):
        staged_group(tmp_path, text)


def test_empty_group_rejected(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="widgets"):
        staged_group(tmp_path, "type: group\nwidgets: []")
