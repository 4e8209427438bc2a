"""Split columns: children side by side on a desktop, stacked in one column on a phone."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from tests.browser.support import DESKTOP, PHONE, LiveDashboard, load

pytestmark = pytest.mark.browser

SPLIT_COLUMN = """
pages:
  - name: Home
    columns:
      - size: full
        widgets:
          - type: split-column
            widgets:
              - type: html
                title: One
                hide-header: false
                source: <p>First</p>
              - type: html
                title: Two
                hide-header: false
                source: <p>Second</p>
              - type: html
                title: Three
                hide-header: false
                source: <p>Third</p>
"""


def child_boxes(page: Page) -> list[dict[str, float]]:
    boxes = []
    for index in range(3):
        box = page.locator(f"[data-masonry-index='{index}']").bounding_box()
        assert box is not None
        boxes.append(box)
    return boxes


def test_desktop_lays_children_side_by_side(
    serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page]
) -> None:
    dashboard = serve_dashboard(SPLIT_COLUMN)
    page = new_page(DESKTOP)

    load(page, dashboard.url)

    first, second, third = child_boxes(page)
    assert page.locator(".masonry-column").count() == 2
    assert second["y"] == first["y"]
    assert second["x"] >= first["x"] + first["width"]
    # The third child goes under the first, in the shorter column.
    assert third["x"] == first["x"]
    assert third["y"] > first["y"]


def test_phone_stacks_children(serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page]) -> None:
    dashboard = serve_dashboard(SPLIT_COLUMN)
    page = new_page(PHONE)

    load(page, dashboard.url)

    first, second, third = child_boxes(page)
    assert page.locator(".masonry-column").count() == 1
    assert second["x"] == first["x"]
    assert second["y"] >= first["y"] + first["height"]
    assert third["y"] >= second["y"] + second["height"]


def test_resize_moves_children_into_one_column(
    serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page]
) -> None:
    dashboard = serve_dashboard(SPLIT_COLUMN)
    page = new_page(DESKTOP)
    load(page, dashboard.url)

    page.set_viewport_size({"width": 600, "height": 900})

    page.wait_for_function("document.querySelectorAll('.masonry-column').length === 1")
    first, second, _ = child_boxes(page)
    assert second["x"] == first["x"]
