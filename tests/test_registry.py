"""Every registered widget type has its template, stylesheet, tests and docs page; type names are unique."""

from __future__ import annotations

from pathlib import Path

import pytest

from luna.widgets import registry
from luna.widgets.base import Widget
from luna.widgets.clock import ClockWidget
from luna.widgets.registry import RegistryError

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def expected_files(type_name: str) -> list[Path]:
    """The files one widget type needs, all named after its YAML `type`."""

    module_name = type_name.replace("-", "_")
    return [
        PROJECT_ROOT / "luna" / "templates" / "widgets" / f"{type_name}.html",
        PROJECT_ROOT / "luna" / "static" / "css" / "widgets" / f"{type_name}.css",
        PROJECT_ROOT / "tests" / "widgets" / f"test_{module_name}.py",
    ]


def missing_files(type_name: str) -> list[str]:
    return [str(path.relative_to(PROJECT_ROOT)) for path in expected_files(type_name) if not path.is_file()]


def docs_page(type_name: str) -> Path:
    """Return the path of the page that documents one widget type's keys for users."""

    return PROJECT_ROOT / "docs" / "widgets" / f"{type_name}.md"


def test_built_in_types_registered() -> None:
    assert registry.type_names() == [
        "bookmarks",
        "calendar",
        "clock",
        "custom-api",
        "docker-containers",
        "extension",
        "group",
        "html",
        "iframe",
        "monitor",
        "search",
        "server-stats",
        "split-column",
        "to-do",
    ]


@pytest.mark.parametrize("type_name", registry.type_names())
def test_type_has_template_css_and_tests(type_name: str) -> None:
    assert missing_files(type_name) == []


@pytest.mark.parametrize("type_name", registry.type_names())
def test_type_has_docs_page(type_name: str) -> None:
    page = docs_page(type_name)

    assert page.is_file(), f"{page.relative_to(PROJECT_ROOT)} is missing: document the {type_name} widget's keys there"


def test_docs_page_named_after_type() -> None:
    assert docs_page("split-column") == PROJECT_ROOT / "docs" / "widgets" / "split-column.md"


def test_docs_check_fails_without_page() -> None:
    assert not docs_page("sundial").is_file()


@pytest.mark.parametrize("type_name", registry.type_names())
def test_type_module_named_after_type(type_name: str) -> None:
    widget_class = registry.widget_class(type_name)
    assert widget_class is not None

    assert widget_class.__module__ == f"luna.widgets.{type_name.replace('-', '_')}"


def test_missing_files_reported() -> None:
    assert missing_files("sundial") == [
        "luna/templates/widgets/sundial.html",
        "luna/static/css/widgets/sundial.css",
        "tests/widgets/test_sundial.py",
    ]


def test_hyphenated_type_test_module_name() -> None:
    assert expected_files("split-column")[2].name == "test_split_column.py"


def test_duplicate_type_rejected() -> None:
    class AnotherClock(Widget):
        type = "clock"

    with pytest.raises(RegistryError, match='"clock" is registered twice'):
        registry.register(AnotherClock)

    assert registry.widget_class("clock") is ClockWidget


def test_second_registration_of_new_type_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "_types", dict(registry._types))

    class Sundial(Widget):
        type = "sundial"

    class OtherSundial(Widget):
        type = "sundial"

    registry.register(Sundial)

    with pytest.raises(RegistryError, match="sundial"):
        registry.register(OtherSundial)
    assert registry.widget_class("sundial") is Sundial


def test_alias_cannot_shadow_type() -> None:
    with pytest.raises(RegistryError, match="clock"):
        registry.register_alias("clock", "html")
