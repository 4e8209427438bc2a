"""The to-do list in the browser: tasks added, edited, ticked, deleted and reordered, kept in localStorage."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import yaml
from playwright.sync_api import Locator, Page, expect

from tests.browser.support import REFRESH_PAGE, REPLACE_WIDGET, SET_UP_AGAIN, LiveDashboard, PageProblems, load

pytestmark = pytest.mark.browser


def todo_config(*lists: dict[str, str]) -> str:
    """Lay out one full column with a to-do widget for each mapping of its keys (id, title)."""

    widgets = [{"type": "to-do", **keys} for keys in lists]
    return yaml.safe_dump({"pages": [{"name": "Home", "columns": [{"size": "full", "widgets": widgets}]}]}, sort_keys=False)


TODO = todo_config({"id": "chores"})
TWO_LISTS = todo_config({"title": "Chores", "id": "chores"}, {"title": "Shopping", "id": "shopping"})
# Two widgets share one list through their id.
SAME_LIST_TWICE = todo_config({"title": "Chores", "id": "chores"}, {"title": "Chores again", "id": "chores"})


def open_list(new_page: Callable[..., Page], dashboard: LiveDashboard) -> Page:
    page = new_page()
    load(page, dashboard.url)
    return page


@pytest.fixture
def chores(serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page]) -> tuple[Page, LiveDashboard]:
    """Serve the dashboard with the one "chores" list and open it in a new page."""

    dashboard = serve_dashboard(TODO)
    return open_list(new_page, dashboard), dashboard


def new_task(scope: Page | Locator) -> Locator:
    return scope.get_by_role("textbox", name="New task")


def task_texts(scope: Page | Locator) -> Locator:
    return scope.locator(".todo-item-text")


def stored(page: Page, key: str = "todo-chores") -> Any:
    return json.loads(page.evaluate("(key) => localStorage.getItem(key)", key) or "null")


def expect_tasks(scope: Page | Locator, texts: list[str]) -> None:
    expect(task_texts(scope)).to_have_count(len(texts))
    for index, text in enumerate(texts):
        expect(task_texts(scope).nth(index)).to_have_value(text)


def add(scope: Page | Locator, *texts: str) -> None:
    for text in texts:
        new_task(scope).fill(text)
        new_task(scope).press("Enter")


def type_after_swap(page: Page, dashboard: LiveDashboard, text: str) -> None:
    """Replace the widget's element as a live update does, then type where the focus ended up."""

    page.evaluate(REPLACE_WIDGET, dashboard.widget("to-do").id)
    page.keyboard.type(text)


def test_enter_adds_at_bottom(chores: tuple[Page, LiveDashboard], page_problems: PageProblems) -> None:
    page, _ = chores

    add(page, "Water plants", "Take out bins")

    expect_tasks(page, ["Water plants", "Take out bins"])
    expect(new_task(page)).to_have_value("")
    assert stored(page) == [{"text": "Water plants", "checked": False}, {"text": "Take out bins", "checked": False}]
    assert page_problems.console_errors == []


def test_ctrl_enter_adds_at_top(chores: tuple[Page, LiveDashboard]) -> None:
    page, _ = chores
    add(page, "Water plants")

    new_task(page).fill("Call the plumber")
    new_task(page).press("Control+Enter")

    expect_tasks(page, ["Call the plumber", "Water plants"])


def test_blank_task_not_added(chores: tuple[Page, LiveDashboard]) -> None:
    page, _ = chores

    add(page, "   ")

    expect(task_texts(page)).to_have_count(0)


def test_tasks_survive_reload(chores: tuple[Page, LiveDashboard]) -> None:
    page, dashboard = chores
    add(page, "Water plants", "Take out bins")
    page.locator(".todo-item-checkbox").first.check()

    load(page, dashboard.url)

    expect_tasks(page, ["Water plants", "Take out bins"])
    expect(page.locator(".todo-item-checkbox").first).to_be_checked()


def test_inline_edit_saved(chores: tuple[Page, LiveDashboard]) -> None:
    page, _ = chores
    add(page, "Water plants")

    task_texts(page).first.fill("Water the tomatoes")

    assert stored(page) == [{"text": "Water the tomatoes", "checked": False}]


def test_completed_task_marked(chores: tuple[Page, LiveDashboard]) -> None:
    page, _ = chores
    add(page, "Water plants", "Take out bins")

    page.get_by_role("checkbox", name="Done").nth(1).check()

    expect(page.locator(".todo-item").nth(1)).to_have_class("todo-item todo-item-done")
    assert stored(page)[1] == {"text": "Take out bins", "checked": True}


def test_deleted_task_removed(chores: tuple[Page, LiveDashboard]) -> None:
    page, _ = chores
    add(page, "Water plants", "Take out bins")

    page.locator(".todo-item").first.hover()
    page.get_by_role("button", name="Delete task").first.click()

    expect_tasks(page, ["Take out bins"])
    assert stored(page) == [{"text": "Take out bins", "checked": False}]


def test_drag_moves_task_up(chores: tuple[Page, LiveDashboard]) -> None:
    page, _ = chores
    add(page, "One", "Two", "Three")
    handle = page.locator(".todo-item-handle").nth(2)
    target = page.locator(".todo-item").first.bounding_box()
    assert target is not None

    page.locator(".todo-item").nth(2).hover()
    handle.hover()
    page.mouse.down()
    page.mouse.move(target["x"] + 10, target["y"] + 2, steps=8)
    page.mouse.up()

    expect_tasks(page, ["Three", "One", "Two"])
    assert [task["text"] for task in stored(page)] == ["Three", "One", "Two"]


def test_drag_moves_task_to_bottom(chores: tuple[Page, LiveDashboard]) -> None:
    page, _ = chores
    add(page, "One", "Two", "Three")
    last = page.locator(".todo-item").nth(2).bounding_box()
    assert last is not None

    page.locator(".todo-item").first.hover()
    page.locator(".todo-item-handle").first.hover()
    page.mouse.down()
    page.mouse.move(last["x"] + 10, last["y"] + last["height"] + 4, steps=8)
    page.mouse.up()

    expect_tasks(page, ["Two", "Three", "One"])


def test_alt_arrow_moves_task(chores: tuple[Page, LiveDashboard]) -> None:
    page, _ = chores
    add(page, "One", "Two", "Three")

    task_texts(page).nth(2).press("Alt+ArrowUp")

    expect_tasks(page, ["One", "Three", "Two"])
    expect(task_texts(page).nth(1)).to_be_focused()
    assert [task["text"] for task in stored(page)] == ["One", "Three", "Two"]


def test_escape_returns_to_input(chores: tuple[Page, LiveDashboard]) -> None:
    page, _ = chores
    add(page, "One")

    task_texts(page).first.press("Escape")

    expect(new_task(page)).to_be_focused()


def test_enter_in_task_adds_no_line(chores: tuple[Page, LiveDashboard]) -> None:
    page, _ = chores
    add(page, "One")

    task_texts(page).first.press("End")
    task_texts(page).first.press("Enter")

    expect(task_texts(page).first).to_have_value("One")
    expect(new_task(page)).to_be_focused()


def test_arrow_down_reaches_last_added(chores: tuple[Page, LiveDashboard]) -> None:
    page, _ = chores
    add(page, "One")
    new_task(page).fill("Zero")
    new_task(page).press("Control+Enter")

    new_task(page).press("ArrowDown")

    expect(task_texts(page).first).to_be_focused()


def test_escape_leaves_input(chores: tuple[Page, LiveDashboard]) -> None:
    page, _ = chores
    new_task(page).focus()

    new_task(page).press("Escape")

    expect(new_task(page)).not_to_be_focused()


def test_lists_kept_apart_by_id(serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page]) -> None:
    page = open_list(new_page, serve_dashboard(TWO_LISTS))

    new_task(page).nth(1).fill("Milk")
    new_task(page).nth(1).press("Enter")

    assert stored(page, "todo-shopping") == [{"text": "Milk", "checked": False}]
    assert stored(page, "todo-chores") is None


def test_glance_stored_list_loaded(chores: tuple[Page, LiveDashboard]) -> None:
    page, dashboard = chores
    page.evaluate("""() => localStorage.setItem("todo-chores", '[{"text":"From Glance","checked":true}]')""")

    load(page, dashboard.url)

    expect_tasks(page, ["From Glance"])
    expect(page.locator(".todo-item-checkbox")).to_be_checked()


def test_invalid_storage_starts_empty(chores: tuple[Page, LiveDashboard], page_problems: PageProblems) -> None:
    page, dashboard = chores
    page.evaluate("""() => localStorage.setItem("todo-chores", "{not json")""")

    load(page, dashboard.url)
    add(page, "Fresh start")

    assert stored(page) == [{"text": "Fresh start", "checked": False}]
    assert page_problems.console_errors == []


def test_widget_swap_keeps_tasks_and_draft(chores: tuple[Page, LiveDashboard]) -> None:
    page, dashboard = chores
    add(page, "One")
    new_task(page).fill("Half-typed")

    page.evaluate(REPLACE_WIDGET, dashboard.widget("to-do").id)

    expect_tasks(page, ["One"])
    expect(new_task(page)).to_have_value("Half-typed")


def test_second_setup_adds_task_once(chores: tuple[Page, LiveDashboard]) -> None:
    page, _ = chores
    page.evaluate(SET_UP_AGAIN)

    add(page, "Only once")

    expect(task_texts(page)).to_have_count(1)
    assert len(stored(page)) == 1


def test_same_id_widgets_keep_both_tasks(
    serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page]
) -> None:
    page = open_list(new_page, serve_dashboard(SAME_LIST_TWICE))

    add(page.locator(".widget").nth(0), "Water plants")
    add(page.locator(".widget").nth(1), "Take out bins")

    assert [task["text"] for task in stored(page)] == ["Water plants", "Take out bins"]


def test_same_id_widget_shows_change_at_once(
    serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page]
) -> None:
    page = open_list(new_page, serve_dashboard(SAME_LIST_TWICE))
    first, second = page.locator(".widget").nth(0), page.locator(".widget").nth(1)
    add(first, "Water plants")

    first.locator(".todo-item-text").fill("Water the tomatoes")
    first.get_by_role("checkbox", name="Done").check()

    expect(second.locator(".todo-item-text")).to_have_count(1)
    expect(second.locator(".todo-item-text")).to_have_value("Water the tomatoes")
    expect(second.locator(".todo-item-checkbox")).to_be_checked()


def test_same_id_widget_follows_delete_and_move(
    serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page]
) -> None:
    page = open_list(new_page, serve_dashboard(SAME_LIST_TWICE))
    first, second = page.locator(".widget").nth(0), page.locator(".widget").nth(1)
    add(first, "One", "Two", "Three")

    first.locator(".todo-item-text").nth(2).press("Alt+ArrowUp")
    first.locator(".todo-item").first.hover()
    first.get_by_role("button", name="Delete task").first.click()

    expect_tasks(second, ["Three", "Two"])
    expect(first.locator(".todo-item-text").nth(1)).to_have_value("Two")


def test_write_starts_from_stored_list(chores: tuple[Page, LiveDashboard]) -> None:
    page, _ = chores
    add(page, "Water plants")
    # Written behind the widget's back, as a tab whose storage event has not arrived yet.
    page.evaluate(
        """() => localStorage.setItem("todo-chores", JSON.stringify([
          {text: "Water plants", checked: false}, {text: "From another tab", checked: false}]))"""
    )

    task_texts(page).first.fill("Water the tomatoes")
    add(page, "Take out bins")

    assert [task["text"] for task in stored(page)] == ["Water the tomatoes", "From another tab", "Take out bins"]
    expect_tasks(page, ["Water the tomatoes", "From another tab", "Take out bins"])


def test_edit_of_task_deleted_elsewhere_not_revived(chores: tuple[Page, LiveDashboard]) -> None:
    page, _ = chores
    add(page, "Water plants", "Take out bins")
    page.evaluate("""() => localStorage.setItem("todo-chores", JSON.stringify([{text: "Take out bins", checked: false}]))""")

    task_texts(page).first.press("End")
    task_texts(page).first.type("!")

    assert stored(page) == [{"text": "Take out bins", "checked": False}]
    expect_tasks(page, ["Take out bins"])


def test_other_tab_change_shown(chores: tuple[Page, LiveDashboard]) -> None:
    page, dashboard = chores
    other = page.context.new_page()
    load(other, dashboard.url)

    add(other, "From the other tab")

    expect_tasks(page, ["From the other tab"])


def test_other_tab_insert_keeps_edited_task_focused(chores: tuple[Page, LiveDashboard]) -> None:
    page, dashboard = chores
    add(page, "One", "Two")
    task_texts(page).nth(1).press("End")
    other = page.context.new_page()
    load(other, dashboard.url)

    new_task(other).fill("Zero")
    new_task(other).press("Control+Enter")
    expect_tasks(page, ["Zero", "One", "Two"])
    page.keyboard.type("!")

    expect(task_texts(page).nth(2)).to_have_value("Two!")
    assert [task["text"] for task in stored(page)] == ["Zero", "One", "Two!"]


def test_widget_swap_keeps_input_focus_and_caret(chores: tuple[Page, LiveDashboard]) -> None:
    page, dashboard = chores
    new_task(page).fill("Half-typed")
    new_task(page).press("Home")
    new_task(page).press("ArrowRight")

    type_after_swap(page, dashboard, "X")

    expect(new_task(page)).to_be_focused()
    expect(new_task(page)).to_have_value("HXalf-typed")


def test_widget_swap_keeps_task_focus_and_caret(chores: tuple[Page, LiveDashboard]) -> None:
    page, dashboard = chores
    add(page, "One", "Two")
    task_texts(page).nth(1).press("End")
    task_texts(page).nth(1).press("ArrowLeft")

    type_after_swap(page, dashboard, "X")

    expect(task_texts(page).nth(1)).to_be_focused()
    expect(task_texts(page).nth(1)).to_have_value("TwXo")


def test_page_swap_keeps_input_focus(chores: tuple[Page, LiveDashboard]) -> None:
    page, dashboard = chores
    new_task(page).fill("Half-typed")
    # An empty ETag makes the next page request a full fetch and swap.
    page.evaluate("() => { document.body.dataset.pageEtag = ''; }")

    page.evaluate(REFRESH_PAGE)
    page.keyboard.type("!")

    expect(new_task(page)).to_be_focused()
    expect(new_task(page)).to_have_value("Half-typed!")

