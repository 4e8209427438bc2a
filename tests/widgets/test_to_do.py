"""The to-do list's server side: the frame to-do.js fills from localStorage."""

from __future__ import annotations

from pathlib import Path

from tests.support.widgets import stage_widget


def test_storage_id_empty_by_default(tmp_path: Path) -> None:
    todo = stage_widget(tmp_path, "type: to-do").element.select_one("[data-todo]")

    assert todo["data-todo-id"] == ""


def test_storage_id_from_options(tmp_path: Path) -> None:
    todo = stage_widget(tmp_path, "type: to-do\nid: groceries").element.select_one("[data-todo]")

    assert todo["data-todo-id"] == "groceries"


def test_storage_id_escaped(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, "type: to-do\nid: '\"><script>x</script>'")

    assert staged.element.select("script") == []
    assert staged.element.select_one("[data-todo]")["data-todo-id"] == '"><script>x</script>'


def test_input_explains_keys(tmp_path: Path) -> None:
    element = stage_widget(tmp_path, "type: to-do").element
    described_by = element.select_one("[data-todo-input]")["aria-describedby"]

    assert element.select_one(f"#{described_by}").text.startswith("Enter adds the task at the bottom")


def test_to_do_never_refreshes(tmp_path: Path) -> None:
    assert stage_widget(tmp_path, "type: to-do").widget.interval is None


def test_default_title(tmp_path: Path) -> None:
    assert stage_widget(tmp_path, "type: to-do").element.select_one(".widget-title").text == "To-do"
